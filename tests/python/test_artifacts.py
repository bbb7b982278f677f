"""Artifacts: files, folders, text, dicts, images, tables, listing, downloading, and paths
that try to leave the run's artifact folder."""

import io
import json
import os

import numpy as np
import pytest
import yaml
from PIL import Image

import rtrack
from helpers import artifact_dir, file_tree, uri_to_path


@pytest.fixture
def run_id(store):
    with rtrack.start_run() as run:
        yield run.info.run_id


def test_get_artifact_uri(run_id):
    root = rtrack.get_artifact_uri()
    assert root == rtrack.get_run(run_id).info.artifact_uri
    assert root.startswith("file://")
    assert root.endswith(f"{run_id}/artifacts")
    assert rtrack.get_artifact_uri("plots/a.png") == root + "/plots/a.png"
    assert rtrack.Client().get_artifact_uri(run_id, "x.txt") == root + "/x.txt"
    with pytest.raises(rtrack.InvalidValueError):
        rtrack.get_artifact_uri("../x")


def test_log_artifact_file_and_into_a_folder(run_id, tmp_path):
    source = tmp_path / "model.bin"
    source.write_bytes(b"\x00\x01weights")
    rtrack.log_artifact(str(source))
    rtrack.log_artifact(source, artifact_path="models/v1")
    root = artifact_dir(run_id)
    assert (root / "model.bin").read_bytes() == b"\x00\x01weights"
    assert (root / "models" / "v1" / "model.bin").read_bytes() == b"\x00\x01weights"


def test_log_artifact_missing_file(run_id, tmp_path):
    with pytest.raises(rtrack.NotFoundError, match="absent.txt"):
        rtrack.log_artifact(str(tmp_path / "absent.txt"))


def test_log_artifacts_folder(run_id, tmp_path):
    source = tmp_path / "out"
    (source / "sub").mkdir(parents=True)
    (source / "a.txt").write_text("A")
    (source / "sub" / "b.txt").write_text("B")
    rtrack.log_artifacts(str(source))
    rtrack.log_artifacts(str(source), artifact_path="copy")
    root = artifact_dir(run_id)
    assert (root / "a.txt").read_text() == "A"
    assert (root / "sub" / "b.txt").read_text() == "B"
    assert (root / "copy" / "sub" / "b.txt").read_text() == "B"


def test_log_text(run_id):
    rtrack.log_text("héllo\nworld", "notes/readme.txt")
    assert (artifact_dir(run_id) / "notes" / "readme.txt").read_text(encoding="utf-8") == "héllo\nworld"


def test_log_dict_json_and_yaml(run_id):
    value = {"alpha": 0.5, "layers": [1, 2, 3], "name": "enet", "nested": {"ok": True, "none": None}}
    rtrack.log_dict(value, "config.json")
    rtrack.log_dict(value, "config.yaml")
    rtrack.log_dict(value, "conf/config.yml")
    root = artifact_dir(run_id)
    assert json.loads((root / "config.json").read_text()) == value
    assert yaml.safe_load((root / "config.yaml").read_text()) == value
    assert yaml.safe_load((root / "conf" / "config.yml").read_text()) == value


def test_log_dict_yaml_tricky_strings(run_id):
    value = {"yes": "yes", "num": "123", "colon": "a: b", "empty": "", "multi": "l1\nl2", "key with space": 1}
    rtrack.log_dict(value, "tricky.yaml")
    assert yaml.safe_load((artifact_dir(run_id) / "tricky.yaml").read_text()) == value


def test_log_dict_refuses_unserializable(run_id):
    with pytest.raises(rtrack.InvalidValueError, match="object"):
        rtrack.log_dict({"x": object()}, "bad.json")
    assert not (artifact_dir(run_id) / "bad.json").exists()


def _png(run_id, name):
    data = (artifact_dir(run_id) / name).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data))


def test_log_image_gray_rgb_rgba_uint8(run_id):
    rng = np.random.default_rng(1)
    gray = rng.integers(0, 256, size=(7, 5), dtype=np.uint8)
    rgb = rng.integers(0, 256, size=(4, 6, 3), dtype=np.uint8)
    rgba = rng.integers(0, 256, size=(3, 2, 4), dtype=np.uint8)
    rtrack.log_image(gray, "gray.png")
    rtrack.log_image(rgb, "img/rgb.png")
    rtrack.log_image(rgba, "rgba.png")
    img = _png(run_id, "gray.png")
    assert img.mode == "L" and img.size == (5, 7)
    np.testing.assert_array_equal(np.asarray(img), gray)
    img = _png(run_id, "img/rgb.png")
    assert img.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(img), rgb)
    img = _png(run_id, "rgba.png")
    assert img.mode == "RGBA"
    np.testing.assert_array_equal(np.asarray(img), rgba)


def test_log_image_float_in_unit_range(run_id):
    values = np.array([[0.0, 0.5], [0.25, 1.0]])
    rtrack.log_image(values, "float.png")
    np.testing.assert_array_equal(np.asarray(_png(run_id, "float.png")), (values * 255).astype(np.uint8))


def test_log_image_float_out_of_range_is_refused(run_id):
    with pytest.raises(rtrack.InvalidValueError, match=r"\[0, 1\]"):
        rtrack.log_image(np.array([[0.0, 1.5]]), "bad.png")
    with pytest.raises(rtrack.InvalidValueError):
        rtrack.log_image(np.zeros((2, 2, 5), dtype=np.uint8), "bad.png")
    assert not (artifact_dir(run_id) / "bad.png").exists()


def test_log_image_pil(run_id):
    pil = Image.new("RGB", (3, 2), color=(10, 20, 30))
    pil.putpixel((2, 1), (200, 100, 0))
    rtrack.log_image(pil, "pil.png")
    np.testing.assert_array_equal(np.asarray(_png(run_id, "pil.png")), np.asarray(pil))
    palette = Image.new("P", (2, 2))
    rtrack.log_image(palette, "palette.png")
    np.testing.assert_array_equal(np.asarray(_png(run_id, "palette.png")), np.asarray(palette.convert("RGBA")))


def test_log_table_dict_and_dataframe(run_id):
    pd = pytest.importorskip("pandas")
    rtrack.log_table({"name": ["a", "b"], "score": [0.5, None]}, "tables/t.json")
    table = json.loads((artifact_dir(run_id) / "tables" / "t.json").read_text())
    assert table == {"columns": ["name", "score"], "data": [["a", 0.5], ["b", None]]}

    frame = pd.DataFrame({"x": np.arange(3), "y": [0.1, 0.2, 0.3], "z": ["p", "q", "r"]})
    rtrack.log_table(frame, "frame.json")
    table = json.loads((artifact_dir(run_id) / "frame.json").read_text())
    assert table["columns"] == ["x", "y", "z"]
    assert table["data"] == [[0, 0.1, "p"], [1, 0.2, "q"], [2, 0.3, "r"]]
    # pandas reads it back as MLflow's split layout.
    back = pd.read_json(io.StringIO(json.dumps(table)), orient="split")
    assert list(back["z"]) == ["p", "q", "r"]


def test_log_table_refuses_bad_input(run_id):
    with pytest.raises(rtrack.InvalidValueError, match="json"):
        rtrack.log_table({"a": [1]}, "t.csv")
    with pytest.raises(rtrack.InvalidValueError, match="'b'"):
        rtrack.log_table({"a": [1, 2], "b": [1]}, "ragged.json")
    with pytest.raises(rtrack.InvalidValueError):
        rtrack.log_table([1, 2, 3], "list.json")
    assert not (artifact_dir(run_id) / "ragged.json").exists()


def test_list_artifacts_as_mlflow_gives_them(run_id, tmp_path):
    rtrack.log_text("read me", "notes/readme.txt")
    rtrack.log_text("x" * 10, "top.txt")
    client = rtrack.Client()
    top = client.list_artifacts(run_id)
    assert all(isinstance(f, rtrack.FileInfo) for f in top)
    assert [(f.path, f.is_dir, f.file_size) for f in top] == [("notes", True, None), ("top.txt", False, 10)]
    inner = client.list_artifacts(run_id, "notes")
    assert [(f.path, f.is_dir, f.file_size) for f in inner] == [("notes/readme.txt", False, 7)]
    assert client.list_artifacts(run_id, "missing") == []
    # The module-level function lists the active run.
    assert [f.path for f in rtrack.list_artifacts()] == ["notes", "top.txt"]
    assert [f.path for f in rtrack.list_artifacts(run_id, "notes")] == ["notes/readme.txt"]


def test_list_artifacts_of_a_run_without_any(run_id):
    assert rtrack.Client().list_artifacts(run_id) == []


def test_download_artifacts(run_id, tmp_path):
    rtrack.log_text("read me", "notes/readme.txt")
    rtrack.log_text("deep", "notes/sub/deep.txt")
    client = rtrack.Client()
    dst = tmp_path / "dl"
    dst.mkdir()
    local = client.download_artifacts(run_id, "notes/readme.txt", str(dst))
    assert local == str(dst / "notes" / "readme.txt")
    assert open(local).read() == "read me"
    folder = client.download_artifacts(run_id, "notes", str(tmp_path / "dl"))
    assert os.path.isdir(folder)
    assert open(os.path.join(folder, "sub", "deep.txt")).read() == "deep"
    # Without a destination: a new temporary folder.
    temp = client.download_artifacts(run_id, "notes/readme.txt")
    assert open(temp).read() == "read me"
    with pytest.raises(rtrack.NotFoundError, match="nothing.txt"):
        client.download_artifacts(run_id, "nothing.txt", str(dst))


# ----- paths that would leave the artifact folder -----

ESCAPES = ["../evil.txt", "../../evil.txt", "a/../../evil.txt", "/tmp/evil.txt", "/evil.txt"]


@pytest.mark.parametrize("name", ESCAPES)
def test_log_text_refuses_escapes(run_id, tmp_path, name):
    before = file_tree(tmp_path)
    with pytest.raises(rtrack.RtrackError):
        rtrack.log_text("evil", name)
    assert file_tree(tmp_path) == before
    assert not os.path.exists("/tmp/evil.txt") or open("/tmp/evil.txt").read() != "evil"


@pytest.mark.parametrize("artifact_path", ["..", "../x", "a/../../x", "/abs/dir"])
def test_log_artifact_refuses_escaping_folders(run_id, tmp_path, artifact_path):
    source = tmp_path / "src" / "f.txt"
    source.parent.mkdir()
    source.write_text("f")
    before = file_tree(tmp_path)
    with pytest.raises(rtrack.RtrackError):
        rtrack.log_artifact(str(source), artifact_path=artifact_path)
    with pytest.raises(rtrack.RtrackError):
        rtrack.log_artifacts(str(source.parent), artifact_path=artifact_path)
    assert file_tree(tmp_path) == before
    assert not os.path.exists("/abs")


def test_log_dict_image_table_refuse_escapes(run_id, tmp_path):
    before = file_tree(tmp_path)
    with pytest.raises(rtrack.RtrackError):
        rtrack.log_dict({"a": 1}, "../d.json")
    with pytest.raises(rtrack.RtrackError):
        rtrack.log_image(np.zeros((2, 2), dtype=np.uint8), "../i.png")
    with pytest.raises(rtrack.RtrackError):
        rtrack.log_table({"a": [1]}, "../t.json")
    assert file_tree(tmp_path) == before


def test_symlink_out_of_the_artifact_folder_is_refused(run_id, tmp_path):
    rtrack.log_text("inside", "keep.txt")
    root = artifact_dir(run_id)
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, root / "link")
    source = tmp_path / "payload.txt"
    source.write_text("payload")
    folder = tmp_path / "payload_dir"
    folder.mkdir()
    (folder / "p.txt").write_text("p")

    with pytest.raises(rtrack.RtrackError, match="link"):
        rtrack.log_text("evil", "link/evil.txt")
    with pytest.raises(rtrack.RtrackError):
        rtrack.log_artifact(str(source), artifact_path="link")
    with pytest.raises(rtrack.RtrackError):
        rtrack.log_artifacts(str(folder), artifact_path="link/sub")
    with pytest.raises(rtrack.RtrackError):
        rtrack.log_image(np.zeros((2, 2), dtype=np.uint8), "link/i.png")
    assert list(outside.iterdir()) == []

    # Reading through the link is refused too.
    (outside / "secret.txt").write_text("secret")
    client = rtrack.Client()
    dst = tmp_path / "dst"
    dst.mkdir()
    with pytest.raises(rtrack.RtrackError):
        client.download_artifacts(run_id, "link/secret.txt", str(dst))
    assert list(dst.iterdir()) == []
    with pytest.raises(rtrack.RtrackError):
        client.list_artifacts(run_id, "link")
    assert [f.path for f in client.list_artifacts(run_id)] == ["keep.txt"]


def test_symlinked_file_pointing_outside_is_not_overwritten(run_id, tmp_path):
    rtrack.log_text("x", "placeholder.txt")
    root = artifact_dir(run_id)
    target = tmp_path / "victim.txt"
    target.write_text("original")
    os.symlink(target, root / "victim.txt")
    try:
        rtrack.log_text("overwritten", "victim.txt")
    except rtrack.RtrackError:
        pass
    assert target.read_text() == "original"


def test_each_run_has_its_own_artifact_folder(store):
    with rtrack.start_run() as a:
        rtrack.log_text("a", "same.txt")
    with rtrack.start_run() as b:
        rtrack.log_text("b", "same.txt")
    assert (artifact_dir(a.info.run_id) / "same.txt").read_text() == "a"
    assert (artifact_dir(b.info.run_id) / "same.txt").read_text() == "b"
    assert uri_to_path(a.info.artifact_uri) != uri_to_path(b.info.artifact_uri)


def test_file_and_folder_mix_ups_point_to_the_right_verb(run_id, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    single = tmp_path / "single.txt"
    single.write_text("s")
    with pytest.raises(rtrack.InvalidValueError, match="log_artifacts"):
        rtrack.log_artifact(str(folder))
    with pytest.raises(rtrack.InvalidValueError, match=r"log_artifact\b"):
        rtrack.log_artifacts(str(single))
    assert rtrack.Client().list_artifacts(run_id) == []


def test_log_image_one_and_two_channels_and_bool(run_id):
    one = np.arange(6, dtype=np.uint8).reshape(2, 3, 1)
    two = np.stack([np.full((2, 2), 10, np.uint8), np.full((2, 2), 200, np.uint8)], axis=-1)
    mask = np.array([[True, False], [False, True]])
    rtrack.log_image(one, "one.png")
    rtrack.log_image(two, "two.png")
    rtrack.log_image(mask, "mask.png")
    np.testing.assert_array_equal(np.asarray(_png(run_id, "one.png")), one[:, :, 0])
    img = _png(run_id, "two.png")
    assert img.mode == "LA"
    np.testing.assert_array_equal(np.asarray(img), two)
    np.testing.assert_array_equal(np.asarray(_png(run_id, "mask.png")), mask.astype(np.uint8) * 255)


def test_logging_the_same_file_again_replaces_it(run_id):
    rtrack.log_text("first", "same.txt")
    rtrack.log_text("second", "same.txt")
    assert (artifact_dir(run_id) / "same.txt").read_text() == "second"
    assert [f.path for f in rtrack.Client().list_artifacts(run_id)] == ["same.txt"]
