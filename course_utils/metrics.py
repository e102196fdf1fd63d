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

from course_utils.data import MnistData, check_images

if TYPE_CHECKING:
    from course_utils.models import Autoencoder

NEIGHBOURS = 5
# trustworthiness compares all pairs of points: cap the sample so full MNIST stays fast.
MAX_TRUSTWORTHINESS_POINTS = 2_000
SAMPLE_SEED = 0
CLIP = 1e-7

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
    """Mean binary cross-entropy per pixel; reconstructions are clipped into (0, 1) first."""
    clipped = np.clip(np.asarray(reconstructions, dtype=np.float64), CLIP, 1 - CLIP)
    images = np.asarray(images, dtype=np.float64)
    return float(-np.mean(images * np.log(clipped) + (1 - images) * np.log(1 - clipped)))


def mean_squared_error_per_pixel(images: np.ndarray, reconstructions: np.ndarray) -> float:
    """Mean squared error per pixel, with scikit-learn."""
    return float(mean_squared_error(np.ravel(images), np.ravel(np.clip(reconstructions, 0, 1))))


def knn_accuracy(train_codes: np.ndarray, y_train: np.ndarray, test_codes: np.ndarray, y_test: np.ndarray) -> float:
    """Accuracy of a k-nearest-neighbour classifier fitted on training codes, scored on test codes."""
    classifier = KNeighborsClassifier(n_neighbors=NEIGHBOURS).fit(train_codes, y_train)
    return float(classifier.score(test_codes, y_test))


def knn_confusions(train_codes: np.ndarray, y_train: np.ndarray, test_codes: np.ndarray, y_test: np.ndarray) -> pd.DataFrame:
    """How often the kNN classifier of :func:`knn_accuracy` mistakes one digit for another, per pair of digits.

    Returns:
        One row per pair of digits ``digit_a < digit_b`` among the labels: ``a_as_b`` test images of
        ``digit_a`` classified as ``digit_b``, ``b_as_a`` the other way round, and ``confusions``
        their sum; the most confused pair first (ties in digit order).
    """
    classifier = KNeighborsClassifier(n_neighbors=NEIGHBOURS).fit(train_codes, y_train)
    digits = np.union1d(y_train, y_test)
    counts = confusion_matrix(y_test, classifier.predict(test_codes), labels=digits)
    rows = [
        (int(digits[a]), int(digits[b]), int(counts[a, b]), int(counts[b, a]), int(counts[a, b] + counts[b, a]))
        for a in range(len(digits))
        for b in range(a + 1, len(digits))
    ]
    table = pd.DataFrame(rows, columns=CONFUSION_COLUMNS)
    return table.sort_values("confusions", ascending=False, kind="stable").reset_index(drop=True)


def latent_trustworthiness(images: np.ndarray, codes: np.ndarray) -> float:
    """scikit-learn's trustworthiness of the codes, on at most 2,000 points sampled with a fixed seed."""
    rows = _sample_rows(len(images), MAX_TRUSTWORTHINESS_POINTS)
    return float(trustworthiness(images[rows], codes[rows], n_neighbors=NEIGHBOURS))


def latent_silhouette(codes: np.ndarray, labels: np.ndarray) -> float:
    """scikit-learn's silhouette score of the codes grouped by digit."""
    rows = _sample_rows(len(codes), MAX_TRUSTWORTHINESS_POINTS)
    return float(silhouette_score(codes[rows], labels[rows]))


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
        images = np.asarray(data.x_test, dtype=np.float64)
        reconstructions = np.clip(np.asarray(representation.decode(test_codes), dtype=np.float64), 0, 1)
        clipped = np.clip(reconstructions, CLIP, 1 - CLIP)
        columns["bce"] = -np.mean(images * np.log(clipped) + (1 - images) * np.log(1 - clipped), axis=1)
        columns["mse"] = np.mean((images - reconstructions) ** 2, axis=1)
    classifier = KNeighborsClassifier(n_neighbors=NEIGHBOURS).fit(train_codes, data.y_train)
    columns["knn_accuracy"] = (classifier.predict(test_codes) == data.y_test).astype(float)
    rows = _sample_rows(len(test_codes), MAX_TRUSTWORTHINESS_POINTS)
    columns["silhouette"] = np.full(len(test_codes), np.nan)
    columns["silhouette"][rows] = silhouette_samples(test_codes[rows], data.y_test[rows])
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
