"""Shared fixtures. Importing course_utils sets TensorFlow's logging variables before anything loads Keras."""

import os

import numpy as np
import pytest

from course_utils.data import MnistData

# The test suite is the reference run: the book's data, and a notebook statement that its run
# does not bear out fails the test (environment.claim).
os.environ["COURSE_MNIST_SOURCE"] = "subset"
os.environ["COURSE_REFERENCE_RUN"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")


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
