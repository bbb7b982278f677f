"""``rtrack.live``: a chart under the running cell that redraws while a loop logs.

The chart is drawn in Rust as inline SVG (``_core._LiveChart``), so it needs no server, no
iframe and no JavaScript, and the last drawing stays in the saved notebook. A background
thread refreshes it through an IPython display handle, at most every ``interval`` seconds
and only when new points arrived. Outside a notebook nothing is drawn and no thread runs.
``start_run(live=...)`` makes one of these for its run and stops it when the run's block ends.
"""

from __future__ import annotations

import sys

from . import _core

TYPE_CHECKING = False
if TYPE_CHECKING:
    import threading
    from collections.abc import Sequence
    from types import TracebackType
    from typing import Any, Literal


def _notebook_shell() -> Any:
    """The running IPython shell if it can show rich output, else None. IPython is never
    imported here: a process that has not loaded it is not a notebook."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return None
    from IPython.core.displaypub import DisplayPublisher

    # The terminal's publisher prints every update as text: no live chart there.
    if type(shell.display_pub) is DisplayPublisher:
        return None
    return shell


class Live:
    """A live chart of the active run's metrics (see :func:`live`). Use it as a context
    manager, or call :meth:`stop`; a chart made by a plain call stops after its cell, one
    made by ``start_run(live=...)`` when the run's ``with`` block ends (or after its cell)."""

    def __init__(
        self, keys: str | Sequence[str] | None = None, interval: float = 0.25, run_id: str | None = None
    ) -> None:
        import threading  # here rather than at import: it would add milliseconds to `import rtrack`

        if isinstance(keys, str):
            keys = [keys]
        self.keys: list[str] | None = list(keys) if keys is not None else None
        self.interval = float(interval)
        self.run_id = run_id
        self.error: Exception | None = None
        self._chart = _core._LiveChart(self.keys)
        self._shell = _notebook_shell()
        self._stopped = threading.Event()
        self._handle: Any = None
        self._thread: threading.Thread | None = None
        if self._shell is not None:
            self._start()

    @property
    def active(self) -> bool:
        """True while the chart is being redrawn."""
        return self._thread is not None and self._thread.is_alive()

    def _start(self) -> None:
        import threading

        from IPython.display import display

        self._refresh()
        self._handle = display(self._chart, display_id=True)
        self._shell.events.register("post_run_cell", self._after_cell)
        self._thread = threading.Thread(target=self._redraw_until_stopped, name="rtrack-live", daemon=True)
        self._thread.start()

    def _refresh(self) -> bool:
        """Read new points; False (and the error kept) when the store cannot be read."""
        try:
            return self._chart.refresh(self.run_id)
        except Exception as error:  # a deleted run or a vanished store ends the chart quietly
            self.error = error
            self._stopped.set()
            return False

    def _redraw_until_stopped(self) -> None:
        while not self._stopped.wait(self.interval):
            if self._refresh():
                self._handle.update(self._chart)

    def _after_cell(self, result: object = None) -> None:
        self.stop()

    def stop(self) -> None:
        """Draw the last points and stop redrawing. Stopping twice is fine."""
        if self._thread is None:
            return
        self._stopped.set()
        self._thread.join()
        self._thread = None
        if self.error is None and self._refresh():
            self._handle.update(self._chart)
        try:
            self._shell.events.unregister("post_run_cell", self._after_cell)
        except ValueError:  # already unregistered
            pass

    def points(self, key: str) -> int:
        """How many points of ``key`` the chart has read."""
        return self._chart.points(key)

    def __enter__(self) -> Live:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> Literal[False]:
        self.stop()
        return False

    def __repr__(self) -> str:
        state = "live" if self.active else "stopped"
        return f"<rtrack.Live {', '.join(self.keys or ['every metric'])} ({state})>"


def live(keys: str | Sequence[str] | None = None, *, interval: float = 0.25, run_id: str | None = None) -> Live:
    """Draw the active run's metrics under the running cell and redraw them as they are
    logged, a few times a second at most. ``keys`` names the metrics (all of the run's when
    None); ``run_id`` follows that run instead of the active one. Works in Jupyter, Colab
    and VS Code with no server; outside a notebook it does nothing.

    >>> with rtrack.start_run(), rtrack.live(["loss", "val_loss"]):
    ...     for epoch in range(100):
    ...         rtrack.log_metrics({"loss": 1 / (epoch + 1), "val_loss": 1.2 / (epoch + 1)}, step=epoch)
    """
    return Live(keys, interval=interval, run_id=run_id)
