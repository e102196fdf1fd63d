"""Measures of latent quality that work for any encoder, including a PCA baseline."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness
from sklearn.metrics import confusion_matrix, mean_squared_error, silhouette_samples, silhouette_score
from sklearn.neighbors import KNeighborsClassifier

from course_utils.data import PIXELS, MnistData, check_images

if TYPE_CHECKING:
    from course_utils.models import Autoencoder

NEIGHBOURS = 5
# trustworthiness compares all pairs of points: cap the sample so full MNIST stays fast.
MAX_TRUSTWORTHINESS_POINTS = 2_000
SAMPLE_SEED = 0
CLIP = 1e-7
# A linear decoder such as PCA overshoots [0, 1] a little (by up to about 0.55 on MNIST) and the
# reconstruction metrics clip that; outputs further out are on another scale (0 to 255?) or diverged.
OVERSHOOT = 1.0

METRIC_DESCRIPTIONS: dict[str, str] = {
    "bce": "Binary cross-entropy between test images and their reconstructions (lower is better).",
    "mse": "Mean squared pixel error of the test reconstructions (lower is better).",
    "knn_accuracy": (
        f"Share of test digits whose {NEIGHBOURS} nearest training codes mostly carry the same label "
        "(higher is better; 0.1 is chance)."
    ),
    "trustworthiness": (
        f"How far the {NEIGHBOURS} nearest neighbours in the latent space were also neighbours among the "
        "784 pixels (1 is perfect, about 0.5 is random)."
    ),
    "silhouette": (
        "How much closer each code is to codes of its own digit than to the nearest other digit "
        "(from -1 to 1; near 0 means touching or overlapping clusters)."
    ),
}
LOWER_IS_BETTER = ("bce", "mse")
CONFUSION_COLUMNS = ["digit_a", "digit_b", "a_as_b", "b_as_a", "confusions"]

Encode = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Representation:
    """Anything that maps images to codes and codes back to images.

    Attributes:
        name: Shown in tables and figures.
        encode: Images (n, 784) to codes (n, d).
        decode: Codes (n, d) to images (n, 784); ``None`` skips the reconstruction metrics.
        parameters: Number of learned parameters, for tables.
    """

    name: str
    encode: Encode
    decode: Encode | None = None
    parameters: int = 0


def pca_representation(x_train: np.ndarray, n_components: int = 2) -> Representation:
    """A PCA of the training images, the baseline every autoencoder should beat."""
    pca = PCA(n_components=n_components, random_state=SAMPLE_SEED).fit(x_train)
    parameters = pca.components_.size + pca.mean_.size
    return Representation(f"PCA ({n_components}-D)", pca.transform, pca.inverse_transform, parameters)


def autoencoder_representation(autoencoder: Autoencoder) -> Representation:
    """Wrap a :class:`course_utils.models.Autoencoder` as a representation."""
    from course_utils import training  # imports Keras: only needed once there is a model

    return Representation(
        autoencoder.name,
        functools.partial(training.encode, autoencoder),
        functools.partial(training.decode, autoencoder),
        autoencoder.count_params(),
    )


def binary_cross_entropy(images: np.ndarray, reconstructions: np.ndarray) -> float:
    """Mean binary cross-entropy per pixel; reconstructions are clipped into (0, 1) first.

    Args:
        images: The images, shape (n, 784), pixels in [0, 1].
        reconstructions: The decoder's outputs for them, the same shape.

    Returns:
        The mean over all pixels: 0 for a perfect reconstruction, at most ``-log(CLIP)`` (about 16).

    Raises:
        ValueError: If the two cannot be compared pixel by pixel; the message says how to fix it.
    """
    images, reconstructions = _pixels(images, reconstructions)
    clipped = np.clip(reconstructions.astype(np.float64), CLIP, 1 - CLIP)
    images = images.astype(np.float64)
    return float(-np.mean(images * np.log(clipped) + (1 - images) * np.log(1 - clipped)))


def mean_squared_error_per_pixel(images: np.ndarray, reconstructions: np.ndarray) -> float:
    """Mean squared error per pixel, with scikit-learn; reconstructions are clipped into [0, 1] first.

    Args:
        images: The images, shape (n, 784), pixels in [0, 1].
        reconstructions: The decoder's outputs for them, the same shape.

    Returns:
        The mean over all pixels, from 0 (perfect) to 1.

    Raises:
        ValueError: If the two cannot be compared pixel by pixel; the message says how to fix it.
    """
    images, reconstructions = _pixels(images, reconstructions)
    return float(mean_squared_error(np.ravel(images), np.ravel(np.clip(reconstructions, 0, 1))))


def knn_accuracy(train_codes: np.ndarray, y_train: np.ndarray, test_codes: np.ndarray, y_test: np.ndarray) -> float:
    """Accuracy of a k-nearest-neighbour classifier fitted on training codes, scored on test codes.

    Args:
        train_codes: One code per training image, shape (n_train, d); at least ``NEIGHBOURS`` of them.
        y_train: The digit of each training image, whole numbers of at least two classes.
        test_codes: One code per test image, shape (n_test, d), from the same encoder.
        y_test: The digit of each test image.

    Returns:
        The share of test codes the classifier labels right, from 0 to 1.

    Raises:
        ValueError: If the codes or labels cannot be measured; the message says how to fix it.
    """
    classifier, test_codes, y_test = _fitted_knn(train_codes, y_train, test_codes, y_test)
    return float(classifier.score(test_codes, y_test))


def knn_confusions(train_codes: np.ndarray, y_train: np.ndarray, test_codes: np.ndarray, y_test: np.ndarray) -> pd.DataFrame:
    """How often the kNN classifier of :func:`knn_accuracy` mistakes one digit for another, per pair of digits.

    Args:
        train_codes, y_train, test_codes, y_test: As for :func:`knn_accuracy`.

    Returns:
        One row per pair of digits ``digit_a < digit_b`` among the labels: ``a_as_b`` test images of
        ``digit_a`` classified as ``digit_b``, ``b_as_a`` the other way round, and ``confusions``
        their sum; the most confused pair first (ties in digit order).

    Raises:
        ValueError: If the codes or labels cannot be measured; the message says how to fix it.
    """
    classifier, test_codes, y_test = _fitted_knn(train_codes, y_train, test_codes, y_test)
    digits = np.union1d(classifier.classes_, y_test)
    counts = confusion_matrix(y_test, classifier.predict(test_codes), labels=digits)
    rows = [
        (int(digits[a]), int(digits[b]), int(counts[a, b]), int(counts[b, a]), int(counts[a, b] + counts[b, a]))
        for a in range(len(digits))
        for b in range(a + 1, len(digits))
    ]
    table = pd.DataFrame(rows, columns=CONFUSION_COLUMNS)
    return table.sort_values("confusions", ascending=False, kind="stable").reset_index(drop=True)


def latent_trustworthiness(images: np.ndarray, codes: np.ndarray) -> float:
    """scikit-learn's trustworthiness of the codes, on at most 2,000 points sampled with a fixed seed.

    Only the order of distances counts, so ``images`` may be any points, on any scale.

    Args:
        images: The images (or other points), shape (n, p), with n > ``2 * NEIGHBOURS``.
        codes: One code per image, shape (n, d).

    Returns:
        From about 0.5 (random codes) to 1 (every code's neighbours were neighbours among the pixels).

    Raises:
        ValueError: If the images or codes cannot be measured; the message says how to fix it.
    """
    # scikit-learn needs fewer neighbours than half the points.
    images = _checked(images, "images", ndim=2, at_least=2 * NEIGHBOURS + 1)
    codes = _checked(codes, "codes", ndim=2, rows_of=("images", images))
    rows = _sample_rows(len(images), MAX_TRUSTWORTHINESS_POINTS)
    return float(trustworthiness(images[rows], codes[rows], n_neighbors=NEIGHBOURS))


def latent_silhouette(codes: np.ndarray, labels: np.ndarray) -> float:
    """scikit-learn's silhouette score of the codes grouped by digit, on at most 2,000 points.

    Args:
        codes: One code per image, shape (n, d).
        labels: The digit of each image, whole numbers of at least two classes.

    Returns:
        From -1 to 1: near 1 for tight clusters far apart, near 0 for touching or overlapping ones.

    Raises:
        ValueError: If the codes or labels cannot be measured; the message says how to fix it.
    """
    codes = _checked(codes, "codes", ndim=2)
    labels = _labels(labels, "labels", ("codes", codes), two_classes=True)
    rows = _sample_rows(len(codes), MAX_TRUSTWORTHINESS_POINTS)
    _check_groups(labels[rows], "labels")
    return float(silhouette_score(codes[rows], labels[rows]))


def _check_groups(labels: np.ndarray, what: str) -> None:
    """Refuse labels the silhouette cannot group: it needs two classes and one class of two codes at least."""
    classes = len(np.unique(labels))
    if classes < 2:
        raise ValueError(
            f"{what} gives only one class, and the silhouette compares each code with the codes of the nearest other "
            "class: pass the labels of images of at least two digits."
        )
    if classes > len(labels) - 1:
        raise ValueError(
            f"{what} gives a class of its own for each of the {len(labels):,} codes, and the silhouette compares each "
            "code with the other codes of its class: pass the digit of each image (y_test), not its index or a "
            "running number."
        )


def _fitted_knn(
    train_codes: object, y_train: object, test_codes: object, y_test: object
) -> tuple[KNeighborsClassifier, np.ndarray, np.ndarray]:
    """The kNN classifier fitted on the checked training codes, and the checked test codes and labels."""
    train_codes = _checked(train_codes, "train_codes", ndim=2, at_least=NEIGHBOURS)
    y_train = _labels(y_train, "y_train", ("train_codes", train_codes), two_classes=True)
    test_codes = _checked(test_codes, "test_codes", ndim=2)
    y_test = _labels(y_test, "y_test", ("test_codes", test_codes))
    if train_codes.shape[1] != test_codes.shape[1]:
        raise ValueError(
            f"train_codes holds {train_codes.shape[1]} numbers per image but test_codes {test_codes.shape[1]}: "
            "take both from the same encoder."
        )
    return KNeighborsClassifier(n_neighbors=NEIGHBOURS).fit(train_codes, y_train), test_codes, y_test


def _checked(
    values: object, what: str, ndim: int, at_least: int = 1, rows_of: tuple[str, np.ndarray] | None = None
) -> np.ndarray:
    """``values`` as an array of finite real numbers with ``ndim`` axes, one row per image, small enough to square.

    Args:
        values: What the caller passed.
        what: Its name in messages (``"test_codes"``).
        ndim: 1 for labels, 2 for codes and images.
        at_least: The fewest rows the measure can use.
        rows_of: The name and array that ``values`` needs one row per row of, e.g. ``("images", images)`` for codes.

    Raises:
        ValueError: Saying what is wrong with ``values`` and how to fix it.
    """
    array = np.asarray(values)
    if array.ndim != ndim or array.shape[1:] == (0,):
        wanted = "(n,): one label per image" if ndim == 1 else "(n, d): one row per image"
        raise ValueError(f"{what} has shape {array.shape}; it must have shape {wanted}.")
    if rows_of is not None and len(array) != len(rows_of[1]):
        other, rows = rows_of[0], len(rows_of[1])
        flipped = f" (transposed? pass {what}.T)" if ndim == 2 and array.shape[1] == rows else ""
        raise ValueError(
            f"{what} has {len(array)} rows but {other} has {rows}: "
            f"pass one row per image to both, in the same order{flipped}."
        )
    if len(array) < at_least:
        raise ValueError(f"{what} has {len(array)} rows; this measure needs at least {at_least} images.")
    if array.dtype.kind not in "iuf":  # signed or unsigned integers, or floats
        raise ValueError(f"{what} holds {array.dtype} values; it must hold real numbers (integers or floats).")
    # Distances square the values; beyond this bound they overflow the float type they are computed in.
    largest = np.sqrt(np.finfo(np.result_type(array.dtype, np.float32)).max / (4 * array[0].size))
    if not np.all(np.abs(array) <= largest):  # False for NaN and infinities too
        raise ValueError(
            f"{what} holds NaN, infinite or huge values (beyond ±{largest:.0e}); a model that diverged gives "
            "such outputs: train it again (a lower learning rate)."
        )
    return array


def _labels(labels: object, what: str, rows_of: tuple[str, np.ndarray], two_classes: bool = False) -> np.ndarray:
    """``labels`` as an array of whole numbers, one per row of ``rows_of`` (see :func:`_checked`).

    Args:
        labels: What the caller passed.
        what: Its name in messages (``"y_train"``).
        rows_of: The name and array of the codes they label.
        two_classes: Whether the measure compares classes, so that a single one cannot be measured.


    Raises:
        ValueError: Saying what is wrong with ``labels`` and how to fix it.
    """
    labels = _checked(labels, what, ndim=1, rows_of=rows_of)
    fractional = labels[labels != np.round(labels)]
    if len(fractional):
        raise ValueError(
            f"{what} holds {fractional[0]:g}, not a whole number: pass the digit of each image (y_test), "
            "not scores or probabilities."
        )
    found = np.unique(labels)
    if two_classes and len(found) == 1:
        raise ValueError(
            f"{what} holds only one class ({found[0]:g}); this measure compares digits: pass the labels of "
            "images of at least two digits."
        )
    return labels


def _pixels(images: object, reconstructions: object) -> tuple[np.ndarray, np.ndarray]:
    """Images and their reconstructions as arrays of one shape (n, 784) that can be compared pixel by pixel.

    Reconstructions may overshoot [0, 1] by up to ``OVERSHOOT`` (the metrics clip them); images may not.

    Raises:
        ValueError: Saying which of the two is wrong and how to fix it.
    """
    images, reconstructions = np.asarray(images), np.asarray(reconstructions)
    if images.shape != reconstructions.shape:
        flipped = "transposed? " if reconstructions.shape == images.shape[::-1] else ""
        raise ValueError(
            f"images have shape {images.shape} but reconstructions {reconstructions.shape}: "
            f"{flipped}pass one row per image, both of shape (n, {PIXELS})."
        )
    check_images(images, "images")
    reconstructions = _checked(reconstructions, "reconstructions", ndim=2)
    low, high = float(reconstructions.min()), float(reconstructions.max())
    if low < -OVERSHOOT or high > 1 + OVERSHOOT:
        raise ValueError(
            f"reconstructions holds values from {low:g} to {high:g}, not pixels in [0, 1]: divide outputs "
            "from 0 to 255 by 255; much larger ones come from a model that diverged."
        )
    return images, reconstructions


def _sample_rows(count: int, limit: int) -> np.ndarray:
    if count <= limit:
        return np.arange(count)
    return np.sort(np.random.default_rng(SAMPLE_SEED).choice(count, size=limit, replace=False))


def measure(representation: Representation, data: MnistData) -> dict[str, float]:
    """All metrics of one representation on the test set (kNN fitted on the training codes).

    Returns:
        ``bce``, ``mse`` (when it can decode), ``knn_accuracy``, ``trustworthiness``, ``silhouette``.
    """
    check_images(data.x_train, "data.x_train")
    check_images(data.x_test, "data.x_test")
    test_codes = np.asarray(representation.encode(data.x_test))
    train_codes = np.asarray(representation.encode(data.x_train))
    _check_codes(test_codes, train_codes, data)
    results: dict[str, float] = {}
    if representation.decode is not None:
        reconstructions = np.asarray(representation.decode(test_codes))
        results["bce"] = binary_cross_entropy(data.x_test, reconstructions)
        results["mse"] = mean_squared_error_per_pixel(data.x_test, reconstructions)
    results["knn_accuracy"] = knn_accuracy(train_codes, data.y_train, test_codes, data.y_test)
    results["trustworthiness"] = latent_trustworthiness(data.x_test, test_codes)
    results["silhouette"] = latent_silhouette(test_codes, data.y_test)
    return results


def per_image_scores(representation: Representation, data: MnistData) -> pd.DataFrame:
    """Each test image's part in the measures that are means over the test images.

    The mean of each column is the measure of :func:`measure`: ``bce`` and ``mse`` (the image's
    mean over its pixels), ``knn_accuracy`` (1 when the kNN classifier labels the image right, else
    0) and ``silhouette`` (the image's own silhouette, within the sample :func:`latent_silhouette`
    takes). Trustworthiness ranks all pairs of points, so it has no such per-image part.

    Returns:
        One row per test image (for ``silhouette``: NaN outside the sample), one column per measure.
    """
    test_codes = np.asarray(representation.encode(data.x_test))
    train_codes = np.asarray(representation.encode(data.x_train))
    _check_codes(test_codes, train_codes, data)
    columns: dict[str, np.ndarray] = {}
    if representation.decode is not None:
        images, reconstructions = _pixels(data.x_test, representation.decode(test_codes))
        images, reconstructions = images.astype(np.float64), np.clip(reconstructions.astype(np.float64), 0, 1)
        clipped = np.clip(reconstructions, CLIP, 1 - CLIP)
        columns["bce"] = -np.mean(images * np.log(clipped) + (1 - images) * np.log(1 - clipped), axis=1)
        columns["mse"] = np.mean((images - reconstructions) ** 2, axis=1)
    classifier, test_codes, y_test = _fitted_knn(train_codes, data.y_train, test_codes, data.y_test)
    columns["knn_accuracy"] = (classifier.predict(test_codes) == y_test).astype(float)
    rows = _sample_rows(len(test_codes), MAX_TRUSTWORTHINESS_POINTS)
    columns["silhouette"] = np.full(len(test_codes), np.nan)
    _check_groups(y_test[rows], "y_test")
    columns["silhouette"][rows] = silhouette_samples(test_codes[rows], y_test[rows])
    return pd.DataFrame(columns)


def _check_codes(test_codes: np.ndarray, train_codes: np.ndarray, data: MnistData) -> None:
    if test_codes.ndim != 2 or len(test_codes) != len(data.x_test) or len(train_codes) != len(data.x_train):
        raise ValueError(
            f"encode must return one code row per image; got shape {test_codes.shape} for {len(data.x_test)} images."
        )
    if not np.all(np.isfinite(test_codes)):
        raise ValueError("encode returned NaN or infinite codes; the model probably diverged.")


def score_table(scores: dict[str, dict[str, float]]) -> pd.DataFrame:
    """One row per representation and one column per measure it has (in the order of ``METRIC_DESCRIPTIONS``)."""
    table = pd.DataFrame.from_dict(scores, orient="index")
    return table[[name for name in METRIC_DESCRIPTIONS if name in table.columns]].round(4)
