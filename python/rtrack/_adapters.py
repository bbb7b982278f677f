"""Turn numpy arrays, PIL images and DataFrames into what the Rust core takes.
numpy is imported only when one of these is called."""

from ._core import InvalidValueError


def image_pixels(image):
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


def table_columns(data):
    """A dict of column name -> list of cells, from a dict or a pandas DataFrame."""
    if hasattr(data, "columns") and hasattr(data, "to_dict"):
        return {str(name): data[name].tolist() for name in data.columns}
    if isinstance(data, dict):
        return data
    raise InvalidValueError(f"log_table expects a dict of columns or a pandas DataFrame, got {type(data).__name__}")


def check_table_file(artifact_file):
    if not str(artifact_file).endswith(".json"):
        raise InvalidValueError(f"log_table: artifact_file '{artifact_file}' must end with .json")
