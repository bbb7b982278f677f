"""Helpers shared by the test modules (imported as ``helpers``)."""

import os
import subprocess
import sys
import textwrap
import urllib.parse
import urllib.request
from pathlib import Path

import rtrack


def uri_to_path(uri):
    """The local folder of a ``file://`` artifact URI."""
    assert uri.startswith("file://"), uri
    return Path(urllib.request.url2pathname(urllib.parse.urlparse(uri).path))


def artifact_dir(run_id):
    return uri_to_path(rtrack.get_run(run_id).info.artifact_uri)


def clean_env(**extra):
    """The environment for a child interpreter: no tracking settings inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RTRACK_", "MLFLOW_"))}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_python(script, *, cwd=None, env=None, timeout=120, check=True, args=()):
    """Run ``script`` in a fresh interpreter; returns the CompletedProcess."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=cwd,
        env=env if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert done.returncode == 0, f"child failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


def file_tree(folder):
    """Every path (relative, as text) under ``folder``, links not followed."""
    folder = Path(folder)
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
