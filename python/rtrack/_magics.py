"""The ``%rtrack`` magics, registered by ``%load_ext rtrack``:

- ``%rtrack summary [--experiment NAME]``: the run-summary dashboard;
- ``%%rtrack run [--name N] [--experiment E]``: the cell body runs inside a run;
- ``%rtrack ui [--port N] [--host H] [--height PX]`` / ``%rtrack ui --stop``: the tracking
  server inside this kernel, shown under the cell.

This module is imported only from IPython, so ``import rtrack`` never loads IPython.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import shlex
import time

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.display import IFrame, display

import rtrack

from . import _core

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any, NoReturn

USAGE = """\
%rtrack summary [--experiment NAME]
%%rtrack run [--name NAME] [--experiment NAME]
%rtrack ui [--port N] [--host HOST] [--height PIXELS]
%rtrack ui --stop"""

# The server `%rtrack ui` started in this kernel, if any.
_ui_server: _core._UiServer | None = None


class _Arguments(argparse.ArgumentParser):
    """argparse that reports mistakes as IPython usage errors instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}\n\n{USAGE}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise UsageError(message or USAGE)


def _parser(command: str) -> argparse.ArgumentParser:
    parser = _Arguments(prog=f"%rtrack {command}", add_help=False)
    if command == "summary":
        parser.add_argument("--experiment")
    elif command == "run":
        parser.add_argument("--name")
        parser.add_argument("--experiment")
    elif command == "ui":
        parser.add_argument("--port", type=int, default=0)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--height", type=int, default=640)
        parser.add_argument("--stop", action="store_true")
    return parser


@magics_class
class RtrackMagics(Magics):
    """``%rtrack`` as a line magic (summary, ui) and a cell magic (run)."""

    @line_cell_magic
    def rtrack(self, line: str, cell: str | None = None) -> Any:
        words = shlex.split(line)
        if not words:
            raise UsageError(USAGE)
        command, rest = words[0], words[1:]
        if command not in ("summary", "run", "ui"):
            raise UsageError(f"Unknown %rtrack command '{command}'.\n\n{USAGE}")
        options = _parser(command).parse_args(rest)
        if command == "run":
            if cell is None:
                raise UsageError("%%rtrack run is a cell magic: put it on the first line of the cell.")
            return self._run(options, cell)
        if cell is not None:
            raise UsageError(f"%rtrack {command} is a line magic; only %%rtrack run takes a cell.")
        if command == "summary":
            display(rtrack.summary(options.experiment))
        else:
            self._ui(options)
        return None

    def _run(self, options: argparse.Namespace, cell: str) -> Any:
        experiment_id = None
        if options.experiment:
            experiment = rtrack.get_experiment_by_name(options.experiment)
            experiment_id = (
                experiment.experiment_id if experiment is not None else rtrack.create_experiment(options.experiment)
            )
        # Inside an active run the cell's run nests under it.
        nested = rtrack.active_run() is not None
        with rtrack.start_run(run_name=options.name, experiment_id=experiment_id, nested=nested):
            rtrack.log_text(cell, "cell.py")
            started = time.perf_counter()
            try:
                return self._execute(cell)
            finally:
                rtrack.log_metric("cell_wall_time_s", time.perf_counter() - started)

    def _execute(self, cell: str) -> Any:
        """Run the cell body in the user's namespace, like a cell of its own: magics in it
        work, and the value of a last bare expression is returned (so it is displayed)."""
        shell = self.shell
        assert shell is not None  # a registered magic always has its shell
        source = shell.transform_cell(cell)
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        # A cached name lets tracebacks show the lines of the cell.
        filename = shell.compile.cache(source)
        namespace = shell.user_ns
        exec(compile(tree, filename, "exec"), namespace)
        if last is None:
            return None
        return eval(compile(ast.Expression(last.value), filename, "eval"), namespace)

    def _ui(self, options: argparse.Namespace) -> None:
        global _ui_server
        if options.stop:
            if _ui_server is not None and _ui_server.running:
                _ui_server.stop()
                print(f"rtrack ui at {_ui_server.url} stopped.")
            else:
                print("rtrack ui is not running.")
            _ui_server = None
            return
        tracking_uri = rtrack.get_tracking_uri()
        colab_output = _colab_output()
        if tracking_uri.startswith(("http://", "https://")):
            print(f"Tracking to the server at {tracking_uri}.")
            _show(colab_output, tracking_uri, None, options.height)
            return
        reusable = _ui_server is not None and _ui_server.running and _ui_server.backend_store_uri == tracking_uri
        if not reusable:
            if _ui_server is not None:
                _ui_server.stop()
            ancestors, hosts, origins = _notebook_frames(colab_output is not None)
            _ui_server = _core._UiServer(
                tracking_uri,
                options.host,
                options.port,
                frame_ancestors=ancestors,
                allowed_hosts=hosts,
                cors_allowed_origins=origins,
            )
        assert _ui_server is not None  # reused, or just started
        # On Colab the kernel's address means nothing to the browser: name the port only.
        where = f"port {_ui_server.port} of this kernel" if colab_output is not None else _ui_server.url
        if reusable and options.port not in (0, _ui_server.port):
            print(f"rtrack ui is already running at {where}; use %rtrack ui --stop to move it.")
        elif reusable:
            print(f"rtrack ui is already running at {where}.")
        else:
            print(f"rtrack ui serving {tracking_uri} at {where}")
        _show(colab_output, _browser_url(_ui_server), _ui_server.port, options.height)


# Where Colab's notebook and its kernel port proxy live: the UI's frame sits in an output
# frame on googleusercontent.com (or colab.dev) inside colab.research.google.com.
_COLAB_ORIGINS = ["https://colab.research.google.com", "https://*.googleusercontent.com", "https://*.colab.dev"]
_COLAB_HOSTS = ["*.googleusercontent.com", "*.colab.dev"]


def _notebook_frames(colab: bool) -> tuple[list[str], list[str], list[str]]:
    """The origins allowed to frame the UI (CSP frame-ancestors sources), and the extra hosts
    and origins the server allows: this machine's notebook servers (any local port, plus the
    URLs of the Jupyter servers running here) and VS Code's notebook webviews; in Colab, its
    notebook and port proxy."""
    ancestors = ["http://localhost:*", "http://127.0.0.1:*", "https://localhost:*", "vscode-webview:"]
    for module in ("jupyter_server.serverapp", "notebook.notebookapp"):
        try:
            servers = importlib.import_module(module).list_running_servers()
            for info in servers:
                url = str(info.get("url", ""))
                scheme, _, rest = url.partition("://")
                if scheme in ("http", "https") and rest:
                    ancestors.append(f"{scheme}://{rest.split('/')[0]}")
        except Exception:  # noqa: S112 - no notebook server to ask; the local ports remain
            continue
    if colab:
        return ancestors + _COLAB_ORIGINS, list(_COLAB_HOSTS), list(_COLAB_ORIGINS)
    return list(dict.fromkeys(ancestors)), [], []


def _browser_url(server: _core._UiServer) -> str:
    """The server's address as a browser on this machine reaches it."""
    return server.url.replace("://0.0.0.0:", "://127.0.0.1:").replace("://[::]:", "://[::1]:")


def _colab_output() -> ModuleType | None:
    """Colab's ``google.colab.output`` module inside Colab, else None."""
    try:
        # By name, so type checkers do not look for it.
        return importlib.import_module("google.colab.output")
    except ImportError:
        return None


def _show(colab_output: Any, url: str, port: int | None, height: int) -> None:
    """The UI under the cell: in Colab through its kernel port proxy (the browser cannot
    reach the kernel's localhost there, and raw iframes are stripped), else an iframe."""
    if colab_output is not None and port is not None:
        proxied = colab_output.eval_js(f"google.colab.kernel.proxyPort({port})")
        print(f"Open it in a tab: {proxied}")
        colab_output.serve_kernel_port_as_iframe(port, height=str(height))
    else:
        display(IFrame(url, width="100%", height=height))


def load(shell: Any) -> None:
    shell.register_magics(RtrackMagics)
