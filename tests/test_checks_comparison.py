"""The checks of notebook 5: exercise 5.1 (which depths beat PCA on the silhouette, predicted) and 5.2.

For 5.2 an autoencoder is built with decoder weights set by hand, so that the digit each code
decodes to is known without training: the median training code decodes to one training image,
one step along code number 1 to an image of another digit.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.neighbors import KNeighborsClassifier
from test_exercise_properties import ANYTHING, FEW, NON_FINITE, SHORT, assert_result

from course_utils import metrics, models, training
from course_utils.exercises import feedback
from course_utils.exercises.checks import common, nb05

pytestmark = pytest.mark.backend

# ---------------------------------------------------------------------------------------------
# Exercise 5.1: which depths beat PCA on the silhouette, predicted and recorded
# ---------------------------------------------------------------------------------------------

SILHOUETTE = {"PCA (2-D)": 0.0174, "Autoencoder_1": -0.0713, "Autoencoder_2": -0.0672, "Autoencoder_3": -0.0135}
KNN = {"PCA (2-D)": 0.418, "Autoencoder_1": 0.308, "Autoencoder_2": 0.359, "Autoencoder_3": 0.541}
SCORES = {name: {"bce": 0.2, "knn_accuracy": KNN[name], "silhouette": value} for name, value in SILHOUETTE.items()}
NONE_BEATS = {"Autoencoder_1": False, "Autoencoder_2": False, "Autoencoder_3": False}
KNN_LIKE = {"Autoencoder_1": False, "Autoencoder_2": False, "Autoencoder_3": True}  # what kNN accuracy would say


@pytest.mark.parametrize(
    "prediction",
    [NONE_BEATS, set(), [], (), frozenset(), {**NONE_BEATS, "Autoencoder_3": np.bool_(False)}],
)
def test_5_1_a_prediction_that_holds_is_recorded_and_every_model_is_explained(prediction):
    result = nb05.check_prediction_beats_pca(prediction, SCORES)
    assert result.passed and result.verdict == "recorded", str(result)
    text = str(result)
    assert text.startswith("Exercise 5.1: recorded.") and "right." not in text
    assert text.count("it held") == 3 and "3 of your 3 predictions held" in text
    assert "Autoencoder_3: you predicted it would not beat PCA (2-D); in this run its silhouette is -0.013" in text
    assert all(f"• {name}:" in text for name in SILHOUETTE if name != "PCA (2-D)"), "a neutral mark, not a tick"
    assert nb05.PCA_SILHOUETTE_REASON in text


def test_5_1_a_prediction_that_did_not_hold_is_recorded_never_marked_right():
    """Predicting from kNN accuracy, which notebook 4 stated, does not give the silhouette."""
    result = nb05.check_prediction_beats_pca(KNN_LIKE, SCORES)
    assert result.passed and result.verdict == "recorded"
    text = str(result)
    assert "right." not in text and "✗" not in text
    (line,) = [note for note in result.notes if note.startswith("Autoencoder_3")]
    assert "would beat PCA (2-D)" in line and "so it does not: it did not hold" in line
    assert "whole clusters" in line and "2 of your 3 predictions held" in text
    assert not any("Autoencoder_3" in line for line in result.right), "no tick beside a prediction"


def test_5_1_the_first_prediction_is_judged_when_a_later_one_replaces_it():
    nb05.check_prediction_beats_pca(KNN_LIKE, SCORES)
    assert "changed your prediction" not in str(nb05.check_prediction_beats_pca(dict(KNN_LIKE), SCORES))
    result = nb05.check_prediction_beats_pca(NONE_BEATS, SCORES)
    assert "changed your prediction" in str(result) and "2 of your 3 predictions held" in str(result)


def test_5_1_the_table_from_score_table_works_as_the_scores():
    table = metrics.score_table(SCORES)
    assert nb05.check_prediction_beats_pca(NONE_BEATS, table).passed


def test_5_1_a_tie_with_pca_does_not_beat_it():
    tied = {**SCORES, "Autoencoder_2": {"silhouette": SILHOUETTE["PCA (2-D)"]}}
    assert "Autoencoder_2: you predicted it would not beat PCA (2-D)" in str(
        nb05.check_prediction_beats_pca(NONE_BEATS, tied)
    )
    assert "3 of your 3 predictions held" in str(nb05.check_prediction_beats_pca(NONE_BEATS, tied))


def test_5_1_a_model_outside_the_article_gets_a_general_reason():
    scores = {"PCA (2-D)": {"silhouette": 0.01}, "wide_model": {"silhouette": 0.05}}
    result = nb05.check_prediction_beats_pca({"wide_model": True}, scores)
    assert result.passed and nb05.OTHER_MODEL_REASON in str(result)


def test_5_1_another_measure_can_be_predicted():
    result = nb05.check_prediction_beats_pca(KNN_LIKE, SCORES, metric="knn_accuracy")
    assert result.passed and "3 of your 3 predictions held" in str(result)


@pytest.mark.parametrize(
    "prediction, message",
    [
        ({"Autoencoder_1": False, "Autoencoder_3": True}, "Autoencoder_2 is missing"),
        ({**NONE_BEATS, "Autoencoder_4": True}, "no model 'Autoencoder_4'"),
        ({**NONE_BEATS, "Autoencoder_3": "yes"}, "Say True (beats PCA) or False for Autoencoder_3, not 'yes'"),
        ({**NONE_BEATS, "Autoencoder_3": 1}, "Say True (beats PCA) or False for Autoencoder_3"),
        ({**NONE_BEATS, "Autoencoder_3": math.nan}, "not nan"),
        ({"autoencoder_3"}, "'autoencoder_3' is not a model in the scores"),
        ({3}, "3 is not a model"),
        ("Autoencoder_3", "Give a dictionary of True/False per model"),
        (3, "Give a dictionary of True/False per model"),
        (None, "not NoneType None"),
        (math.nan, "Give a dictionary"),
    ],
)
def test_5_1_a_prediction_in_the_wrong_form_says_what_to_write(prediction, message):
    result = nb05.check_prediction_beats_pca(prediction, SCORES)
    assert not result.passed and result.answered
    assert message in str(result)


def test_5_1_a_wrong_form_gets_a_hint_first_and_the_recipe_second():
    first = nb05.check_prediction_beats_pca("Autoencoder_3", SCORES)
    assert first.hint and not first.recipe and "next check also shows" in str(first)
    second = nb05.check_prediction_beats_pca("Autoencoder_3", SCORES)
    assert second.recipe and "prediction_5_1 = {" in str(second)


@pytest.mark.parametrize(
    "scores, message",
    [
        (None, "is not the measured scores"),
        ({}, "is not the measured scores"),
        ({"Autoencoder_1": {"silhouette": 0.3}}, "one PCA row and at least one autoencoder"),
        ({"PCA (2-D)": {"silhouette": 0.4}}, "one PCA row and at least one autoencoder"),
        ({**SCORES, "PCA (3-D)": {"silhouette": 0.5}}, "one PCA row"),
        ({**SCORES, "Autoencoder_2": {"silhouette": math.nan}}, "no silhouette from -1 to 1"),
        ({**SCORES, "Autoencoder_2": {"silhouette": math.inf}}, "no silhouette from -1 to 1"),
        ({**SCORES, "Autoencoder_2": {"silhouette": 54.1}}, "no silhouette from -1 to 1"),
        ({**SCORES, "Autoencoder_2": {"bce": 0.2}}, "no silhouette"),
        ({**SCORES, "Autoencoder_2": 0.359}, "no silhouette"),
        ({**SCORES, 2: {"silhouette": 0.3}}, "The scores of 2"),
    ],
)
def test_5_1_scores_that_are_not_measured_scores_are_explained(scores, message):
    result = nb05.check_prediction_beats_pca(NONE_BEATS, scores)
    assert not result.passed and message in str(result)


def test_5_1_the_placeholder_is_not_answered_yet():
    result = nb05.check_prediction_beats_pca(..., SCORES)
    assert not result.answered and "Not answered yet" in str(result)
    assert feedback.wrong_attempts("Exercise 5.1") == 0, "a placeholder is no attempt"


@SHORT
@given(
    prediction=st.one_of(ANYTHING, st.sets(st.sampled_from(list(SILHOUETTE)))), scores=st.one_of(st.just(SCORES), ANYTHING)
)
def test_5_1_explains_anything_and_records_only_a_complete_prediction(prediction, scores):
    common.forget_predictions()
    result = assert_result(nb05.check_prediction_beats_pca(prediction, scores))
    if result.passed:
        assert scores is SCORES and result.verdict == "recorded" and "right." not in str(result)
        named = set(prediction) if not isinstance(prediction, dict) else set(prediction)
        assert named <= set(SILHOUETTE) - {"PCA (2-D)"}


@SHORT
@given(value=NON_FINITE)
def test_5_1_never_passes_a_non_finite_score(value):
    scores = {**SCORES, "Autoencoder_3": {"silhouette": value}}
    assert not assert_result(nb05.check_prediction_beats_pca(NONE_BEATS, scores)).passed


# ---------------------------------------------------------------------------------------------
# Exercise 5.2: a code that decodes to a given digit
# ---------------------------------------------------------------------------------------------

SHARPNESS = 30.0  # decoder logits: a sigmoid of 30 * (pixel - 0.5) draws the image almost exactly


def _typical_image(images: np.ndarray, labels: np.ndarray, digit: int) -> int:
    """The index of a training image of ``digit`` that a 5-nearest-neighbour vote calls a ``digit``."""
    classifier = KNeighborsClassifier(n_neighbors=metrics.NEIGHBOURS).fit(images, labels)
    candidates = np.flatnonzero(labels == digit)
    votes = classifier.predict(np.round(images[candidates]))
    return int(candidates[np.flatnonzero(votes == digit)[0]])


@pytest.fixture(scope="module")
def drawn_model(small_mnist):
    """A 784-2-784 model whose median training code decodes to a 3, one step along code number 1 to a 0.

    Returns:
        The model, the median code, the step and the two image indices.
    """
    model = models.build_autoencoder((), seed=0)
    images, labels = small_mnist.x_train, small_mnist.y_train
    codes = training.encode(model, images)
    centre = np.median(codes, axis=0)
    step = float(np.quantile(codes[:, 0], 0.75) - centre[0])
    three, zero = _typical_image(images, labels, 3), _typical_image(images, labels, 0)
    logits_three, logits_zero = SHARPNESS * (images[three] - 0.5), SHARPNESS * (images[zero] - 0.5)
    kernel = np.zeros((2, 784), dtype="float32")
    kernel[0] = (logits_zero - logits_three) / step  # one step along code number 1: from the 3 to the 0
    bias = logits_three - centre[0] * kernel[0]
    model.decoder.set_weights([kernel, bias.astype("float32")])
    return model, centre, step


def test_5_2_a_code_that_decodes_to_the_digit_passes(drawn_model, small_mnist):
    model, centre, _ = drawn_model
    result = nb05.check_decoded_digit(tuple(centre), 3, model, small_mnist)
    assert result.passed, str(result)
    assert "looks like a 3" in str(result) and "nearest training images (by pixels) are 3s" in str(result)


@pytest.mark.parametrize(
    "spelling",
    [
        lambda centre: list(centre),
        lambda centre: np.asarray(centre),
        lambda centre: np.asarray(centre)[None, :],
        lambda centre: (str(centre[0]), str(centre[1])),
        lambda centre: tuple(np.float32(value) for value in centre),
    ],
)
def test_5_2_the_code_may_be_written_in_several_ways(drawn_model, small_mnist, spelling):
    model, centre, _ = drawn_model
    assert nb05.check_decoded_digit(spelling(centre), 3, model, small_mnist).passed


def test_5_2_a_trained_model_holding_the_autoencoder_is_accepted(drawn_model, small_mnist):
    model, centre, _ = drawn_model

    class Trained:  # as compare.TrainedModel: the autoencoder is an attribute
        autoencoder = model

    assert nb05.check_decoded_digit(tuple(centre), 3, Trained(), small_mnist).passed


def test_5_2_a_code_of_another_digit_names_the_digit_it_looks_like(drawn_model, small_mnist):
    model, centre, step = drawn_model
    result = nb05.check_decoded_digit((centre[0] + step, centre[1]), 3, model, small_mnist)
    assert not result.passed
    assert "looks like a 0" in str(result) and "Move towards the 3s" in str(result)
    assert nb05.check_decoded_digit((centre[0] + step, centre[1]), 0, model, small_mnist).passed


def test_5_2_a_code_far_outside_the_training_codes_is_refused_with_their_range(drawn_model, small_mnist):
    model, centre, _ = drawn_model
    codes = training.encode(model, small_mnist.x_train)
    span = np.linalg.norm(codes.max(axis=0) - codes.min(axis=0))
    far = (codes[:, 0].max() + span, centre[1])
    result = nb05.check_decoded_digit(far, 3, model, small_mnist)
    assert not result.passed
    assert "far outside the training codes" in str(result) and "They run from" in str(result)
    near = codes[np.argmax(codes[:, 0])] + (0.05 * span, 0.0)  # just beyond the rightmost code, not far
    assert "far outside" not in str(nb05.check_decoded_digit(near, 3, model, small_mnist))


@pytest.mark.parametrize(
    "code, message",
    [
        ((math.nan, 1.0), "nan is not a finite number"),
        ((math.inf, 1.0), "inf is not a finite number"),
        ((1.0,), "you gave 1"),
        ((1.0, 2.0, 3.0), "you gave 3"),
        ([[1.0, 2.0], [3.0, 4.0]], "is not a finite number"),
        (np.zeros((2, 2)), "Give the code as two numbers"),
        (np.float64(1.0), "Give the code as two numbers"),
        ("1.5, -3.0", "Give the code as two numbers"),
        ({1.5, -3.0}, "Give the code as two numbers"),
        ({"x": 1.5, "y": -3.0}, "Give the code as two numbers"),
        (None, "Give the code as two numbers"),
        ((True, False), "is not a finite number"),
        (("one", "two"), "'one' is not a finite number"),
    ],
)
def test_5_2_a_code_that_is_not_two_finite_numbers_says_what_to_write(drawn_model, small_mnist, code, message):
    model, _, _ = drawn_model
    result = nb05.check_decoded_digit(code, 3, model, small_mnist)
    assert not result.passed and result.answered and message in str(result)


@pytest.mark.parametrize("argument", ["digit", "model", "data"])
@pytest.mark.parametrize("value", [None, "Autoencoder_3", 12, np.zeros((3, 784))])
def test_5_2_wrong_arguments_show_the_call_to_write(drawn_model, small_mnist, argument, value):
    model, centre, _ = drawn_model
    arguments = {"digit": 3, "model": model, "data": small_mnist, argument: value}
    result = nb05.check_decoded_digit(tuple(centre), **arguments)
    assert not result.passed and 'check_decoded_digit(code_5_2, 3, trained["Autoencoder_3"], mnist)' in str(result)


def test_5_2_a_diverged_model_is_named(small_mnist):
    model = models.build_autoencoder((), seed=1)
    model.decoder.set_weights([np.full_like(weight, np.nan) for weight in model.decoder.get_weights()])
    result = nb05.check_decoded_digit((0.0, 0.0), 3, model, small_mnist)
    assert not result.passed and "diverged" in str(result)


def test_5_2_the_placeholder_is_not_answered_yet(drawn_model, small_mnist):
    result = nb05.check_decoded_digit(..., 3, drawn_model[0], small_mnist)
    assert not result.answered and "Not answered yet" in str(result)


@FEW
@given(code=st.one_of(ANYTHING, st.tuples(st.floats(), st.floats()), st.tuples(NON_FINITE, st.floats(-1, 1))))
def test_5_2_explains_any_code_and_never_passes_a_non_finite_one(drawn_model, small_mnist, code):
    model, _, _ = drawn_model
    result = assert_result(nb05.check_decoded_digit(code, 3, model, small_mnist))
    if result.passed:
        values = [feedback.parse_number(value)[0] for value in np.asarray(code, dtype=object).reshape(-1)]
        assert len(values) == 2 and all(value is not None for value in values)
