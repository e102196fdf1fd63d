"""Checks of notebook 6's statistics exercise (ex-6-3): Welch's t-test with SciPy, Holm's correction by hand."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

from course_utils import metrics, study
from course_utils.exercises.feedback import CheckResult, coached, not_answered, parse_number, shown, study_runs

# The three comparisons of exercise 6.3, each (model, baseline); all between autoencoders, since PCA has no spread.
COMPARISONS = (("Autoencoder_2", "Autoencoder_1"), ("Autoencoder_3", "Autoencoder_2"), ("Autoencoder_3", "Autoencoder_1"))
METRIC = "knn_accuracy"
# p-values over ten seeds span many orders of magnitude (1e-10 to 0.9), so they are compared relative to their size:
# five significant digits pass, while Student's and Welch's p-values of the saved studies differ in the third.
P_TOLERANCE = {"rel_tol": 1e-4, "abs_tol": 1e-300}
MISSING_STUDY = (
    "The saved depth study is missing, so this answer cannot be checked here: copy the course's results/ folder next "
    "to this notebook and run it again from the top."
)
LIST_EXAMPLE = "e.g. [0.01, 0.2, 0.03]"


def _values(rows: Sequence[Mapping], model: str, metric: str) -> np.ndarray | None:
    """``model``'s ``metric`` over its seeds; None unless there are at least two, all finite numbers."""
    found = [parse_number(row.get(metric))[0] for row in rows if row["model"] == model]
    if len(found) < 2 or None in found:
        return None
    return np.array(found, dtype=float)


def _tests(
    rows: Sequence[Mapping], comparisons: Sequence[tuple[str, str]], metric: str
) -> tuple[list[tuple[np.ndarray, np.ndarray]] | None, str | None]:
    """The two samples of every comparison, or what is missing from the runs."""
    samples = []
    for model, baseline in comparisons:
        pair = _values(rows, model, metric), _values(rows, baseline, metric)
        for name, values in zip((model, baseline), pair):
            if values is None:
                return None, f"The runs hold no two finite {metric} values of {name}: pass result.runs."
        samples.append(pair)
    return samples, None


def _p_values(samples: Sequence[tuple[np.ndarray, np.ndarray]], test) -> list[float] | None:
    """``test(a, b)`` for every comparison, or None where it fails (a paired test of unequal lengths, say)."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # SciPy warns on samples with (almost) no spread
            return [float(test(a, b)) for a, b in samples]
    except (ValueError, TypeError):
        return None


def _welch(a: np.ndarray, b: np.ndarray, alternative: str = "two-sided"):
    return stats.ttest_ind(a, b, equal_var=False, alternative=alternative)


def welch_p_values(samples: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[float] | None:
    """Welch's two-sided p-value of every comparison, as ``scipy.stats.ttest_ind(a, b, equal_var=False)`` gives it."""
    return _p_values(samples, lambda a, b: _welch(a, b).pvalue)


def step_down(p_values: Sequence[float], factors: str = "holm", running_max: bool = True, cap: bool = True) -> list[float]:
    """Holm's step-down adjustment, and the variants students make by mistake.

    Args:
        p_values: The raw p-values, in the order of the comparisons.
        factors: ``"holm"`` multiplies the k-th smallest (k from 1) by m - k + 1; ``"reversed"`` by k;
            ``"from zero"`` by m - k + 2 (k counted from 0); ``"bonferroni"`` every one by m.
        running_max: Keep each adjusted value at least as large as the one of the next smaller p-value.
        cap: Cap the adjusted values at 1.
    """
    m = len(p_values)
    order = np.argsort(p_values, kind="stable")
    rank = np.arange(1, m + 1)
    multiply = {"holm": m - rank + 1, "reversed": rank, "from zero": m - rank + 2, "bonferroni": np.full(m, m)}[factors]
    ranked = np.asarray(p_values, dtype=float)[order] * multiply
    if running_max:
        ranked = np.maximum.accumulate(ranked)
    if cap:
        ranked = np.minimum(1.0, ranked)
    adjusted = np.empty(m)
    adjusted[order] = ranked
    return adjusted.tolist()


def _close(mine: Sequence[float], theirs: Sequence[float] | None) -> bool:
    return (
        theirs is not None
        and len(mine) == len(theirs)
        and all(math.isclose(a, b, **P_TOLERANCE) for a, b in zip(mine, theirs))
    )


def _reordered(mine: Sequence[float], theirs: Sequence[float]) -> bool:
    """True when ``mine`` holds the values of ``theirs`` in another order."""
    return not _close(mine, theirs) and _close(sorted(mine), sorted(theirs))


def _numbers(answer: object, name: str, count: int) -> tuple[list[float] | None, str | None]:
    """``count`` finite numbers from a list, tuple, 1-D array or pandas Series, or what is wrong."""
    if isinstance(answer, Mapping):
        return None, f"{name} is a dict: give a list of {count} numbers in the order of the comparisons, {LIST_EXAMPLE}."
    if isinstance(answer, (set, frozenset)):
        return None, f"{name} is a set, which has no order: give a list, in the order of the comparisons."
    if isinstance(answer, np.ndarray):
        if answer.ndim != 1:
            return None, f"{name} is an array of shape {answer.shape}: give {count} numbers in a list, {LIST_EXAMPLE}."
        answer = list(answer)
    elif callable(getattr(answer, "tolist", None)) and not isinstance(answer, (str, bytes)):
        try:  # a pandas Series
            answer = list(answer.tolist())
        except Exception:  # not a sequence after all
            return None, f"{name} = {shown(answer)} is not a list: give {count} numbers, {LIST_EXAMPLE}."
    if not isinstance(answer, (list, tuple)):
        return None, f"{name} = {shown(answer)} is not a list: give {count} numbers, one per comparison, {LIST_EXAMPLE}."
    if len(answer) != count:
        return None, f"{name} has {len(answer)} values: give {count}, one per comparison, in their order."
    values = []
    for item in answer:
        if hasattr(item, "pvalue"):
            return None, f"{name} holds the tests' results: take each one's p-value, e.g. test.pvalue."
        value, problem = parse_number(item)
        if value is None:
            return None, f"{name}: {problem}"
        values.append(value)
    return values, None


def _p_value_mistakes(
    rows: Sequence[Mapping], comparisons: Sequence[tuple[str, str]], metric: str, expected: list[float]
) -> list[tuple[list[float] | None, str]]:
    """What typical mistakes give instead of Welch's p-values, each with what to say."""
    samples, _ = _tests(rows, comparisons, metric)
    statistics = _p_values(samples, lambda a, b: _welch(a, b).statistic)
    mistakes = [
        (
            _p_values(samples, lambda a, b: stats.ttest_ind(a, b).pvalue),
            "These look like Student's t-test p-values, which assume that both models spread equally: pass "
            "equal_var=False for Welch's test.",
        ),
        (
            _p_values(samples, lambda a, b: stats.ttest_rel(a, b).pvalue),
            "That is the paired t-test (ttest_rel). The two models' runs are two separate sets of trainings: use "
            "ttest_ind with equal_var=False.",
        ),
    ]
    for side in ("greater", "less"):
        one_sided = _p_values(samples, lambda a, b, side=side: _welch(a, b, alternative=side).pvalue)
        message = f"These are one-sided p-values (alternative='{side}'): the course's tests are two-sided, SciPy's default."
        mistakes.append((one_sided, message))
    mistakes += [
        (statistics, "These are t statistics, not p-values: take each test's .pvalue."),
        ([abs(t) for t in statistics] if statistics else None, "These are t statistics, not p-values: take .pvalue."),
        (step_down(expected), "These are already Holm-adjusted: here give the raw p-values of Welch's test."),
        (step_down(expected, "bonferroni"), "These are Bonferroni-adjusted: here give the raw p-values of Welch's test."),
    ]
    for other in metrics.METRIC_DESCRIPTIONS:
        other_samples, _ = _tests(rows, comparisons, other) if other != metric else (None, None)
        if other_samples is not None:
            mistakes.append((welch_p_values(other_samples), f"These are the p-values of {other}, not of {metric}."))
    return mistakes


def _p_value_problem(given: list[float], expected: list[float], mistakes, comparisons) -> str:
    """What is wrong with p-values that are not Welch's; a mistake is named only when it gives every value."""
    if _reordered(given, expected):
        return (
            "These are the right p-values in another order: give them in the order of the comparisons, "
            f"{_listed(comparisons)}."
        )
    for values, message in mistakes:
        if _close(given, values):
            return message
    wrong = [
        f"{model} against {baseline} ({value:.3g})"
        for (model, baseline), value, right in zip(comparisons, given, expected)
        if not math.isclose(value, right, **P_TOLERANCE)
    ]
    outside = [value for value in given if not 0 <= value <= 1]
    if outside:
        return f"{', '.join(f'{value:.3g}' for value in outside)}: a p-value is a chance, between 0 and 1."
    return (
        f"The p-value of {', '.join(wrong)} is not Welch's: scipy.stats.ttest_ind(a, b, equal_var=False).pvalue, with a "
        "and b the two models' values over the seeds."
    )


def _adjustment_mistakes(p_values: list[float]) -> list[tuple[list[float], str]]:
    """What typical mistakes give instead of Holm's adjustment of ``p_values``, each with what to say."""
    m = len(p_values)
    factors = ", ".join(str(m - k) for k in range(m))
    holm = step_down(p_values)
    return [
        (list(p_values), f"these are the p-values themselves, not adjusted. Multiply the smallest by {m}, the next by "
         f"{m - 1}, and so on down to 1 for the largest."),
        (step_down(p_values, "bonferroni"), f"that is Bonferroni's correction, every p-value times {m}. Holm's is less "
         f"strict: multiply the smallest by {m}, the next by {m - 1}, and so on down to 1 for the largest."),
        (step_down(p_values, "reversed"), f"the factors go the wrong way: the smallest p-value is multiplied by {m}, "
         "the largest by 1."),
        (step_down(p_values, "from zero"), f"count k from 1: the factors are {factors}, from the smallest p-value up."),
        (step_down(p_values, running_max=False), "take the running maximum: going up the sorted p-values, an adjusted "
         "p-value is never smaller than the one before it."),
        (step_down(p_values, cap=False), "cap at 1: an adjusted p-value is a chance, never above 1."),
        (sorted(holm), "these are the adjusted p-values sorted from smallest to largest: put each back at its "
         "comparison's place."),
    ]  # fmt: skip


def _adjustment_problem(adjusted: list[float], p_values: list[float]) -> str | None:
    """What is wrong with ``adjusted`` as Holm's adjustment of ``p_values``; None when it is right."""
    holm = step_down(p_values)
    if _close(adjusted, holm):
        return None
    for values, message in _adjustment_mistakes(p_values):
        if _close(adjusted, values):
            return message
    if _reordered(adjusted, holm):
        return "these are the right values in another order: give them in the order of the comparisons."
    m = len(p_values)
    return (
        f"sort the p-values, multiply the k-th smallest by ({m} - k + 1), take the running maximum and cap at 1; then "
        "put each back at its comparison's place."
    )


def _listed(comparisons: Sequence[tuple[str, str]]) -> str:
    return "; ".join(f"{model} against {baseline}" for model, baseline in comparisons)


def _verdict(gain: float, p_holm: float) -> str:
    if p_holm < study.SIGNIFICANCE:
        return study.CLEAR[1] if gain > 0 else study.CLEAR[-1]
    return study.NOT_SHOWN


def _right_lines(
    samples: Sequence[tuple[np.ndarray, np.ndarray]], comparisons, metric: str, p_values: list[float], holm: list[float]
) -> list[str]:
    sign = -1.0 if metric in metrics.LOWER_IS_BETTER else 1.0
    lines = [
        f"{model} against {baseline}: p = {p:.3g}, Holm-adjusted {adjusted:.3g}, so "
        f"{_verdict(sign * (a.mean() - b.mean()), adjusted)}."
        for (model, baseline), (a, b), p, adjusted in zip(comparisons, samples, p_values, holm)
    ]
    lines.append(
        f"Holm's correction here covers these {len(comparisons)} tests. The verdict table adjusts all of its tests "
        "together, with larger factors, so for the same comparisons its p_holm values are at least as large."
    )
    return lines


@coached(
    hint="Welch's test compares two separate sets of runs without assuming that they spread equally. Holm's correction "
    "works on the sorted p-values: the smallest is multiplied by the number of tests, the next by one less, and so on; "
    "an adjusted value is never smaller than the one before it, nor above 1.",
    recipe="knn = {name: [run['knn_accuracy'] for run in result.runs if run['model'] == name] for name in "
    "('Autoencoder_1', 'Autoencoder_2', 'Autoencoder_3')}; p_values_6_3 = [stats.ttest_ind(knn[a], knn[b], "
    "equal_var=False).pvalue for a, b in comparisons_6_3]; order = np.argsort(p_values_6_3); holm_6_3 = [0.0] * 3; "
    "running = 0.0; for k, i in enumerate(order): running = max(running, (3 - k) * p_values_6_3[i]); "
    "holm_6_3[i] = min(1.0, running)",
)
def check_welch_holm(
    p_values: object,
    adjusted: object,
    runs: object,
    comparisons: Sequence[tuple[str, str]] = COMPARISONS,
    metric: str = METRIC,
) -> CheckResult:
    """Exercise 6.3: Welch's p-value of each comparison over the study's seeds, and their Holm adjustment by hand.

    The right answer is computed again from ``runs``. Named mistakes: p-values of Student's t-test,
    the paired test, one-sided tests, t statistics, already adjusted values or another measure, and
    p-values in another order; adjusted values that are not adjusted, Bonferroni's, Holm's factors
    the wrong way round or counted from 0, without the running maximum or the cap, sorted, or in
    another order. An adjustment that is right for wrong p-values is said to be right.

    Args:
        p_values: The p-values, in the order of ``comparisons``.
        adjusted: Their Holm-adjusted values, in the same order.
        runs: The study's runs (``result.runs``), one row per model and seed.
        comparisons: (model, baseline) pairs; the defaults are the exercise's three.
        metric: The measure compared.
    """
    title = "Exercise 6.3"
    if p_values is Ellipsis or adjusted is Ellipsis:
        return not_answered(title)
    rows, problem = study_runs(runs, MISSING_STUDY)
    if rows is None:
        return CheckResult(title, fix=[problem or "Pass result.runs."])
    samples, problem = _tests(rows, comparisons, metric)
    expected = welch_p_values(samples) if samples is not None else None
    if expected is None or not all(math.isfinite(p) for p in expected):
        problem = problem or f"Welch's test cannot be computed on these runs' {metric}: pass result.runs."
        return CheckResult(title, fix=[problem])
    count = len(comparisons)
    given, given_problem = _numbers(p_values, "The p-values", count)
    mine, adjusted_problem = _numbers(adjusted, "The adjusted p-values", count)
    result = CheckResult(title)
    p_right = given is not None and _close(given, expected)
    if given is None:
        result.fix.append(given_problem)
    elif p_right:
        result.right.append("Your p-values match Welch's test (scipy.stats.ttest_ind with equal_var=False).")
    else:
        mistakes = _p_value_mistakes(rows, comparisons, metric, expected)
        result.fix.append(_p_value_problem(given, expected, mistakes, comparisons))
    if mine is None:
        result.fix.append(adjusted_problem)
        return result
    holm = step_down(expected)
    wrong_adjustment = _adjustment_problem(mine, expected)
    if wrong_adjustment is None:
        if not p_right:
            result.right.append("Your adjusted p-values are Holm's adjustment of Welch's p-values.")
    elif given is not None and not p_right and _adjustment_problem(mine, given) is None:
        result.right.append("Your adjustment of your own p-values is right: once they are Welch's, adjust those.")
    elif p_right:
        result.fix.append(f"Your p-values match, but the adjusted ones do not: {wrong_adjustment}")
    else:
        base = given if given is not None and all(0 <= p <= 1 for p in given) else expected
        result.fix.append(f"The adjusted p-values: {_adjustment_problem(mine, base) or wrong_adjustment}")
    if result.passed:
        result.right += _right_lines(samples, comparisons, metric, expected, holm)
    return result
