"""Fashion-MNIST: where its files come from (Keras cache, Debian, download), their checks, and the real data.

No test goes online: ``download_host_reachable`` is replaced, and Keras' ``get_file`` is a fake that
writes small IDX files, so the Keras download path runs without importing TensorFlow. The fakes are
tiny gzipped IDX files with their own SHA-256 put into ``FASHION_SHA256``; one test reads Debian's
real files.
"""

import ast
import gzip
import hashlib
import importlib.util
import struct
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from course_utils import data

TRAIN, TEST = 20, 10


def _idx_files(train: int = TRAIN, test: int = TEST) -> dict[str, bytes]:
    """The four gzipped IDX files (as Keras and Debian ship them), with reproducible bytes."""
    rng = np.random.default_rng(0)
    contents = {}
    for prefix, count in (("train", train), ("t10k", test)):
        images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        images[0, 0, 0], images[0, 0, 1] = 0, 255  # the whole pixel range
        labels = (np.arange(count) % 10).astype(np.uint8)
        image_header = struct.pack(">IIII", 2051, count, 28, 28)
        label_header = struct.pack(">II", 2049, count)
        contents[f"{prefix}-images-idx3-ubyte.gz"] = gzip.compress(image_header + images.tobytes(), mtime=0)
        contents[f"{prefix}-labels-idx1-ubyte.gz"] = gzip.compress(label_header + labels.tobytes(), mtime=0)
    return contents


FAKE = _idx_files()


def _write(folder: Path, names=data.FASHION_FILES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(FAKE[name])
    return folder


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """An empty Keras home and an empty Debian folder; the fakes' SHA-256 are the published ones; offline."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setattr(data, "FASHION_SHA256", {name: hashlib.sha256(FAKE[name]).hexdigest() for name in FAKE})
    monkeypatch.setattr(data, "download_host_reachable", lambda timeout=3.0: False)
    return types.SimpleNamespace(keras=data.keras_fashion_dir(), debian=tmp_path / "debian")


@pytest.fixture
def get_file(monkeypatch):
    """Keras' ``get_file``, faked: records each call and writes the file where Keras would."""
    calls = []

    def fake_get_file(fname, origin, file_hash, cache_dir, cache_subdir):
        calls.append(dict(fname=fname, origin=origin, file_hash=file_hash, cache_dir=cache_dir, subdir=cache_subdir))
        target = Path(cache_dir) / cache_subdir / fname
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(FAKE[fname])
        return str(target)

    fake_keras = types.SimpleNamespace(utils=types.SimpleNamespace(get_file=fake_get_file))
    monkeypatch.setitem(sys.modules, "course_utils.backend", types.SimpleNamespace(keras=fake_keras))
    return calls


def _load(folders, **kwargs):
    return data.load_fashion_mnist(verbose=False, debian_dir=folders.debian, **kwargs)


def _no_download(*args, **kwargs):
    pytest.fail("nothing may be downloaded here")


def test_keras_cache_comes_first(folders, monkeypatch):
    _write(folders.keras)
    _write(folders.debian)
    monkeypatch.setattr(data, "download_host_reachable", _no_download)
    loaded = _load(folders)
    assert loaded.source == "fashion" and not loaded.is_full_mnist
    assert loaded.reason == f"read from the Keras cache {folders.keras}"


def test_debian_comes_second(folders, monkeypatch):
    _write(folders.debian)
    monkeypatch.setattr(data, "download_host_reachable", _no_download)
    loaded = _load(folders)
    assert loaded.reason == f"read from {folders.debian} (Debian's dataset-fashion-mnist)"
    assert not folders.keras.exists(), "reading Debian's copy must not write into the Keras cache"


def test_a_partial_keras_cache_is_not_used_and_the_reason_says_so(folders, monkeypatch):
    _write(folders.keras, data.FASHION_FILES[:2])
    _write(folders.debian)
    monkeypatch.setattr(data, "download_host_reachable", _no_download)
    loaded = _load(folders)
    assert loaded.reason.startswith(f"read from {folders.debian} (Debian's dataset-fashion-mnist)")
    assert loaded.reason.endswith("; the Keras cache had only 2 of the 4 files")
    assert sorted(path.name for path in folders.keras.iterdir()) == sorted(data.FASHION_FILES[:2])
    assert all(len(line) <= data.DESCRIPTION_WIDTH for line in loaded.description.splitlines())


def test_download_comes_last_and_writes_into_the_keras_folder(folders, monkeypatch, get_file):
    monkeypatch.setattr(data, "download_host_reachable", lambda timeout=3.0: True)
    loaded = _load(folders)
    assert [call["fname"] for call in get_file] == list(data.FASHION_FILES)
    for call in get_file:
        assert call["file_hash"] == data.FASHION_SHA256[call["fname"]]
        assert call["origin"] == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/" + call["fname"]
        assert Path(call["cache_dir"]) / call["subdir"] == folders.keras
    assert sorted(path.name for path in folders.keras.iterdir()) == sorted(data.FASHION_FILES)
    assert loaded.reason == f"downloaded by Keras into {folders.keras}"
    assert loaded.x_train.shape == (TRAIN, 784)


def test_download_completes_a_partial_keras_cache_without_touching_its_files(folders, monkeypatch, get_file):
    _write(folders.keras, data.FASHION_FILES[:2])
    kept = {name: (folders.keras / name).stat().st_mtime_ns for name in data.FASHION_FILES[:2]}
    monkeypatch.setattr(data, "download_host_reachable", lambda timeout=3.0: True)
    loaded = _load(folders)
    assert [call["fname"] for call in get_file] == list(data.FASHION_FILES[2:])
    assert {name: (folders.keras / name).stat().st_mtime_ns for name in kept} == kept
    assert "(2 of the 4 files were already there)" in loaded.reason


def test_the_keras_functions_own_arguments_are_the_ones_passed():
    """The fake above stands for Keras' ``get_file``: its keywords must exist there (read, not imported)."""
    keras_folder = Path(importlib.util.find_spec("keras").origin).parent
    tree = ast.parse((keras_folder / "src" / "utils" / "file_utils.py").read_text())
    (function,) = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name == "get_file"]
    assert {"fname", "origin", "file_hash", "cache_dir", "cache_subdir"} <= {argument.arg for argument in function.args.args}


@pytest.mark.parametrize("where", ["keras", "debian"])
def test_a_damaged_file_is_named_left_in_place_and_nothing_else_is_used(folders, get_file, monkeypatch, where):
    _write(folders.keras if where == "keras" else folders.keras.parent / "unused")
    _write(folders.debian)
    damaged = getattr(folders, where) / "t10k-labels-idx1-ubyte.gz"
    content = damaged.read_bytes()[:-3]
    damaged.write_bytes(content)
    monkeypatch.setattr(data, "download_host_reachable", lambda timeout=3.0: True)
    with pytest.raises(data.CorruptCacheError) as caught:
        _load(folders)
    message = str(caught.value)
    assert str(damaged) in message and "damaged or truncated" in message and "left in place" in message
    assert ("delete or move it" if where == "keras" else "apt-get install --reinstall dataset-fashion-mnist") in message
    assert damaged.read_bytes() == content, "the user's file must not be deleted or changed"
    assert get_file == []


def test_a_damaged_file_in_a_partial_keras_cache_is_not_downloaded_over(folders, monkeypatch, get_file):
    _write(folders.keras, data.FASHION_FILES[:1])
    damaged = folders.keras / data.FASHION_FILES[0]
    damaged.write_bytes(b"not gzip")
    monkeypatch.setattr(data, "download_host_reachable", lambda timeout=3.0: True)
    with pytest.raises(data.CorruptCacheError, match="train-images-idx3-ubyte.gz"):
        _load(folders)
    assert damaged.read_bytes() == b"not gzip" and get_file == []


def test_nothing_available_offline_says_how_to_get_it(folders, get_file):
    _write(folders.debian, data.FASHION_FILES[1:])  # a broken install counts as none
    with pytest.raises(data.DataUnavailableError) as caught:
        _load(folders)
    message = str(caught.value)
    assert "sudo apt-get install dataset-fashion-mnist" in message and "internet" in message
    assert str(folders.keras) in message and get_file == []
    assert isinstance(caught.value, RuntimeError)


def test_a_failed_download_is_a_clear_error(folders, monkeypatch):
    def failing_get_file(**kwargs):
        raise ValueError("Incomplete or corrupted file detected")

    fake_keras = types.SimpleNamespace(utils=types.SimpleNamespace(get_file=failing_get_file))
    monkeypatch.setitem(sys.modules, "course_utils.backend", types.SimpleNamespace(keras=fake_keras))
    monkeypatch.setattr(data, "download_host_reachable", lambda timeout=3.0: True)
    with pytest.raises(data.DataUnavailableError, match="Incomplete or corrupted.*apt-get install dataset-fashion-mnist"):
        _load(folders)


def test_old_code_catching_mnist_errors_still_works():
    assert issubclass(data.MnistUnavailableError, data.DataUnavailableError)
    assert issubclass(data.CorruptCacheError, data.MnistUnavailableError)
    assert issubclass(data.DataUnavailableError, RuntimeError)


def test_images_are_flat_float32_in_the_unit_range_and_labels_int64(folders):
    _write(folders.debian)
    loaded = _load(folders)
    assert loaded.x_train.shape == (TRAIN, 784) and loaded.x_test.shape == (TEST, 784)
    assert loaded.x_train.dtype == np.float32 and loaded.y_train.dtype == np.int64
    assert loaded.x_train.min() == 0.0 and loaded.x_train.max() == 1.0
    raw = np.frombuffer(gzip.decompress(FAKE["train-images-idx3-ubyte.gz"]), np.uint8, offset=16)
    np.testing.assert_allclose(loaded.x_train.ravel(), raw / 255.0, rtol=1e-6)
    assert loaded.y_test.tolist() == [label % 10 for label in range(TEST)]


def test_verbose_prints_the_description(folders, capsys):
    _write(folders.debian)
    loaded = data.load_fashion_mnist(debian_dir=folders.debian)
    assert capsys.readouterr().out.strip() == loaded.description
    assert loaded.description.startswith("Data: Fashion-MNIST (Zalando, MIT licence), 20 train / 10 test images,")


def test_class_names():
    empty = np.zeros((1, 784), np.float32), np.zeros(1, np.int64)
    fashion = data.MnistData(*empty, *empty, source="fashion", reason="test")
    digits = data.MnistData(*empty, *empty, source="subset", reason="test")
    assert fashion.class_names == data.FASHION_CLASSES and len(data.FASHION_CLASSES) == 10
    assert fashion.class_names[0] == "T-shirt/top" and fashion.class_names[9] == "Ankle boot"
    assert digits.class_names == tuple("0123456789")


def test_keras_fashion_dir_follows_keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert data.keras_fashion_dir() == tmp_path / "datasets" / "fashion-mnist"


def test_load_dataset_dispatches_by_name(monkeypatch):
    calls = []
    monkeypatch.setattr(data, "load_mnist", lambda **kwargs: calls.append(("mnist", kwargs)) or "digits")
    monkeypatch.setattr(data, "load_fashion_mnist", lambda **kwargs: calls.append(("fashion", kwargs)) or "clothes")
    assert data.load_dataset("mnist", verbose=False) == "digits"
    assert data.load_dataset("fashion-mnist") == "clothes"
    assert calls == [("mnist", {"verbose": False}), ("fashion", {"verbose": True})]
    assert data.DATASETS == ("mnist", "fashion-mnist")


@pytest.mark.parametrize("bad", ["fashion", "cifar10", ""])
def test_load_dataset_refuses_an_unknown_name(bad):
    with pytest.raises(ValueError, match="use one of mnist, fashion-mnist"):
        data.load_dataset(bad)


def test_the_real_fashion_mnist_from_debian(tmp_path, monkeypatch):
    missing = [name for name in data.FASHION_FILES if not (data.DEBIAN_FASHION_DIR / name).is_file()]
    assert not missing, (
        f"{data.DEBIAN_FASHION_DIR} lacks {', '.join(missing)}: install Debian's package with "
        "`sudo apt-get install dataset-fashion-mnist` (CI installs it in .ci/run)."
    )
    monkeypatch.setattr(data, "download_host_reachable", _no_download)
    loaded = data.load_fashion_mnist(verbose=False, keras_dir=tmp_path / "no-keras-cache")
    assert loaded.x_train.shape == (60_000, 784) and loaded.x_test.shape == (10_000, 784)
    assert np.bincount(loaded.y_train).tolist() == [6_000] * 10
    assert np.bincount(loaded.y_test).tolist() == [1_000] * 10
    assert loaded.x_train.dtype == np.float32 and loaded.x_train.min() == 0.0 and loaded.x_train.max() == 1.0
    assert 0.0 <= loaded.x_test.min() and loaded.x_test.max() <= 1.0
    assert loaded.reason == f"read from {data.DEBIAN_FASHION_DIR} (Debian's dataset-fashion-mnist)"
    lines = loaded.description.splitlines()
    assert lines[0].startswith("Data: Fashion-MNIST (Zalando, MIT licence), 60,000 train / 10,000 test")
    assert 2 <= len(lines) <= 3 and all(len(line) <= data.DESCRIPTION_WIDTH for line in lines)


def test_flattening_uint8_images_gives_the_same_pixels_as_before():
    """``_flatten`` divides uint8 images in float32 (no float64 copy of 60,000 images): the values must not change."""
    every_value = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    np.testing.assert_array_equal(data._flatten(every_value), (every_value.reshape(1, -1) / 255.0).astype(np.float32))


@pytest.mark.parametrize(
    "reason",
    [
        "read from the Keras cache ~/.keras/datasets/fashion-mnist",
        "read from /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist); "
        "the Keras cache had only 2 of the 4 files",
        "downloaded by Keras into ~/.keras/datasets/fashion-mnist (2 of the 4 files were already there)",
    ],
)
def test_the_full_size_data_line_fits_the_books_code_blocks_in_three_lines(reason):
    train, test = np.zeros((60_000, 784), np.float32), np.zeros((10_000, 784), np.float32)
    loaded = data.MnistData(train, np.zeros(60_000, np.int64), test, np.zeros(10_000, np.int64), "fashion", reason)
    lines = loaded.description.splitlines()
    assert 2 <= len(lines) <= 3 and all(len(line) <= data.DESCRIPTION_WIDTH for line in lines)
