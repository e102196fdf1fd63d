"""The online path, tested without the network: a Keras-format MNIST file in a temporary KERAS_HOME.

The file holds other images than the course's subset (its digits shifted by a pixel), so a test
can tell which images a run used, and ``data.KERAS_MNIST_SHA256`` is pointed at it.
"""

import hashlib
import shutil

import numpy as np
import pytest

from course_utils import data, environment
from course_utils.maintain import notebooks

pytestmark = pytest.mark.slow


def _as_keras_images(flat: np.ndarray) -> np.ndarray:
    return np.rint(flat.reshape(-1, 28, 28) * 255).astype(np.uint8)


@pytest.fixture(scope="module")
def keras_mnist(tmp_path_factory, offline_mnist):
    """``(KERAS_HOME, SHA-256, arrays)`` of an 8,000/1,000 file of shifted course digits."""
    home = tmp_path_factory.mktemp("keras_home")
    path = home / "datasets" / "mnist.npz"
    path.parent.mkdir(parents=True)
    train = _as_keras_images(offline_mnist.x_train)
    arrays = {
        "x_train": np.concatenate([np.roll(train, 1, axis=2), np.roll(train, 1, axis=1)]),
        "y_train": np.concatenate([offline_mnist.y_train] * 2).astype(np.uint8),
        "x_test": np.roll(_as_keras_images(offline_mnist.x_test), 1, axis=2),
        "y_test": offline_mnist.y_test.astype(np.uint8),
    }
    np.savez(path, **arrays)
    return home, hashlib.sha256(path.read_bytes()).hexdigest(), arrays


@pytest.fixture
def online(keras_mnist, monkeypatch):
    """A student's machine with full MNIST in its Keras cache."""
    home, digest, arrays = keras_mnist
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.setattr(data, "KERAS_MNIST_SHA256", digest)
    monkeypatch.setattr(data, "download_host_reachable", lambda timeout=3.0: True)
    return arrays


def test_the_default_is_the_courses_subset_even_online(online, offline_mnist, monkeypatch):
    monkeypatch.delenv(data.SOURCE_VARIABLE)
    loaded = data.load_mnist(verbose=False)
    assert loaded.source == "subset"
    np.testing.assert_array_equal(loaded.x_train, offline_mnist.x_train)


def test_the_opt_in_returns_the_files_images(online, monkeypatch):
    monkeypatch.setenv(data.SOURCE_VARIABLE, "full")
    loaded = data.load_mnist(verbose=False)
    assert loaded.source == "full" and loaded.x_train.shape == (8_000, 784)
    np.testing.assert_array_equal(loaded.x_train, online["x_train"].reshape(8_000, 784) / np.float32(255))
    np.testing.assert_array_equal(loaded.y_test, online["y_test"])


# Notebook 2 runs again on JAX (pytest -m backend): a whole notebook on the other backend. Notebook 6
# does not: whether it trains its study there or shows the saved one depends on a timing estimate,
# which on JAX can come out under its two-minute limit and cost CI three minutes of training.
@pytest.mark.parametrize(
    "stem", [pytest.param("02_one_hidden_layer", marks=pytest.mark.backend), "06_measuring_latent_quality"]
)
def test_a_students_notebook_on_full_mnist_reaches_its_last_cell(stem, keras_mnist, tmp_path, monkeypatch):
    """Outside the reference run, statements the other data does not bear out are notes, not errors."""
    home, digest, _ = keras_mnist
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.setenv(data.SOURCE_VARIABLE, "full")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(environment.REFERENCE_RUN_VARIABLE)
    shutil.copytree(notebooks.NOTEBOOK_DIR / "results", tmp_path / "results")  # the repository's stay untouched
    shutil.copy(notebooks.NOTEBOOK_DIR / f"{stem}.py", tmp_path)
    trust_the_file = f"from course_utils import data\ndata.KERAS_MNIST_SHA256 = {digest!r}"
    executed = notebooks.run_elsewhere(tmp_path / f"{stem}.ipynb", tmp_path, first_cell=trust_the_file)
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert code[-1].execution_count == len(code), "every cell ran"
    printed = "".join(output.get("text", "") for cell in code for output in cell.outputs)
    assert "Data: full MNIST from Keras, 8,000 train / 1,000 test images" in printed
    assert "Traceback" not in printed and "ClaimError" not in printed
    if stem.startswith("06"):  # a new study is announced with its estimate: shown from the saved one, or trained
        shown_saved = "Showing the saved results of the book's run instead" in printed
        assert shown_saved or ("No saved study" in printed and "training 30 models, about" in printed)
