import numpy as np
import pandas as pd
import pytest

from course_utils import metrics, significance
from course_utils.data import MnistData


def _clusters(rng, per_class=40, spread=0.05, distance=10.0):
    labels = np.repeat(np.arange(10), per_class)
    centres = np.stack([np.cos(np.arange(10)), np.sin(np.arange(10))], axis=1) * distance
    return centres[labels] + rng.normal(scale=spread, size=(len(labels), 2)), labels


def test_identity_reconstruction_has_zero_mse_and_minimal_bce(rng):
    images = (rng.random((20, 784)) > 0.5).astype("float32")
    assert metrics.mean_squared_error_per_pixel(images, images) == 0.0
    assert metrics.binary_cross_entropy(images, images) < 1e-5


def test_bce_of_a_grey_guess_is_log_two(rng):
    images = (rng.random((20, 784)) > 0.5).astype("float32")
    assert metrics.binary_cross_entropy(images, np.full_like(images, 0.5)) == pytest.approx(np.log(2), rel=1e-6)


def test_separated_clusters_score_perfectly(rng):
    train_codes, train_labels = _clusters(rng)
    test_codes, test_labels = _clusters(rng)
    assert metrics.knn_accuracy(train_codes, train_labels, test_codes, test_labels) == 1.0
    assert metrics.latent_silhouette(test_codes, test_labels) > 0.95


def test_random_codes_score_at_chance(rng):
    labels = np.arange(2000) % 10
    train_codes, test_codes = rng.normal(size=(2000, 2)), rng.normal(size=(2000, 2))
    assert abs(metrics.knn_accuracy(train_codes, labels, test_codes, labels) - 0.1) < 0.04
    assert abs(metrics.latent_silhouette(test_codes, labels)) < 0.05


def test_trustworthiness_is_one_for_an_exact_embedding_and_lower_for_noise(rng):
    points = rng.normal(size=(300, 2))
    images = np.hstack([points, np.zeros((300, 5))])
    assert metrics.latent_trustworthiness(images, points) == pytest.approx(1.0)
    assert metrics.latent_trustworthiness(images, rng.normal(size=(300, 2))) < 0.6


def test_trustworthiness_samples_large_sets(rng):
    images = rng.normal(size=(metrics.MAX_TRUSTWORTHINESS_POINTS + 500, 3))
    assert metrics.latent_trustworthiness(images, images[:, :2]) > 0.8


def _toy_data(rng):
    codes, labels = _clusters(rng, per_class=30)
    images = np.clip(np.hstack([codes / 20 + 0.5, np.zeros((len(codes), 782))]), 0, 1).astype("float32")
    return MnistData(images, labels, images.copy(), labels.copy(), "subset", "toy")


def test_measure_accepts_any_encoder_like_function(rng):
    toy = _toy_data(rng)
    exact = metrics.Representation("first two pixels", lambda x: x[:, :2], lambda z: np.hstack([z, np.zeros((len(z), 782))]))
    scores = metrics.measure(exact, toy)
    assert scores["knn_accuracy"] == 1.0
    assert scores["mse"] == pytest.approx(0.0, abs=1e-12)
    assert scores["trustworthiness"] == pytest.approx(1.0)


def test_measure_without_a_decoder_skips_reconstruction(rng):
    scores = metrics.measure(metrics.Representation("codes only", lambda x: x[:, :2]), _toy_data(rng))
    assert "bce" not in scores and "knn_accuracy" in scores


def test_measure_refuses_broken_codes(rng):
    toy = _toy_data(rng)
    with pytest.raises(ValueError, match="NaN"):
        metrics.measure(metrics.Representation("nan", lambda x: np.full((len(x), 2), np.nan)), toy)
    with pytest.raises(ValueError, match="one code row per image"):
        metrics.measure(metrics.Representation("short", lambda x: x[:3, :2]), toy)


def test_pca_baseline_on_real_digits_is_between_chance_and_perfect(offline_mnist):
    pca = metrics.pca_representation(offline_mnist.x_train)
    assert pca.parameters == 2 * 784 + 784
    scores = metrics.measure(pca, offline_mnist)
    assert 0.2 < scores["knn_accuracy"] < 0.8
    assert scores["mse"] < metrics.mean_squared_error_per_pixel(offline_mnist.x_test, np.zeros_like(offline_mnist.x_test))


def test_every_metric_has_a_description():
    for name in ("bce", "mse", "knn_accuracy", "trustworthiness", "silhouette"):
        assert len(metrics.METRIC_DESCRIPTIONS[name]) > 30


def test_score_table_has_a_row_per_representation():
    table = metrics.score_table({"A": {"knn_accuracy": 0.5, "bce": 0.2}, "B": {"knn_accuracy": 0.6}})
    assert table.index.tolist() == ["A", "B"] and table.columns.tolist() == ["bce", "knn_accuracy"]
    assert table.loc["B", "knn_accuracy"] == 0.6 and np.isnan(table.loc["B", "bce"])


def test_per_image_scores_average_to_the_measures(small_mnist):
    pca = metrics.pca_representation(small_mnist.x_train)
    per_image = metrics.per_image_scores(pca, small_mnist)
    measured = metrics.measure(pca, small_mnist)
    assert len(per_image) == len(small_mnist.x_test) and "trustworthiness" not in per_image
    for name in ("bce", "mse", "knn_accuracy", "silhouette"):
        assert per_image[name].mean() == pytest.approx(measured[name], abs=1e-6)


def test_paired_bootstrap_interval_holds_the_gain_and_signs_losses_as_better():
    rng = np.random.default_rng(1)
    theirs = pd.DataFrame({"bce": rng.uniform(0.2, 0.3, 500), "knn_accuracy": rng.integers(0, 2, 500).astype(float)})
    ours = pd.DataFrame({"bce": theirs["bce"] - 0.01, "knn_accuracy": theirs["knn_accuracy"]})
    ours.loc[:49, "knn_accuracy"] = 1.0  # some images now right that were wrong
    table = significance.paired_bootstrap(ours, theirs, resamples=500).set_index("metric")
    assert table.loc["bce", "gain"] == pytest.approx(0.01)  # lower loss: a positive gain
    assert table.loc["bce", "ci_low"] == pytest.approx(0.01) == pytest.approx(table.loc["bce", "ci_high"])
    knn = table.loc["knn_accuracy"]
    assert 0 < knn["ci_low"] < knn["gain"] < knn["ci_high"]


def test_paired_bootstrap_refuses_different_test_images():
    with pytest.raises(ValueError, match="same test images"):
        significance.paired_bootstrap(pd.DataFrame({"bce": [0.1, 0.2]}), pd.DataFrame({"bce": [0.1]}))
