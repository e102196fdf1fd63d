"""The Keras workflow in view: kNN confusions (exercise 2.2) and compile-and-fit (exercise 3.3)."""

import itertools
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.extra import numpy as hnp
from sklearn.metrics import confusion_matrix
from sklearn.neighbors import KNeighborsClassifier

from course_utils import metrics, models
from course_utils.backend import keras
from course_utils.exercises.checks import nb02, nb03
from course_utils.exercises.feedback import CheckResult

pytestmark = pytest.mark.backend

# Digit d sits at x = 10 d, except 2, which sits 1 from digit 1: those two have the closest centres.
POSITIONS = {digit: (11.0 if digit == 2 else 10.0 * digit) for digit in range(10)}
PER_DIGIT = 20


def _point(digit: int) -> list[float]:
    return [POSITIONS[digit], 0.0]


def _codes(misplaced: dict[tuple[int, int], int] | None = None):
    """Training codes exactly at each digit's spot; test codes too, but ``count`` test ``a``s sit at ``b``'s spot.

    Each training point has its own 5 nearest neighbours at distance 0, so the classifier's confusions
    are exactly the misplacements.
    """
    train_labels = np.repeat(np.arange(10), PER_DIGIT)
    train = np.array([_point(digit) for digit in train_labels])
    test_labels, test = [], []
    for digit in range(10):
        moved = {b: count for (a, b), count in (misplaced or {}).items() if a == digit}
        spots = [b for b, count in moved.items() for _ in range(count)]
        spots += [digit] * (PER_DIGIT - len(spots))
        test_labels += [digit] * PER_DIGIT
        test += [_point(spot) for spot in spots]
    return train, train_labels, np.array(test), np.array(test_labels)


# 3 and 8 are confused most (5 + 3 times); 4 and 6 next (4 times); 1 and 2 (closest centres) never.
CONFUSED = {(3, 8): 5, (8, 3): 3, (4, 6): 4}


def _text(result: object) -> str:
    assert isinstance(result, CheckResult), f"a check returned {type(result).__name__}, not a CheckResult"
    return str(result)


# ---------------------------------------------------------------------------------------------
# metrics.knn_confusions
# ---------------------------------------------------------------------------------------------


def test_knn_confusions_counts_both_directions_most_confused_first():
    table = metrics.knn_confusions(*_codes(CONFUSED))
    assert list(table.columns) == metrics.CONFUSION_COLUMNS
    assert len(table) == 45 and (table.digit_a < table.digit_b).all()
    first = table.iloc[0]
    assert (first.digit_a, first.digit_b, first.a_as_b, first.b_as_a, first.confusions) == (3, 8, 5, 3, 8)
    assert tuple(table.iloc[1][["digit_a", "digit_b", "confusions"]]) == (4, 6, 4)
    assert (table.confusions == table.a_as_b + table.b_as_a).all()
    assert table.confusions.is_monotonic_decreasing and table.confusions.iloc[2:].eq(0).all()


def test_knn_confusions_agree_with_scikit_learn_on_overlapping_clouds(rng):
    labels = np.arange(600) % 10
    train, test = rng.normal(size=(600, 2)) + labels[:, None] * 0.3, rng.normal(size=(600, 2)) + labels[:, None] * 0.3
    table = metrics.knn_confusions(train, labels, test, labels)
    predicted = KNeighborsClassifier(n_neighbors=metrics.NEIGHBOURS).fit(train, labels).predict(test)
    counts = confusion_matrix(labels, predicted)
    assert table.confusions.sum() == (predicted != labels).sum()
    for row in table.itertuples():
        assert row.a_as_b == counts[row.digit_a, row.digit_b] and row.b_as_a == counts[row.digit_b, row.digit_a]


def test_knn_confusions_keeps_digits_missing_from_one_split():
    train, train_labels, test, test_labels = _codes()
    keep = test_labels != 9
    table = metrics.knn_confusions(train, train_labels, test[keep], test_labels[keep])
    assert len(table) == 45 and table.confusions.sum() == 0


# ---------------------------------------------------------------------------------------------
# Exercise 2.2: which two digits does a kNN classifier on the codes confuse most?
# ---------------------------------------------------------------------------------------------


def _check_2_2(answer, *arrays):
    return nb02.check_most_confused(answer, *(arrays or _codes(CONFUSED)))


@pytest.mark.parametrize("answer", [(3, 8), (8, 3), [3, 8], ("3", "8"), np.array([8, 3]), (np.int64(3), np.int64(8))])
def test_exercise_2_2_right_pair_passes(answer):
    result = _check_2_2(answer)
    assert result.passed, _text(result)
    text = _text(result)
    assert (
        "3 and 8 are the pair the kNN classifier confuses most often (8 confusions: 5 3s read as 8, 3 8s read as 3)" in text
    )
    assert "a tie" not in text and "close centres need not mean" in text


def test_exercise_2_2_the_closest_centres_are_named_and_explained():
    assert nb02.closest_centres(*_codes(CONFUSED)[2:]) == (1, 2)
    result = _check_2_2((1, 2))
    assert not result.passed and result.answered
    text = _text(result)
    assert "1 and 2 have 0 confusions" in text and "but 2 pairs are confused more often" in text
    assert "do have the closest cluster centres" in text and "a centre is only a mean" in text


def test_exercise_2_2_another_wrong_pair_says_how_many_are_above_never_which():
    text = _text(_check_2_2((4, 6)))
    assert "4 and 6 have 4 confusions" in text and "but 1 pair is confused more often" in text
    assert "closest cluster centres" not in text and "3 and 8" not in text


def test_exercise_2_2_a_tie_for_the_most_is_right_and_said():
    arrays = _codes({(3, 8): 4, (4, 6): 4})
    for pair in ((3, 8), (4, 6)):
        result = _check_2_2(pair, *arrays)
        assert result.passed and "1 other pair is confused just as often: a tie" in _text(result)


def test_exercise_2_2_codes_without_any_confusion_pass_no_pair():
    result = _check_2_2((1, 2), *_codes())
    assert not result.passed and "confuses no two digits at all" in _text(result)


def test_exercise_2_2_placeholder_is_not_answered_yet():
    result = _check_2_2(...)
    assert not result.answered and not result.passed and "Not answered yet" in _text(result)


@pytest.mark.parametrize(
    "answer, message",
    [
        ("38", "as a pair such as (3, 8)"),
        (38, "as a pair such as (3, 8)"),
        (None, "as a pair such as (3, 8)"),
        ((3,), "exactly two digits"),
        ((3, 8, 5), "exactly two digits"),
        ((3, 3), "Both digits are 3"),
        ((3, 12), "12 is not a digit"),
        ((3, 8.5), "8.5 is not a digit"),
        ((3, math.nan), "nan is not a digit"),
        ((True, 8), "True is not a digit"),
        (np.array(3), "as a pair such as (3, 8)"),
    ],
)
def test_exercise_2_2_odd_answers_get_a_message(answer, message):
    result = _check_2_2(answer)
    assert not result.passed and result.answered
    assert message in _text(result)


@pytest.mark.parametrize(
    "answer, message",
    [
        (("²", "3"), "not a digit"),
        (("３", "８"), None),
        (np.array(38), "as a pair"),
        (itertools.count(), "exactly two digits"),
        ((10**400, 3), "not a digit"),
        ((np.int64(3), np.uint8(8)), None),
        ({3: "a", 8: "b"}, None),
    ],
    ids=["superscript", "full-width", "0-d array", "endless", "huge", "numpy", "dict"],
)
def test_exercise_2_2_reads_or_explains_odd_pairs(answer, message):
    result = _check_2_2(answer)
    assert result.passed is (message is None), _text(result)
    assert message is None or message in _text(result)
    assert len(_text(result)) < 600


def _replaced(index: int, value):
    arrays = list(_codes(CONFUSED))
    arrays[index] = value(arrays[index]) if callable(value) else value
    return arrays


@pytest.mark.parametrize(
    "arrays, message",
    [
        (_replaced(0, None), "The training codes are None"),
        (_replaced(2, "codes"), "test codes hold <U5 values, not numbers"),
        (_replaced(2, [[1.0, 2.0], [3.0]]), "test codes are not a table of numbers"),
        (_replaced(0, lambda codes: np.zeros((len(codes), 784))), "training codes look like images"),
        (_replaced(2, lambda codes: codes[:, 0]), "give one row of code numbers per image"),
        (_replaced(2, lambda codes: codes[:0]), "give one row of code numbers per image"),
        (_replaced(2, lambda codes: np.where(codes == 30.0, np.nan, codes)), "NaN or infinite"),
        (_replaced(0, lambda codes: np.where(codes == 30.0, np.inf, codes)), "NaN or infinite"),
        (_replaced(2, lambda codes: np.ones_like(codes)), "All test codes are the same point"),
        (_replaced(3, lambda labels: labels[:5]), "200 test codes but labels of shape (5,)"),
        (_replaced(1, lambda labels: labels + 1), "training labels must be digits from 0 to 9"),
        (_replaced(3, lambda labels: np.where(labels == 0, np.nan, labels)), "test labels must be digits"),
        (_replaced(3, lambda labels: labels % 2), "fewer than three digits"),
        (_replaced(2, lambda codes: np.hstack([codes, codes])), "take both from the same encoder"),
    ],
)
def test_exercise_2_2_odd_codes_and_labels_get_a_message(arrays, message):
    result = _check_2_2((3, 8), *arrays)
    assert not result.passed
    assert message in _text(result)


def test_exercise_2_2_too_few_training_codes_and_absent_digits():
    train, train_labels, test, test_labels = _codes(CONFUSED)
    few = nb02.check_most_confused((3, 8), train[::PER_DIGIT][:4], np.arange(4), test, test_labels)
    assert "needs at least that many training codes" in _text(few)
    keep, kept = test_labels != 8, train_labels != 8
    test_only = nb02.check_most_confused((3, 8), train, train_labels, test[keep], test_labels[keep])
    assert test_only.passed, "3s read as 8 are confusions even when no test image is an 8"
    absent = nb02.check_most_confused((3, 8), train[kept], train_labels[kept], test[keep], test_labels[keep])
    assert "No image is labelled 8" in _text(absent)


def test_exercise_2_2_accepts_lists_float_labels_and_float32_codes():
    train, train_labels, test, test_labels = _codes(CONFUSED)
    assert nb02.check_most_confused((3, 8), train.tolist(), train_labels.astype(float), test, test_labels).passed
    assert nb02.check_most_confused((3, 8), train.astype(np.float32), train_labels, test, test_labels).passed


def test_exercise_2_2_huge_codes_give_a_verdict_never_an_exception():
    train, train_labels, test, test_labels = _codes(CONFUSED)
    result = nb02.check_most_confused((3, 8), train * 1e306, train_labels, test * 1e306, test_labels)
    assert isinstance(result, CheckResult) and str(result)


# ---------------------------------------------------------------------------------------------
# Exercise 3.3: compile and fit it yourself
# ---------------------------------------------------------------------------------------------

IMAGES = np.random.default_rng(0).random((64, 784)).astype("float32")


def _model(optimizer=None, loss="binary_crossentropy"):
    model = models.build_article_model("Autoencoder_1", seed=0).autoencoder
    if optimizer is not False:
        model.compile(optimizer=optimizer or keras.optimizers.Adam(learning_rate=0.001), loss=loss)
    return model


def _fitted(epochs=2, batch_size=32, **compile_options):
    model = _model(**compile_options)
    keras.utils.set_random_seed(0)
    return model, model.fit(IMAGES, IMAGES, epochs=epochs, batch_size=batch_size, verbose=0)


@pytest.fixture(scope="module")
def fitted():
    return _fitted()


def test_exercise_3_3_right(fitted):
    model, history = fitted
    result = nb03.check_compile_and_fit(model, history, IMAGES)
    assert result.passed, _text(result)
    text = _text(result)
    assert "Adam with the course's learning rate, 0.001" in text and "binary cross-entropy" in text
    assert "The loss fell over 2 epochs" in text
    assert nb03.check_compile_and_fit(model, history).passed, "without the images the steps are not checked"


def test_exercise_3_3_other_spellings_of_the_course_settings_pass():
    model, history = _fitted(optimizer="adam", loss=keras.losses.BinaryCrossentropy())
    assert nb03.check_compile_and_fit(model, history, IMAGES).passed
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.binary_crossentropy)
    assert "binary cross-entropy" in _text(nb03.check_compile_and_fit(model, None))


@pytest.mark.parametrize("model_is_placeholder", [True, False])
def test_exercise_3_3_placeholder_is_not_answered_yet(fitted, model_is_placeholder):
    model, history = fitted
    result = nb03.check_compile_and_fit(..., history) if model_is_placeholder else nb03.check_compile_and_fit(model, ...)
    assert not result.answered and not result.passed and "Not answered yet" in _text(result)


@pytest.mark.parametrize(
    "compile_options, message",
    [
        ({"loss": "mse"}, "Mean squared error works"),
        ({"loss": keras.losses.MeanSquaredError()}, "not the course's loss"),
        ({"loss": keras.losses.BinaryCrossentropy(from_logits=True)}, "from_logits=True"),
        ({"loss": "categorical_crossentropy"}, "Categorical cross-entropy picks one class"),
        ({"loss": "mae"}, "'mae' is not the course's loss"),
        ({"optimizer": keras.optimizers.SGD(learning_rate=0.001)}, "The optimizer is SGD"),
        ({"optimizer": "rmsprop"}, "worse for every model"),
        ({"optimizer": keras.optimizers.AdamW(learning_rate=0.001)}, "The optimizer is AdamW"),
        ({"optimizer": keras.optimizers.Adam(learning_rate=0.01)}, "its learning rate is 0.01"),
    ],
)
def test_exercise_3_3_compile_mistakes_are_named(compile_options, message):
    result = nb03.check_compile_and_fit(_model(**compile_options), None)
    assert not result.passed and result.answered
    assert message in _text(result)


@pytest.mark.parametrize(
    "model, message",
    [
        (lambda: _model(optimizer=False), "is not compiled"),
        (lambda: models.build_article_model("Autoencoder_1"), "not the bundle"),
        (lambda: "autoencoder", "Pass the Keras model you compiled"),
        (lambda: None, "Pass the Keras model you compiled"),
    ],
)
def test_exercise_3_3_not_a_compiled_model(fitted, model, message):
    result = nb03.check_compile_and_fit(model(), fitted[1])
    assert not result.passed and message in _text(result)


def test_exercise_3_3_history_mistakes_are_named(fitted):
    model, history = fitted
    assert "to what fit returns" in _text(nb03.check_compile_and_fit(model, history.history))
    assert "to what fit returns" in _text(nb03.check_compile_and_fit(model, None))
    other, _ = _fitted(epochs=1)
    assert "comes from another model" in _text(nb03.check_compile_and_fit(other, history))
    empty = keras.callbacks.History()
    empty.set_model(model)
    assert "holds no training loss" in _text(nb03.check_compile_and_fit(model, empty))


def test_exercise_3_3_one_epoch_and_wrong_steps_are_named():
    one_model, one_history = _fitted(epochs=1)
    assert "One epoch shows no trend" in _text(nb03.check_compile_and_fit(one_model, one_history, IMAGES))
    small_model, small_history = _fitted(batch_size=16)
    result = nb03.check_compile_and_fit(small_model, small_history, IMAGES)
    assert not result.passed and "Each epoch took 4 steps, but the 64 training images in batches of 32 make 2" in _text(
        result
    )
    assert "took" not in _text(nb03.check_compile_and_fit(small_model, small_history, "images"))


@pytest.mark.parametrize(
    "losses, message",
    [
        ([0.5, 0.6], "The loss did not fall"),
        ([0.5, 0.5], "The loss did not fall"),
        ([0.5, math.nan], "NaN or infinite: training diverged"),
        ([math.inf, 0.5], "NaN or infinite: training diverged"),
        ([-3.0, -5.0], "the targets were not the images"),
    ],
)
def test_exercise_3_3_odd_loss_curves_are_named(fitted, losses, message):
    model, history = fitted
    odd = keras.callbacks.History()
    odd.set_model(model)
    odd.set_params(history.params)
    odd.history = {**history.history, "loss": losses}
    result = nb03.check_compile_and_fit(model, odd, IMAGES)
    assert not result.passed and message in _text(result)


def test_exercise_3_3_odd_histories_never_raise(fitted):
    model, history = fitted
    for curves in ({"loss": "falling"}, {"loss": [None, 1]}, {"loss": [[0.5], [0.4, 0.3]]}, pd.DataFrame({"loss": [0.5]})):
        odd = keras.callbacks.History()
        odd.set_model(model)
        odd.history = curves
        try:
            result = nb03.check_compile_and_fit(model, odd, IMAGES)
        except Exception as error:  # pragma: no cover - the failure message names the input
            pytest.fail(f"{curves!r} raised {error!r}")
        assert not result.passed


# ---------------------------------------------------------------------------------------------
# Property tests: no input makes either check raise, and nothing degenerate passes
# ---------------------------------------------------------------------------------------------

# Hypothesis caches what it learns under .hypothesis/ in the working folder; keep the checkout clean.
set_hypothesis_home_dir(Path(os.environ.get("XDG_CACHE_HOME", tempfile.gettempdir())) / "hypothesis")
SHORT = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ODD_ARRAYS = hnp.arrays(
    st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.complex128, np.dtype("U2")]),
    hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.just(Ellipsis),
    st.integers(),
    st.floats(),
    st.text(max_size=5),
    st.binary(max_size=4),
    st.sampled_from([10**400, np.float32("nan"), np.int64(3), np.str_("8")]),
    ODD_ARRAYS,
)
ANYTHING = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner, inner)), max_leaves=6)
PAIRS = st.one_of(st.tuples(st.integers(-1, 11), st.integers(-1, 11)), ANYTHING)


def _assert_result(result: object) -> CheckResult:
    assert isinstance(result, CheckResult) and str(result) and result._repr_html_()
    assert result.passed or result.fix
    return result


@st.composite
def labelled_codes(draw):
    """Codes of a few digits drawn at random; sometimes spoiled by a non-finite or huge value, or collapsed."""
    digits = draw(st.permutations(range(10)))[: draw(st.sampled_from([1, 2, 3, 5, 10]))]
    labels = np.repeat(np.array(digits), draw(st.integers(2, 6)))
    seed, scale = draw(st.integers(0, 2**32 - 1)), draw(st.sampled_from([1e-6, 1.0, 1e3]))
    codes = np.random.default_rng(seed).normal(scale=scale, size=(len(labels), 2))
    spoil = draw(st.sampled_from(["none", "none", "none", "value", "collapse"]))
    if spoil == "value":
        codes[draw(st.integers(0, len(labels) - 1)), draw(st.integers(0, 1))] = draw(
            st.sampled_from([math.nan, math.inf, -math.inf, 1e308])
        )
    if spoil == "collapse":
        codes[:] = codes[0]
    return codes, labels


def _most_confused_pairs(train, train_labels, test, test_labels) -> set[tuple[int, int]]:
    """Every pair with the highest count of confusions (the oracle of the check), if any pair is confused."""
    table = metrics.knn_confusions(train, train_labels, test, test_labels)
    top = table.confusions.max()
    return {(int(row.digit_a), int(row.digit_b)) for row in table.itertuples() if top and row.confusions == top}


@SHORT
@given(train=labelled_codes(), test=labelled_codes(), data=st.data())
def test_exercise_2_2_passes_only_a_most_confused_pair_of_sound_codes(train, test, data):
    sound = all(np.isfinite(codes).all() and not (codes == codes[0]).all() for codes in (train[0], test[0]))
    sound = sound and len(train[1]) >= metrics.NEIGHBOURS and min(len(np.unique(train[1])), len(np.unique(test[1]))) >= 3
    try:
        best = _most_confused_pairs(*train, *test) if sound else set()
    except ValueError:  # codes the metrics refuse (too large to measure a distance): not sound
        sound, best = False, set()
    answer = data.draw(st.one_of(PAIRS, st.sampled_from(sorted(best))) if best else PAIRS)
    result = _assert_result(nb02.check_most_confused(answer, *train, *test))
    if result.passed:
        assert sound and tuple(sorted(int(digit) for digit in answer)) in best
    if isinstance(answer, tuple) and all(type(digit) is int for digit in answer) and answer in best:
        assert result.passed, "a most confused pair of sound codes passes"


@SHORT
@given(answer=PAIRS, train_codes=ANYTHING, y_train=ANYTHING, test_codes=ANYTHING, y_test=ANYTHING)
def test_exercise_2_2_explains_any_codes_and_labels(answer, train_codes, y_train, test_codes, y_test):
    _assert_result(nb02.check_most_confused(answer, train_codes, y_train, test_codes, y_test))


@SHORT
@given(model=ANYTHING, history=ANYTHING, images=ANYTHING)
def test_exercise_3_3_explains_anything_and_passes_none_of_it(model, history, images):
    result = _assert_result(nb03.check_compile_and_fit(model, history, images))
    assert not result.passed


@SHORT
@given(history=ANYTHING, images=st.one_of(ANYTHING, st.just(IMAGES)))
def test_exercise_3_3_a_compiled_model_with_any_history_never_passes(fitted, history, images):
    result = _assert_result(nb03.check_compile_and_fit(fitted[0], history, images))
    assert not result.passed
