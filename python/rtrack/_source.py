"""Where runs started in this interpreter come from (``mlflow.source.*`` tags)."""

from __future__ import annotations

import os
import sys


def detect_source() -> tuple[str, str, str]:
    """``(name, type, user)``: the notebook inside Jupyter/IPython, else the script being run."""
    return (*_source_name_and_type(), _user())


def _user() -> str:
    try:
        import getpass

        return getpass.getuser()
    except Exception:  # no login name: a container without a passwd entry
        return ""


def _source_name_and_type() -> tuple[str, str]:
    if "IPython" in sys.modules or "ipykernel" in sys.modules:
        get_ipython = getattr(sys.modules.get("IPython"), "get_ipython", None)
        if get_ipython is not None and get_ipython() is not None:
            # Jupyter names the notebook in the kernel's environment.
            notebook = os.environ.get("JPY_SESSION_NAME") or os.environ.get("COLAB_NOTEBOOK_ID") or "notebook"
            return notebook, "NOTEBOOK"
    script = sys.argv[0] if sys.argv and sys.argv[0] else "<interactive>"
    if script not in ("-c", "-m", "<interactive>") and os.path.exists(script):
        script = os.path.abspath(script)
    return script, "LOCAL"
