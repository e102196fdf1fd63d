"""Shared fixtures. TensorFlow's start-up noise is silenced before anything imports Keras."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
# The test suite is the reference run: the book's data, and a notebook statement that its run
# does not bear out fails the test (environment.claim).
os.environ["COURSE_MNIST_SOURCE"] = "subset"
os.environ["COURSE_REFERENCE_RUN"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.data import MnistData  # noqa: E402


@pytest.fixture(scope="session")
def offline_mnist() -> MnistData:
    """The offline subset, loaded once per test session."""
    from course_utils import data

    return data.load_offline_subset()


@pytest.fixture(scope="session")
def small_mnist(offline_mnist: MnistData) -> MnistData:
    """A 600/200 slice of the offline subset, for fast training tests."""
    return MnistData(
        offline_mnist.x_train[:600],
        offline_mnist.y_train[:600],
        offline_mnist.x_test[:200],
        offline_mnist.y_test[:200],
        "subset",
        "test slice",
    )


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator."""
    return np.random.default_rng(0)
