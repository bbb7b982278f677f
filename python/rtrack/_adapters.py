"""Turn numpy arrays, PIL images and DataFrames into what the Rust core takes.
numpy is imported only when one of these is called.

The functions here check at run time what they were given, so they take ``Any``; the
aliases below type the public functions that hand their arguments on to them."""

from __future__ import annotations

from ._core import InvalidValueError, RtrackError

# The typing module is not imported at run time: it would add to `import rtrack`.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any, overload

    import numpy as np
    import numpy.typing as npt
    import pandas as pd
    from PIL import Image

    #: A numpy array (H, W[, 1|2|3|4]) or a PIL image.
    ImageLike = npt.NDArray[Any] | Image.Image
    #: A dict of columns or a DataFrame.
    TableLike = Mapping[str, Sequence[Any]] | pd.DataFrame
    #: Class labels (all integers or all strings): a list, a numpy array or a pandas Series.
    Labels = npt.ArrayLike | pd.Series
    #: Numbers: a list, a numpy array (any numeric dtype) or a pandas Series.
    Numbers = npt.ArrayLike | pd.Series
    #: The Arrow buffers of a text column: offsets, data, validity bitmap or None, missing count.
    TextBuffers = tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], npt.NDArray[np.uint8] | None, int]


def image_pixels(image: Any) -> tuple[bytes, int, int, int]:
    """``(bytes, height, width, channels)`` of 8-bit pixels from a numpy array or PIL image.

    Float images must lie in [0, 1] and are scaled to 0..255 as MLflow does; integer images
    must lie in 0..255.
    """
    import numpy as np

    if hasattr(image, "mode") and hasattr(image, "getdata"):  # a PIL image
        if image.mode not in ("L", "LA", "RGB", "RGBA"):
            image = image.convert("RGBA")
        array = np.asarray(image)
    else:
        array = np.asarray(image)
    if array.ndim == 2:
        array = array[:, :, np.newaxis]
    if array.ndim != 3 or array.shape[2] not in (1, 2, 3, 4):
        raise InvalidValueError(
            f"log_image expects an image of shape (H, W) or (H, W, 1|2|3|4), got shape {array.shape}"
        )
    if array.dtype == np.bool_:
        array = array.astype(np.uint8) * 255
    elif array.dtype.kind == "f":
        if array.size and (np.nanmin(array) < 0 or np.nanmax(array) > 1 or np.isnan(array).any()):
            raise InvalidValueError("log_image: a float image must have every value in [0, 1]")
        array = (array * 255).astype(np.uint8)
    elif array.dtype.kind in "iu":
        if array.size and (array.min() < 0 or array.max() > 255):
            raise InvalidValueError("log_image: an integer image must have every value in 0..255")
        array = array.astype(np.uint8)
    else:
        raise InvalidValueError(f"log_image: unsupported pixel type {array.dtype}")
    height, width, channels = array.shape
    return np.ascontiguousarray(array).tobytes(), height, width, channels


def table_columns(data: Any) -> Mapping[str, Sequence[Any]]:
    """A dict of column name -> list of cells, from a dict or a pandas DataFrame."""
    if hasattr(data, "columns") and hasattr(data, "to_dict"):
        return {str(name): data[name].tolist() for name in data.columns}
    if isinstance(data, dict):
        return data
    raise InvalidValueError(f"log_table expects a dict of columns or a pandas DataFrame, got {type(data).__name__}")


def check_table_file(artifact_file: str) -> None:
    if not str(artifact_file).endswith(".json"):
        raise InvalidValueError(f"log_table: artifact_file '{artifact_file}' must end with .json")


def labels(values: Any) -> Any:
    """Class labels as a plain list (the core reads integers or strings) from a list, a numpy
    array or a pandas Series."""
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    if hasattr(values, "tolist"):
        values = values.tolist()
    return values


def floats(values: Any) -> Sequence[float] | npt.NDArray[np.float64]:
    """Numbers as a list or a contiguous float64 numpy array, the two forms the core reads
    without copying element by element. numpy is imported only for array-like input."""
    if isinstance(values, (list, tuple, range)):
        return values
    import numpy as np

    return np.ascontiguousarray(values, dtype=np.float64)


if TYPE_CHECKING:

    @overload
    def scores(values: None) -> None: ...

    @overload
    def scores(values: Any) -> npt.NDArray[np.float64]: ...


def scores(values: Any) -> npt.NDArray[np.float64] | None:
    """Classifier scores as a float64 numpy array: one per sample, or one column per class."""
    if values is None:
        return None
    import numpy as np

    array = np.ascontiguousarray(values, dtype=np.float64)
    if array.ndim not in (1, 2):
        raise InvalidValueError(
            f"y_score must be 1-d (one score per sample) or 2-d (one column per class), got shape {array.shape}"
        )
    return array


def figure_json(figure: Any) -> str:
    """Plotly's JSON of a ``plotly.graph_objects.Figure`` (or of a figure dict)."""
    if hasattr(figure, "to_plotly_json") and hasattr(figure, "to_json"):
        text: str = figure.to_json()
        return text
    if isinstance(figure, dict):
        import json

        return json.dumps(figure)
    raise InvalidValueError(f"log_figure expects a plotly Figure, got {type(figure).__name__}")


def figure_image(figure: Any, image_format: str) -> bytes:
    """The figure rendered as an image by plotly's kaleido engine, which must be installed."""
    import importlib.util

    if importlib.util.find_spec("kaleido") is None:
        raise RtrackError(
            f"log_figure: writing a .{image_format} image needs the kaleido package "
            "(pip install kaleido); store the figure as .html or .json instead"
        )
    if not hasattr(figure, "to_image"):
        raise InvalidValueError(f"log_figure expects a plotly Figure, got {type(figure).__name__}")
    image: bytes = figure.to_image(format=image_format)
    return image


def runs_frame(columns: dict[str, Any]) -> pd.DataFrame:
    """The ``search_runs`` DataFrame from the columns the core gives
    (``Client._search_runs_columns``): times relabelled as UTC datetimes; text columns come
    as lists, or as Arrow buffers wrapped as the text arrays pandas itself would make (see
    ``arrow_text_columns``)."""
    import pandas as pd

    # The times come as int64 microseconds laid out like datetime64[us] (NaT included):
    # relabelling them is much cheaper than pd.to_datetime, and gives the same dtype.
    utc = pd.DatetimeTZDtype("us", "UTC")
    for column in ("start_time", "end_time"):
        columns[column] = pd.array(columns[column].view("datetime64[us]"), dtype=utc)
    text = arrow_text_columns()
    if text is not None:
        for key, values in columns.items():
            if isinstance(values, tuple):
                columns[key] = text(values)
    # Every column was made for this frame alone, so pandas need not copy it.
    return pd.DataFrame(columns, copy=False)


# [the function arrow_text_columns found, or None], once per process
_ARROW_TEXT: list[Callable[[TextBuffers], Any] | None] = []


def arrow_text_columns() -> Callable[[TextBuffers], Any] | None:
    """A function turning the core's Arrow buffers of a text column (offsets, data, validity
    bitmap or None, missing count) into pandas' default text array, without a Python object
    per value; or None where that would not give exactly what pandas makes from a list of
    str/None: no pyarrow, or a pandas that keeps text elsewhere. Then the core sends lists."""
    if not _ARROW_TEXT:
        _ARROW_TEXT.append(_probe_arrow_text())
    return _ARROW_TEXT[0]


def _probe_arrow_text() -> Callable[[TextBuffers], Any] | None:
    try:
        import numpy as np
        import pandas as pd
        import pyarrow as pa  # type: ignore[import-untyped]

        sample = ["a", None, "é"]
        expected = pd.Series(sample)
        dtype = expected.dtype

        def text(buffers: TextBuffers) -> Any:
            offsets, data, validity, missing = buffers
            array = pa.LargeStringArray.from_buffers(
                len(offsets) - 1,
                pa.py_buffer(offsets),
                pa.py_buffer(data),
                None if validity is None else pa.py_buffer(validity),
                missing,
            )
            # pandas-stubs do not know the dtype argument yet.
            return pd.arrays.ArrowStringArray(pa.chunked_array([array]), dtype=dtype)  # type: ignore[call-arg]

        # The sample in the layout the core sends: value i is data[offsets[i]:offsets[i + 1]],
        # present where bit i of the validity bitmap is set.
        buffers = (
            np.array([0, 1, 1, 3], dtype=np.int64),
            np.frombuffer("aé".encode(), dtype=np.uint8),
            np.array([0b101], dtype=np.uint8),
            1,
        )
        made = pd.Series(text(buffers))
        return text if made.dtype == dtype and made.equals(expected) else None
    except Exception:  # noqa: BLE001 - any failure just means: let pandas infer the columns
        return None
