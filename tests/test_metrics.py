import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import FEW, ODD

from course_utils import metrics, significance
from course_utils.data import PIXELS, MnistData


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


# ---------------------------------------------------------------------------------------------
# Bad input: a ValueError that says what is wrong and how to fix it, never a wrong number
# ---------------------------------------------------------------------------------------------

RECONSTRUCTION_METRICS = {"bce": metrics.binary_cross_entropy, "mse": metrics.mean_squared_error_per_pixel}
# Each measure of codes and labels, given the same codes and labels as training and test set.
LABELLED_METRICS = {
    "knn_accuracy": lambda codes, labels: metrics.knn_accuracy(codes, labels, codes, labels),
    "knn_confusions": lambda codes, labels: metrics.knn_confusions(codes, labels, codes, labels),
    "latent_silhouette": metrics.latent_silhouette,
}
reconstruction_metrics = pytest.mark.parametrize("metric", RECONSTRUCTION_METRICS.values(), ids=RECONSTRUCTION_METRICS)
labelled_metrics = pytest.mark.parametrize("metric", LABELLED_METRICS.values(), ids=LABELLED_METRICS)


def _reconstructed(rng, count=10):
    images = rng.random((count, 784)).astype("float32")
    return images, np.clip(images + rng.normal(scale=0.1, size=images.shape), 0, 1).astype("float32")


@reconstruction_metrics
@pytest.mark.parametrize("scaled", ["images", "reconstructions"])
def test_pixels_from_0_to_255_are_refused_with_the_fix(rng, metric, scaled):
    pair = dict(zip(("images", "reconstructions"), _reconstructed(rng)))
    pair[scaled] = pair[scaled] * 255
    with pytest.raises(ValueError, match=f"{scaled} .*255"):
        metric(pair["images"], pair["reconstructions"])


@reconstruction_metrics
def test_a_single_image_that_would_broadcast_is_refused(rng, metric):
    images, reconstructions = _reconstructed(rng)
    with pytest.raises(ValueError, match=r"\(784,\) but reconstructions \(10, 784\).*one row per image"):
        metric(images[0], reconstructions)


@reconstruction_metrics
def test_transposed_reconstructions_are_refused(rng, metric):
    images, reconstructions = _reconstructed(rng)
    with pytest.raises(ValueError, match="transposed"):
        metric(images, reconstructions.T)


@reconstruction_metrics
def test_nan_reconstructions_are_refused(rng, metric):
    images, reconstructions = _reconstructed(rng)
    reconstructions[3, 5] = np.nan
    with pytest.raises(ValueError, match="reconstructions holds NaN, infinite or huge values.*diverged"):
        metric(images, reconstructions)


@labelled_metrics
def test_codes_and_labels_of_different_lengths_are_refused(rng, metric):
    codes, labels = _clusters(rng)
    with pytest.raises(ValueError, match="has 399 rows but .* 400: pass one row per image"):
        metric(codes, labels[:-1])


@pytest.mark.parametrize("count", [3, 400, 3000])
def test_the_silhouette_refuses_a_label_of_its_own_for_every_code(rng, count):
    codes = rng.normal(size=(count, 2))
    with pytest.raises(ValueError, match="a class of its own for each of the .* codes.*not its index"):
        metrics.latent_silhouette(codes, np.arange(count))


def test_the_per_image_silhouette_refuses_it_too(rng):
    codes, labels = _clusters(rng)
    representation = metrics.Representation("codes", encode=lambda codes: codes, parameters=0)
    indexed = MnistData(codes, labels, codes, np.arange(len(codes)), "subset", "clusters")
    with pytest.raises(ValueError, match="y_test gives a class of its own"):
        metrics.per_image_scores(representation, indexed)


def test_trustworthiness_refuses_transposed_codes(rng):
    codes, _ = _clusters(rng)
    with pytest.raises(ValueError, match=r"codes has 2 rows but images has 400.*transposed\? pass codes\.T"):
        metrics.latent_trustworthiness(np.hstack([codes, np.zeros((len(codes), 5))]), codes.T)


@pytest.mark.parametrize(
    "metric",
    [*LABELLED_METRICS.values(), lambda codes, labels: metrics.latent_trustworthiness(codes, codes)],
    ids=[*LABELLED_METRICS, "latent_trustworthiness"],
)
def test_nan_codes_are_refused_with_the_fix(rng, metric):
    codes, labels = _clusters(rng)
    codes[7, 1] = np.nan
    with pytest.raises(ValueError, match="holds NaN, infinite or huge values.*diverged"):
        metric(codes, labels)


@labelled_metrics
def test_labels_that_are_not_whole_numbers_are_refused(rng, metric):
    codes, labels = _clusters(rng)
    with pytest.raises(ValueError, match="not a whole number"):
        metric(codes, labels + 0.5)


@labelled_metrics
def test_a_single_class_is_refused(rng, metric):
    codes, labels = _clusters(rng)
    with pytest.raises(ValueError, match="only one class .*at least two"):
        metric(codes, np.full_like(labels, 3))


def test_training_and_test_codes_of_different_widths_are_refused(rng):
    codes, labels = _clusters(rng)
    with pytest.raises(ValueError, match="same encoder"):
        metrics.knn_accuracy(codes, labels, np.hstack([codes, codes]), labels)


# ---------------------------------------------------------------------------------------------
# Anything at all: a finite number in the documented range, or a ValueError
# ---------------------------------------------------------------------------------------------

PIXEL_VALUES, RECONSTRUCTION_VALUES = st.floats(0, 1), st.floats(-metrics.OVERSHOOT, 1 + metrics.OVERSHOOT)
CODE_VALUES, LABEL_VALUES = st.floats(-10, 10), st.integers(0, 3).map(float)
WILD_VALUES = st.sampled_from([st.floats(), st.floats(-300, 300), st.integers(0, 255).map(float), st.just(np.nan)])
WILD_DTYPES = st.sampled_from(["float64", "float32", "float16", "int64", "uint8", "bool", "complex128", "U3"])


@st.composite
def arrays(draw, shape: tuple[int, ...], values: st.SearchStrategy[float]) -> object:
    """Three times in four an array of ``shape`` with ``values``, as floats or (labels) integers; else anything:
    that shape transposed or another, any dtype, any values (NaN, infinities, 1e308, 255), or no array at all."""
    if draw(st.integers(0, 3)):
        dtypes = ["int64", "float64"] if len(shape) == 1 else ["float32", "float64"]
        return draw(hnp.arrays(np.float64, shape, elements=values)).astype(draw(st.sampled_from(dtypes)))
    odd_shape = st.one_of(st.just(shape[::-1]), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
    array = draw(hnp.arrays(np.float64, draw(st.one_of(st.just(shape), odd_shape)), elements=draw(WILD_VALUES)))
    with np.errstate(all="ignore"):  # NaN or 1e300 cast to integers: whatever NumPy makes of them
        return draw(st.one_of(st.just(array.astype(draw(WILD_DTYPES))), ODD))


def _measured(metric, *arguments) -> object | None:
    """What ``metric`` returns, or None when it refuses with a ValueError; any other exception fails the test."""
    try:
        value = metric(*arguments)
    except ValueError as error:
        assert str(error)
        event(f"{metric.__name__}: refused")
        return None
    event(f"{metric.__name__}: measured")
    return value


@pytest.mark.parametrize(
    ("metric", "highest"), [(metrics.binary_cross_entropy, -np.log(metrics.CLIP)), (metrics.mean_squared_error_per_pixel, 1)]
)
@FEW
@given(data=st.data())
def test_the_reconstruction_metrics_give_a_number_in_range_or_a_value_error(metric, highest, data):
    rows = data.draw(st.integers(1, 3))
    images = data.draw(arrays((rows, PIXELS), PIXEL_VALUES))
    value = _measured(metric, images, data.draw(arrays((rows, PIXELS), RECONSTRUCTION_VALUES)))
    assert value is None or (type(value) is float and 0 <= value <= highest * (1 + 1e-9))


@FEW
@given(data=st.data())
def test_the_knn_measures_give_a_number_in_range_or_a_value_error(data):
    train_rows, test_rows = data.draw(st.integers(1, 30)), data.draw(st.integers(1, 30))
    train = data.draw(arrays((train_rows, 2), CODE_VALUES)), data.draw(arrays((train_rows,), LABEL_VALUES))
    test = data.draw(arrays((test_rows, 2), CODE_VALUES)), data.draw(arrays((test_rows,), LABEL_VALUES))
    accuracy = _measured(metrics.knn_accuracy, *train, *test)
    table = _measured(metrics.knn_confusions, *train, *test)
    assert (accuracy is None) == (table is None)  # one check of the inputs for both
    if accuracy is not None:
        assert type(accuracy) is float and 0 <= accuracy <= 1
        assert table.columns.tolist() == metrics.CONFUSION_COLUMNS and (table[metrics.CONFUSION_COLUMNS[2:]] >= 0).all(None)
        # each wrong label is one confusion of one pair
        assert table["confusions"].sum() == round((1 - accuracy) * test_rows)


@FEW
@given(data=st.data())
def test_trustworthiness_and_silhouette_give_a_number_in_range_or_a_value_error(data):
    rows = data.draw(st.integers(1, 40))
    codes = data.draw(arrays((rows, 2), CODE_VALUES))
    trust = _measured(metrics.latent_trustworthiness, data.draw(arrays((rows, 6), CODE_VALUES)), codes)
    assert trust is None or (type(trust) is float and 0 <= trust <= 1)
    silhouette = _measured(metrics.latent_silhouette, codes, data.draw(arrays((rows,), LABEL_VALUES)))
    assert silhouette is None or (type(silhouette) is float and -1 <= silhouette <= 1)
