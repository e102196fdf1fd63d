"""The checks of notebooks 1 and 6 (exercises 1.1, 1.2, 6.1, 6.2): right answers, named mistakes, nonsense."""

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from scipy import stats
from strategies import FEW, ODD

from course_utils import metrics
from course_utils.exercises import feedback
from course_utils.exercises.checks import common, nb01, nb06
from course_utils.exercises.feedback import CheckResult
from course_utils.exercises.measure_explorer import MeasureExplorer


def assert_result(result: object) -> CheckResult:
    """A check's result that renders and says what to fix unless it passed."""
    assert isinstance(result, CheckResult)
    assert str(result) and result._repr_html_()
    assert result.passed or result.fix
    return result


@pytest.mark.parametrize(
    "check",
    [
        lambda answer: nb01.check_pca_knn_accuracy(answer, None),
        lambda answer: nb01.check_pca_prediction(answer, {}, None),
        lambda answer: nb01.check_pca_prediction(nb01.record_prediction(bce="lower"), answer, None),
        nb06.check_measure_explorer,
        lambda answer: nb06.check_seed_interval(answer, []),
    ],
)
def test_the_placeholder_is_not_answered_yet(check):
    result = check(...)
    assert not result.answered and not result.passed and "not answered yet" in str(result)


# ---------------------------------------------------------------------------------------------
# Exercise 1.1: the kNN accuracy of the PCA codes
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def knn_answers(offline_mnist):
    """The right accuracy and the mistaken ones, on the course's own data."""
    return nb01.pca_knn_accuracies(offline_mnist)


def test_exercise_1_1_right_is_the_courses_number_and_sklearns(offline_mnist, knn_answers):
    from sklearn.neighbors import KNeighborsClassifier

    pca = metrics.pca_representation(offline_mnist.x_train)
    classifier = KNeighborsClassifier(n_neighbors=metrics.NEIGHBOURS).fit(
        pca.encode(offline_mnist.x_train), offline_mnist.y_train
    )
    mine = classifier.score(pca.encode(offline_mnist.x_test), offline_mnist.y_test)
    expected, _ = knn_answers
    assert mine == expected
    result = assert_result(nb01.check_pca_knn_accuracy(mine, offline_mnist))
    assert result.passed and "the course's metrics.knn_accuracy gives" in str(result)
    percentage = nb01.check_pca_knn_accuracy(mine * 100, offline_mnist)
    assert percentage.passed and "as a percentage" in str(percentage)
    assert nb01.check_pca_knn_accuracy(f"{mine:.1%}", offline_mnist).passed


@pytest.mark.parametrize(
    "index, message",
    [(0, "training codes"), (1, "fitted the classifier on the test codes"), (2, "swapped"), (3, "k = 1"),
     (4, "error rate"), (5, "784 pixels")],
)  # fmt: skip
def test_exercise_1_1_names_each_mistake(offline_mnist, knn_answers, index, message):
    expected, mistakes = knn_answers
    value, said = mistakes[index]
    assert message in said
    assert abs(value - expected) > nb01.PCA_KNN_TOLERANCE, "the mistake must differ from the right answer"
    result = assert_result(nb01.check_pca_knn_accuracy(value, offline_mnist))
    assert not result.passed and message in str(result)


@pytest.mark.parametrize(
    "answer, message",
    [
        (0.01, "too low"),
        (0.99, "too high"),
        (-0.2, "cannot be an accuracy"),
        (250, "cannot be an accuracy"),
        (float("nan"), "NaN"),
        ("most", "not a number"),
        ([0.4], "Give one number"),
        (SimpleNamespace(predict=1, score=2), "classifier itself"),
    ],
)
def test_exercise_1_1_other_answers(small_mnist, answer, message):
    result = assert_result(nb01.check_pca_knn_accuracy(answer, small_mnist))
    assert not result.passed and message in str(result)


@pytest.mark.parametrize("data", [None, "mnist", SimpleNamespace(x_train=np.zeros(3)), (np.zeros((4, 784)),) * 4])
def test_exercise_1_1_asks_for_the_course_data(data):
    result = assert_result(nb01.check_pca_knn_accuracy(0.4, data))
    assert not result.passed and "data.load_mnist()" in str(result)


def test_exercise_1_1_refuses_images_with_nan(small_mnist):
    spoiled = SimpleNamespace(
        **{name: getattr(small_mnist, name).copy() for name in ("x_train", "y_train", "x_test", "y_test")}
    )
    spoiled.x_train[0, 0] = np.nan
    result = assert_result(nb01.check_pca_knn_accuracy(0.4, spoiled))
    assert "NaN" in str(result)


@FEW
@given(answer=ODD)
def test_exercise_1_1_explains_anything(small_mnist, answer):
    result = assert_result(nb01.check_pca_knn_accuracy(answer, small_mnist))
    if result.passed:
        expected, _ = nb01.pca_knn_accuracies(small_mnist)
        assert abs(float(answer) - expected) <= nb01.PCA_KNN_TOLERANCE


# ---------------------------------------------------------------------------------------------
# Exercise 1.2: predict, then measure
# ---------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch):
    """Each test starts as a new kernel would: no prediction judged yet."""
    monkeypatch.setattr(common, "FIRST_PREDICTIONS", {})


@pytest.fixture(scope="module")
def pca_scores(small_mnist):
    """The measures of the 2- and the 10-component PCA of the small slice."""
    ten = metrics.measure(metrics.pca_representation(small_mnist.x_train, nb01.MORE_COMPONENTS), small_mnist)
    two = metrics.measure(metrics.pca_representation(small_mnist.x_train), small_mnist)
    return ten, two


def test_exercise_1_2_a_prediction_that_holds(small_mnist, pca_scores):
    ten, two = pca_scores
    assert ten["bce"] < two["bce"] and ten["knn_accuracy"] > two["knn_accuracy"], "the slice behaves as the course data"
    prediction = nb01.record_prediction(bce="lower", knn_accuracy="better")
    assert repr(prediction).startswith("Prediction recorded at ")
    result = assert_result(nb01.check_pca_prediction(prediction, ten, small_mnist))
    assert result.passed
    text = str(result)
    assert text.count("it held") == 2 and "did not hold" not in text and "Why:" in text


def test_exercise_1_2_a_prediction_that_fails_is_reported_not_marked(small_mnist, pca_scores):
    ten, _ = pca_scores
    prediction = nb01.record_prediction(bce="worse", knn_accuracy="lower")
    result = assert_result(nb01.check_pca_prediction(prediction, ten, small_mnist))
    assert result.passed and str(result).count("it did not hold") == 2


def test_exercise_1_2_a_prediction_is_recorded_with_a_neutral_mark_never_called_right(small_mnist, pca_scores):
    """Issue 22: a prediction that did not hold printed 'right.' and a tick beside it."""
    ten, _ = pca_scores
    result = assert_result(
        nb01.check_pca_prediction(nb01.record_prediction(bce="worse", knn_accuracy="lower"), ten, small_mnist)
    )
    text = str(result)
    assert result.verdict == "recorded" and text.startswith("Exercise 1.2: recorded.") and "right." not in text
    verdict_lines = [line for line in text.splitlines() if "it did not hold" in line]
    assert len(verdict_lines) == 2 and all(line.startswith(f"  {feedback.NOTE_MARK} ") for line in verdict_lines)
    assert not any("held" in line or "you predicted" in line for line in result.right), "no tick beside a prediction"
    assert "0 of your 2 predictions held" in text and feedback.RIGHT_COLOUR not in result._repr_html_()


def test_exercise_1_2_judges_the_first_prediction_when_a_later_one_replaces_it(small_mnist, pca_scores):
    ten, _ = pca_scores
    first = nb01.record_prediction(bce="higher", knn_accuracy="lower")
    nb01.check_pca_prediction(first, ten, small_mnist)
    again = nb01.record_prediction(bce="higher", knn_accuracy="lower")
    assert "new prediction" not in str(nb01.check_pca_prediction(again, ten, small_mnist)), "the same words again"
    later = nb01.record_prediction(bce="lower", knn_accuracy="higher")
    result = assert_result(nb01.check_pca_prediction(later, ten, small_mnist))
    assert "new prediction after the check" in str(result) and str(result).count("it did not hold") == 2


def test_exercise_1_2_names_the_2d_scores_and_other_scores(small_mnist, pca_scores):
    ten, two = pca_scores
    prediction = nb01.record_prediction(bce="lower", knn_accuracy="higher")
    assert "2-component PCA" in str(nb01.check_pca_prediction(prediction, two, small_mnist))
    other = {**ten, "knn_accuracy": ten["knn_accuracy"] - 0.1}
    assert "do not match a 10-component PCA" in str(nb01.check_pca_prediction(prediction, other, small_mnist))
    nan = {**ten, "bce": float("nan")}
    assert "no finite bce" in str(nb01.check_pca_prediction(prediction, nan, small_mnist))
    assert "are not measures" in str(nb01.check_pca_prediction(prediction, [0.2, 0.9], small_mnist))


@pytest.mark.parametrize(
    "prediction, message",
    [
        ({"bce": "lower", "knn_accuracy": "higher"}, "not a recorded prediction"),
        (nb01.record_prediction(bce="lower"), "Predict knn_accuracy too"),
        (nb01.record_prediction(bce="lower", knn_accuracy="much"), "say 'higher' or 'lower'"),
        (nb01.record_prediction(bce="lower", knn_accuracy=1), "say 'higher' or 'lower'"),
        (nb01.record_prediction(bce="lower", knn_accuracy="higher", clusters="higher"), "not a measure"),
        ("lower", "not a recorded prediction"),
    ],
)
def test_exercise_1_2_explains_a_malformed_prediction(small_mnist, pca_scores, prediction, message):
    result = assert_result(nb01.check_pca_prediction(prediction, pca_scores[0], small_mnist))
    assert not result.passed and message in str(result)


def test_exercise_1_2_asks_for_the_course_data(pca_scores):
    prediction = nb01.record_prediction(bce="lower", knn_accuracy="higher")
    result = assert_result(nb01.check_pca_prediction(prediction, pca_scores[0], None))
    assert not result.passed and "data.load_mnist()" in str(result)


@FEW
@given(prediction=ODD, scores=ODD)
def test_exercise_1_2_explains_anything(small_mnist, prediction, scores):
    assert not assert_result(nb01.check_pca_prediction(prediction, scores, small_mnist)).passed


# ---------------------------------------------------------------------------------------------
# Exercise 6.1: the measure explorer
# ---------------------------------------------------------------------------------------------


def test_exercise_6_1_the_starting_explorer_misses_the_silhouette():
    result = assert_result(nb06.check_measure_explorer(MeasureExplorer()))
    assert not result.passed and "is not below 0.1" in str(result) and "kNN accuracy 1.000" in str(result)


def test_exercise_6_1_right_after_the_sliders_move():
    explorer = MeasureExplorer()
    explorer.set(split=0.35, spread=0.2)
    result = assert_result(nb06.check_measure_explorer(explorer))
    assert result.passed and "the two measures disagree" in str(result)


def test_exercise_6_1_names_mixed_neighbourhoods():
    explorer = MeasureExplorer(spread=2.0, distance=0.5)
    result = assert_result(nb06.check_measure_explorer(explorer))
    assert not result.passed and "is below 0.9" in str(result) and "Silhouette" in str(result)


def test_exercise_6_1_recomputes_rather_than_reading_the_display():
    explorer = MeasureExplorer()
    explorer.current = {"knn_accuracy": 1.0, "silhouette": -1.0}  # a display changed by hand
    assert not nb06.check_measure_explorer(explorer).passed


@FEW
@given(explorer=ODD)
def test_exercise_6_1_explains_anything(explorer):
    assert not assert_result(nb06.check_measure_explorer(explorer)).passed


class _Broken:
    def measures(self):
        raise ZeroDivisionError("no")


@pytest.mark.parametrize(
    "explorer, message",
    [
        (None, "Pass the measure explorer itself"),
        (3, "Pass the measure explorer itself"),
        (SimpleNamespace(space=None), "Pass the measure explorer itself"),
        (SimpleNamespace(space=_Broken()), "cannot be measured"),
        (SimpleNamespace(space=SimpleNamespace(measures=lambda: {"knn_accuracy": math.nan, "silhouette": 0})), "not finite"),
        (SimpleNamespace(space=SimpleNamespace(measures=lambda: {})), "cannot be measured"),
    ],
)
def test_exercise_6_1_explains_what_is_not_an_explorer(explorer, message):
    result = assert_result(nb06.check_measure_explorer(explorer))
    assert not result.passed and message in str(result)


# ---------------------------------------------------------------------------------------------
# Exercise 6.2: a confidence interval over seeds
# ---------------------------------------------------------------------------------------------

KNN = {
    "Autoencoder_3": [0.47, 0.52, 0.55, 0.49, 0.51, 0.46, 0.53, 0.50, 0.54, 0.48],
    "Autoencoder_2": [0.41, 0.43, 0.44, 0.42, 0.40, 0.45, 0.43, 0.41, 0.44, 0.42],
}


@pytest.fixture(scope="module")
def runs() -> list[dict]:
    """A small study: two models, ten seeds, PCA the same for every seed."""
    rows = []
    for model, values in KNN.items():
        for seed, value in enumerate(values):
            rows.append({"model": model, "seed": seed, "knn_accuracy": value, "silhouette": value / 10 - 0.04})
    rows += [{"model": "PCA (2-D)", "seed": seed, "knn_accuracy": 0.418, "silhouette": 0.017} for seed in range(10)]
    return rows


def interval(values, scale=None, confidence=0.95, df=None, z=False):
    values = np.asarray(values)
    scale = stats.sem(values) if scale is None else scale
    if z:
        return stats.norm.interval(confidence, loc=values.mean(), scale=scale)
    return stats.t.interval(confidence, len(values) - 1 if df is None else df, loc=values.mean(), scale=scale)


def test_exercise_6_2_right_in_every_form(runs):
    values = KNN["Autoencoder_3"]
    right = interval(values)
    for answer in (
        right,
        tuple(round(bound, 4) for bound in right),
        right[::-1],
        np.array(right),
        stats.ttest_1samp(values, 0).confidence_interval(),
        [f"{right[0]:.4f}", f"{right[1]:.4f}"],
    ):
        result = assert_result(nb06.check_seed_interval(answer, runs))
        assert result.passed, (answer, str(result))
    assert "t(9)" in str(nb06.check_seed_interval(right, runs))
    assert nb06.check_seed_interval(right, pd.DataFrame(runs)).passed
    assert nb06.check_seed_interval(right, SimpleNamespace(runs=runs)).passed


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda v: interval(v, scale=np.std(v, ddof=1)), "standard deviation; the interval of a mean"),
        (lambda v: interval(v, z=True), "normal quantile"),
        (lambda v: interval(v, scale=np.std(v, ddof=1), z=True), "standard deviation and a z quantile"),
        (lambda v: interval(v, scale=np.std(v) / math.sqrt(len(v))), "ddof=0"),
        (lambda v: interval(v, df=len(v)), "degrees of freedom, not n"),
        (lambda v: interval(v, confidence=0.90), "90%"),
        (lambda v: interval(v, confidence=0.99), "99%"),
        (lambda v: interval(KNN["Autoencoder_2"]), "interval of Autoencoder_2"),
        (lambda v: interval(np.array(v) / 10 - 0.04), "Autoencoder_3's silhouette"),
        (lambda v: (0.1, 0.2), "is not the 95% t interval of Autoencoder_3's mean knn_accuracy"),
    ],
)
def test_exercise_6_2_names_each_mistake(runs, wrong, message):
    answer = wrong(np.array(KNN["Autoencoder_3"]))
    result = assert_result(nb06.check_seed_interval(answer, runs))
    assert not result.passed and message in str(result)


@pytest.mark.parametrize(
    "answer, message",
    [
        (0.5, "is not an interval"),
        ((0.4, 0.5, 0.6), "is not an interval"),
        ((0.4, float("nan")), "NaN"),
        (("low", 0.5), "not a number"),
        ("(0.47, 0.55)", "is not an interval"),
        (None, "is not an interval"),
    ],
)
def test_exercise_6_2_explains_what_is_not_an_interval(runs, answer, message):
    result = assert_result(nb06.check_seed_interval(answer, runs))
    assert not result.passed and message in str(result)


@pytest.mark.parametrize(
    "study, message",
    [
        (None, "not the study's runs"),
        ([], "not the study's runs"),
        ([{"seed": 0}], "not the study's runs"),
        ("runs.csv", "not the study's runs"),
        ([{"model": "Autoencoder_3", "knn_accuracy": 0.5}], "no two finite"),
        ([{"model": "Autoencoder_3", "knn_accuracy": v} for v in (0.5, float("nan"), 0.4)], "no two finite"),
        ([{"model": "Autoencoder_1", "knn_accuracy": v} for v in (0.5, 0.4)], "no two finite"),
    ],
)
def test_exercise_6_2_explains_what_are_not_runs(study, message):
    result = assert_result(nb06.check_seed_interval((0.4, 0.5), study))
    assert not result.passed and message in str(result)


@FEW
@given(answer=ODD, study=ODD)
def test_exercise_6_2_explains_anything(runs, answer, study):
    assert_result(nb06.check_seed_interval(answer, runs))
    assert not assert_result(nb06.check_seed_interval(answer, study)).passed
