"""The check of exercise 6.3 (Welch's t-test with SciPy, Holm's correction by hand): right, mistaken, nonsense."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from strategies import FEW, ODD

from course_utils import significance, study
from course_utils.exercises.checks import nb06
from course_utils.exercises.checks.nb06 import COMPARISONS, check_welch_holm, step_down
from course_utils.exercises.feedback import CheckResult

pytestmark = pytest.mark.backend

SAVED_STUDY = Path(__file__).resolve().parents[1] / "notebooks" / "results" / "depth_study"
# Ten seeds per model, with different spreads (so that Student's and Welch's p-values differ) and
# p-values of different sizes (so that Holm's factors, the running maximum and Bonferroni differ).
KNN = {
    "Autoencoder_1": [0.33, 0.34, 0.31, 0.36, 0.32, 0.30, 0.35, 0.33, 0.37, 0.31],
    "Autoencoder_2": [0.36, 0.41, 0.33, 0.44, 0.30, 0.39, 0.43, 0.35, 0.38, 0.40],
    "Autoencoder_3": [0.47, 0.56, 0.40, 0.58, 0.49, 0.38, 0.53, 0.50, 0.42, 0.48],
}


def make_runs(knn: dict[str, list[float]]) -> list[dict]:
    """A small study: one row per model and seed, PCA the same for every seed."""
    rows = [
        {"model": model, "seed": seed, "knn_accuracy": value, "bce": 0.3 - value / 5 + 0.001 * seed**2}
        for model, values in knn.items()
        for seed, value in enumerate(values)
    ]
    return rows + [{"model": study.PCA_NAME, "seed": seed, "knn_accuracy": 0.418, "bce": 0.2} for seed in range(10)]


@pytest.fixture(scope="module")
def runs() -> list[dict]:
    return make_runs(KNN)


def samples(knn=KNN, comparisons=COMPARISONS) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.array(knn[model]), np.array(knn[baseline])) for model, baseline in comparisons]


def p_values(test=lambda a, b: stats.ttest_ind(a, b, equal_var=False).pvalue, knn=KNN, comparisons=COMPARISONS):
    return [float(test(a, b)) for a, b in samples(knn, comparisons)]


def assert_result(result: object) -> CheckResult:
    """A check's result that renders and says what to fix unless it passed."""
    assert isinstance(result, CheckResult)
    assert str(result) and result._repr_html_()
    assert result.passed or result.fix
    assert 0 <= result.score <= 1 and (result.score == 1) == result.passed
    return result


def holm_by_hand(values: list[float]) -> list[float]:
    """Holm's adjustment as the exercise describes it, step by step."""
    order = sorted(range(len(values)), key=values.__getitem__)
    adjusted, running = [0.0] * len(values), 0.0
    for k, index in enumerate(order, start=1):
        running = max(running, (len(values) - k + 1) * values[index])
        adjusted[index] = min(1.0, running)
    return adjusted


def test_the_synthetic_study_tells_the_mistakes_apart():
    welch, student = p_values(), p_values(lambda a, b: stats.ttest_ind(a, b).pvalue)
    assert all(abs(w - s) / w > 1e-3 for w, s in zip(welch, student))
    assert step_down(welch) != step_down(welch, "bonferroni") and step_down(welch) != sorted(step_down(welch))
    assert step_down(welch, "reversed") != step_down(welch) != step_down(welch, "from zero")


@pytest.mark.parametrize("seed", range(20))
def test_step_down_is_the_courses_holm(seed):
    values = np.random.default_rng(seed).uniform(0, 0.6, size=seed % 6 + 1).tolist()
    assert np.allclose(step_down(values), significance.holm(values))
    assert np.allclose(step_down(values), holm_by_hand(values))


# ---------------------------------------------------------------------------------------------
# Right answers
# ---------------------------------------------------------------------------------------------


def test_the_right_answer_in_every_form(runs):
    welch = p_values()
    holm = holm_by_hand(welch)
    for answer in (
        (welch, holm),
        (tuple(welch), tuple(holm)),
        (np.array(welch), np.array(holm)),
        (pd.Series(welch), pd.Series(holm)),
        ([float(f"{p:.6g}") for p in welch], [float(f"{p:.6g}") for p in holm]),
        ([np.float64(p) for p in welch], list(significance.holm(welch))),
    ):
        result = assert_result(check_welch_holm(*answer, runs))
        assert result.passed, (answer, str(result))
    text = str(check_welch_holm(welch, holm, runs))
    assert "match Welch's test" in text and "Autoencoder_3 against Autoencoder_1: p = " in text
    assert check_welch_holm(welch, holm, pd.DataFrame(runs)).passed
    assert check_welch_holm(welch, holm, SimpleNamespace(runs=runs)).passed


def test_the_right_answer_names_each_verdict(runs):
    text = str(check_welch_holm(p_values(), holm_by_hand(p_values()), runs))
    for (model, baseline), adjusted in zip(COMPARISONS, holm_by_hand(p_values())):
        expected = significance.CLEAR[1] if adjusted < significance.SIGNIFICANCE else significance.NOT_SHOWN
        assert f"{model} against {baseline}: p = " in text and f"so {expected}." in text
    assert "these 3 tests" in text and "p_holm" in text


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_the_notebooks_solution_passes_on_the_saved_study(backend):
    result = study.load_saved(SAVED_STUDY, backend)
    if result is None:
        pytest.skip(f"no saved {backend} study")
    knn = {
        name: [run["knn_accuracy"] for run in result.runs if run["model"] == name]
        for name in ("Autoencoder_1", "Autoencoder_2", "Autoencoder_3")
    }
    welch = [stats.ttest_ind(knn[a], knn[b], equal_var=False).pvalue for a, b in COMPARISONS]
    assert assert_result(check_welch_holm(welch, holm_by_hand(welch), result.runs)).passed
    assert assert_result(check_welch_holm(welch, holm_by_hand(welch), result)).passed
    # The same p-values as the course's own comparisons (which adjust a larger family).
    table = significance.compare_runs(result.runs, COMPARISONS, ["knn_accuracy"])
    assert np.allclose(table["p"], welch, rtol=1e-9)
    # The verdict table's larger family adjusts the comparisons it shares at least as much (the check says so).
    verdict_table = significance.compare_runs(result.runs, COMPARISONS[:2]).set_index(["model", "baseline", "metric"])
    for pair, adjusted in zip(COMPARISONS[:2], holm_by_hand(welch)):
        assert verdict_table.loc[(*pair, "knn_accuracy"), "p_holm"] >= adjusted


@FEW
@given(
    p=st.lists(st.floats(0, 1), min_size=1, max_size=5),
    extra=st.lists(st.floats(0, 1), max_size=20),
)
def test_holm_in_a_larger_family_adjusts_at_least_as_much(p, extra):
    assert all(big >= small - 1e-12 for small, big in zip(step_down(p), step_down(p + extra)))


# ---------------------------------------------------------------------------------------------
# Named mistakes
# ---------------------------------------------------------------------------------------------


def _welch(alternative="two-sided"):
    return lambda a, b: stats.ttest_ind(a, b, equal_var=False, alternative=alternative).pvalue


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda: p_values(lambda a, b: stats.ttest_ind(a, b).pvalue), "Student's t-test p-values"),
        (lambda: p_values(lambda a, b: stats.ttest_ind(a, b).pvalue), "pass equal_var=False"),
        (lambda: p_values(lambda a, b: stats.ttest_rel(a, b).pvalue), "paired t-test"),
        (lambda: p_values(_welch("greater")), "one-sided"),
        (lambda: p_values(_welch("less")), "one-sided"),
        (lambda: p_values(lambda a, b: stats.ttest_ind(a, b, equal_var=False).statistic), "t statistics"),
        (lambda: holm_by_hand(p_values()), "already Holm-adjusted"),
        (lambda: step_down(p_values(), "bonferroni"), "Bonferroni-adjusted"),
        (lambda: p_values()[::-1], "right p-values in another order"),
        (lambda: [p_values()[1], p_values()[0], p_values()[2]], "in the order of the comparisons"),
        (
            lambda: [p_values()[0], 0.5, p_values()[2]],
            "The p-value of Autoencoder_3 against Autoencoder_2 (0.5) is not Welch's",
        ),
        (lambda: [p_values()[0], 1.5, p_values()[2]], "a p-value is a chance, between 0 and 1"),
    ],
)
def test_each_wrong_p_value_gets_its_own_message(runs, wrong, message):
    answer = wrong()
    result = assert_result(check_welch_holm(answer, holm_by_hand(p_values()), runs))
    assert not result.passed and message in str(result), str(result)


def test_p_values_of_another_measure_are_named(runs):
    bce = [[row["bce"] for row in runs if row["model"] == name] for name in KNN]
    by_name = dict(zip(KNN, bce))
    answer = [stats.ttest_ind(by_name[a], by_name[b], equal_var=False).pvalue for a, b in COMPARISONS]
    result = assert_result(check_welch_holm(answer, holm_by_hand(answer), runs))
    assert not result.passed and "p-values of bce, not of knn_accuracy" in str(result)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda p: list(p), "Your p-values match, but the adjusted ones do not: these are the p-values themselves"),
        (lambda p: list(p), "Multiply the smallest by 3"),
        (lambda p: step_down(p, "bonferroni"), "Bonferroni's correction, every p-value times 3"),
        (lambda p: step_down(p, "reversed"), "the factors go the wrong way"),
        (lambda p: step_down(p, "from zero"), "count k from 1"),
        (lambda p: sorted(holm_by_hand(p)), "sorted from smallest to largest"),
        (lambda p: [holm_by_hand(p)[i] for i in (0, 2, 1)], "right values in another order"),
        (lambda p: [0.5, 0.5, 0.5], "sort the p-values, multiply the k-th smallest by (3 - k + 1)"),
    ],
)
def test_each_wrong_adjustment_gets_its_own_message(runs, wrong, message):
    welch = p_values()
    result = assert_result(check_welch_holm(welch, wrong(welch), runs))
    assert not result.passed and message in str(result), str(result)
    assert "Your p-values match Welch's test" in str(result)


# A study whose p-values need the running maximum (the second smallest is close to the smallest)
# and the cap (three models from one distribution, every p-value large).
CLOSE = {
    "Autoencoder_1": [0.332, 0.283, 0.294, 0.331, 0.31, 0.31, 0.292, 0.275, 0.303, 0.302],
    "Autoencoder_2": [0.305, 0.316, 0.329, 0.311, 0.328, 0.332, 0.331, 0.32, 0.342, 0.348],
    "Autoencoder_3": [0.37, 0.335, 0.382, 0.345, 0.386, 0.328, 0.387, 0.359, 0.323, 0.351],
}
ALIKE = {
    "Autoencoder_1": [0.40, 0.42, 0.41, 0.43, 0.39, 0.40, 0.42, 0.41, 0.40, 0.43],
    "Autoencoder_2": [0.41, 0.41, 0.42, 0.42, 0.40, 0.40, 0.41, 0.43, 0.40, 0.42],
    "Autoencoder_3": [0.40, 0.43, 0.41, 0.42, 0.40, 0.41, 0.41, 0.42, 0.39, 0.42],
}


@pytest.mark.parametrize(
    "knn, wrong, message",
    [
        (CLOSE, lambda p: step_down(p, running_max=False), "take the running maximum"),
        (ALIKE, lambda p: step_down(p, cap=False), "cap at 1"),
    ],
)
def test_a_missing_running_maximum_or_cap_is_named(knn, wrong, message):
    welch = p_values(knn=knn)
    assert wrong(welch) != step_down(welch), "the study does not tell this mistake apart"
    result = assert_result(check_welch_holm(welch, wrong(welch), make_runs(knn)))
    assert not result.passed and message in str(result), str(result)
    assert check_welch_holm(welch, holm_by_hand(welch), make_runs(knn)).passed


def test_an_adjustment_right_for_wrong_p_values_is_said_to_be_right(runs):
    student = p_values(lambda a, b: stats.ttest_ind(a, b).pvalue)
    result = assert_result(check_welch_holm(student, holm_by_hand(student), runs))
    assert not result.passed and "Your adjustment of your own p-values is right" in str(result)
    assert "Student's t-test" in str(result)
    bonferroni = assert_result(check_welch_holm(student, step_down(student, "bonferroni"), runs))
    assert "The adjusted p-values: that is Bonferroni's correction" in str(bonferroni)


def test_right_adjusted_values_with_wrong_p_values_are_right(runs):
    result = assert_result(check_welch_holm([0.5, 0.5, 0.5], holm_by_hand(p_values()), runs))
    assert not result.passed and "Holm's adjustment of Welch's p-values" in str(result)


# ---------------------------------------------------------------------------------------------
# Partial credit: the p-values and the adjustment are each half the points
# ---------------------------------------------------------------------------------------------


def test_each_half_of_the_answer_earns_half_the_points(runs):
    welch, student = p_values(), p_values(lambda a, b: stats.ttest_ind(a, b).pvalue)
    assert check_welch_holm(welch, holm_by_hand(welch), runs).score == 1
    assert check_welch_holm(welch, step_down(welch, "bonferroni"), runs).score == 0.5, "right p-values only"
    assert check_welch_holm(welch, "small", runs).score == 0.5, "right p-values, adjusted values that are no list"
    assert check_welch_holm([0.5, 0.5, 0.5], holm_by_hand(welch), runs).score == 0.5, "Holm's values only"
    assert check_welch_holm(student, holm_by_hand(student), runs).score == 0.5, "a right adjustment of its own p-values"
    assert check_welch_holm(student, step_down(student, "bonferroni"), runs).score == 0
    assert check_welch_holm(welch, holm_by_hand(welch), []).score == 0, "no study: nothing to judge"
    assert check_welch_holm(..., holm_by_hand(welch), runs).score == 0


# ---------------------------------------------------------------------------------------------
# What is not an answer, and what are not runs
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer, message",
    [
        ([0.01, 0.02], "has 2 values: give 3, one per comparison"),
        ([0.01, 0.02, 0.03, 0.04], "has 4 values: give 3"),
        ([0.01, "small", 0.03], "The p-values:"),
        ([0.01, None, 0.03], "The p-values:"),
        ([0.01, float("nan"), 0.03], "NaN"),
        ([0.01, True, 0.03], "yes/no value"),
        ("0.01, 0.02, 0.03", "is not a list"),
        (0.01, "is not a list"),
        (None, "is not a list"),
        ({"Autoencoder_2": 0.01}, "is a dict"),
        ({0.01, 0.02, 0.03}, "a set, which has no order"),
        (np.zeros((3, 1)), "an array of shape (3, 1)"),
    ],
)
def test_what_is_not_a_list_of_p_values_is_explained(runs, answer, message):
    result = assert_result(check_welch_holm(answer, holm_by_hand(p_values()), runs))
    assert not result.passed and message in str(result), str(result)
    adjusted = assert_result(check_welch_holm(p_values(), answer, runs))
    assert not adjusted.passed and message.replace("The p-values", "The adjusted p-values") in str(adjusted)


def test_test_results_instead_of_p_values_are_named(runs):
    results = [stats.ttest_ind(a, b, equal_var=False) for a, b in samples()]
    result = assert_result(check_welch_holm(results, holm_by_hand(p_values()), runs))
    assert not result.passed and ".pvalue" in str(result)


@pytest.mark.parametrize("empty", [[], (), pd.DataFrame(), SimpleNamespace(runs=[])])
def test_an_empty_study_gets_a_clear_message(empty):
    result = assert_result(check_welch_holm(p_values(), holm_by_hand(p_values()), empty))
    assert not result.passed and "saved depth study is missing" in str(result) and "results/" in str(result)


def test_a_missing_saved_study_as_the_notebook_loads_it(tmp_path, capsys):
    empty = study.saved_study(tmp_path / "depth_study", "tensorflow")
    capsys.readouterr()
    result = assert_result(check_welch_holm(p_values(), holm_by_hand(p_values()), empty.runs))
    assert not result.passed and "saved depth study is missing" in str(result)


@pytest.mark.parametrize(
    "bad, message",
    [
        (None, "not the study's runs"),
        ("runs.csv", "not the study's runs"),
        ([{"seed": 0}], "not the study's runs"),
        (
            [{"model": "Autoencoder_1", "knn_accuracy": v} for v in (0.3, 0.4)],
            "no two finite knn_accuracy values of Autoencoder_2",
        ),
        (
            make_runs({**KNN, "Autoencoder_3": [0.5, float("nan"), 0.4]}),
            "no two finite knn_accuracy values of Autoencoder_3",
        ),
        (make_runs({name: [0.4] * 10 for name in KNN}), "Welch's test cannot be computed"),
    ],
)
def test_what_are_not_runs_is_explained(bad, message):
    result = assert_result(check_welch_holm(p_values(), holm_by_hand(p_values()), bad))
    assert not result.passed and message in str(result), str(result)


def test_the_placeholder_is_not_answered_yet(runs):
    for answer in ((..., holm_by_hand(p_values())), (p_values(), ...), (..., ...)):
        result = check_welch_holm(*answer, runs)
        assert not result.answered and "not answered yet" in str(result)
        assert not result.hint


def test_a_hint_first_then_the_recipe(runs):
    first = check_welch_holm(p_values(), p_values(), runs)
    assert first.hint and not first.recipe
    second = check_welch_holm(p_values(), p_values(), runs)
    assert second.recipe and "equal_var=False" in second.recipe and "np.argsort" in second.recipe
    assert nb06.check_welch_holm.hint == first.hint


@FEW
@given(p=ODD, adjusted=ODD, study_runs=ODD)
def test_anything_is_explained_never_raised(runs, p, adjusted, study_runs):
    assert_result(check_welch_holm(p, adjusted, runs))
    assert not assert_result(check_welch_holm(p, adjusted, study_runs)).passed


@FEW
@given(p=st.lists(st.floats(0, 1), min_size=3, max_size=3), adjusted=st.lists(st.floats(0, 2), min_size=3, max_size=3))
def test_any_three_numbers_are_judged(runs, p, adjusted):
    result = assert_result(check_welch_holm(p, adjusted, runs))
    assert result.passed == (
        np.allclose(p, p_values(), rtol=1e-4, atol=0) and np.allclose(adjusted, holm_by_hand(p_values()), rtol=1e-4, atol=0)
    )
