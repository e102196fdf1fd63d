"""Checks of notebook 6's exercises (ex-6-*): measures that disagree, an interval over seeds, Welch and Holm.

Exercise 6.3 runs Welch's t-test with SciPy and applies Holm's correction by hand.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

from course_utils import metrics, significance
from course_utils.exercises import measure_explorer
from course_utils.exercises.exercise import Call, Exercise
from course_utils.exercises.feedback import CheckResult, coached, not_answered, parse_number, shown, study_runs

EXPLORER_KNN_TARGET = 0.9
EXPLORER_SILHOUETTE_TARGET = 0.1
INTERVAL_TOLERANCE = 0.0002  # four decimals: n degrees of freedom instead of n - 1 moves a bound by a few 0.0001
CONFIDENCE = 0.95
INTERVAL_HINT = "give (low, high), e.g. from scipy.stats.t.interval(0.95, n - 1, loc=mean, scale=scipy.stats.sem(values))"


def _explorer_measures(explorer: object) -> tuple[dict[str, float] | None, str | None]:
    """The measures recomputed from the explorer's current settings, or what is wrong."""
    space = getattr(explorer, "space", None)
    if not callable(getattr(space, "measures", None)):
        return None, f"Pass the measure explorer itself (the object you displayed), not {shown(explorer)}."
    try:
        measured = space.measures()
        values = {name: parse_number(measured[name])[0] for name in ("knn_accuracy", "silhouette")}
    except Exception as error:  # the explorer's settings were changed by hand into something impossible
        return None, f"The explorer's settings cannot be measured ({type(error).__name__}): move a slider, then check again."
    if any(value is None for value in values.values()):
        return None, "The explorer's measures are not finite numbers: move a slider, then check again."
    return values, None


@coached(
    hint="kNN accuracy looks only at the 5 nearest points; the silhouette at whole clusters. Keep each "
    "neighbourhood pure while each digit stops being one compact cluster.",
    recipe="A small spread keeps the neighbourhoods pure; a split of about a third draws part of each digit in a "
    "second place: e.g. explorer_6_1.set(split=0.35, spread=0.2).",
)
def check_measure_explorer(explorer: object) -> CheckResult:
    """Exercise 6.1: a made-up latent space with pure neighbourhoods (kNN accuracy >= 0.9) but silhouette < 0.1.

    The measures are recomputed from the sliders' current settings, not read from the widget's display.
    """
    title = "Exercise 6.1"
    if explorer is Ellipsis:
        return not_answered(title)
    measured, problem = _explorer_measures(explorer)
    if measured is None:
        return CheckResult(title, fix=[problem or "Pass the measure explorer."])
    knn, silhouette = measured["knn_accuracy"], measured["silhouette"]
    result = CheckResult(title)
    if knn >= EXPLORER_KNN_TARGET:
        result.right.append(f"kNN accuracy {knn:.3f}: the nearest neighbours of almost every point share its digit.")
    else:
        result.fix.append(
            f"kNN accuracy {knn:.3f} is below {EXPLORER_KNN_TARGET}: neighbourhoods are mixed. Make the clusters "
            "narrower (spread) compared with their distance."
        )
    if silhouette < EXPLORER_SILHOUETTE_TARGET:
        result.right.append(f"Silhouette {silhouette:+.3f}: on average a point is about as close to other digits as to "
                            "all of its own.")  # fmt: skip
    else:
        result.fix.append(
            f"Silhouette {silhouette:+.3f} is not below {EXPLORER_SILHOUETTE_TARGET}: each digit is still one compact "
            "group, apart from the others. Keep the neighbourhoods pure but take each digit's cluster apart: draw a "
            "share of it in a second place (long arms lower the silhouette too, but less)."
        )
    if result.passed:
        result.right.append(
            "kNN accuracy looks at the 5 nearest points only; the silhouette at whole clusters. A digit drawn in two "
            "places, or along a long arm, has pure neighbourhoods yet lies far from much of its own cluster: "
            "the two measures disagree, as they do for the autoencoders above."
        )
    return result


def _values(runs: Sequence[Mapping], model: str, metric: str) -> list[float | None]:
    """``model``'s ``metric`` in every run of it; None where it is missing or not a finite number."""
    return [parse_number(run.get(metric))[0] for run in runs if run["model"] == model]


def _interval_bounds(answer: object) -> tuple[tuple[float, float] | None, str | None]:
    """``(low, high)`` read from a pair of numbers or a SciPy ``ConfidenceInterval``, or what is wrong."""
    if hasattr(answer, "low") and hasattr(answer, "high"):
        answer = (answer.low, answer.high)
    if isinstance(answer, np.ndarray) and answer.ndim == 1:
        answer = tuple(answer)
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return None, f"{shown(answer)} is not an interval: {INTERVAL_HINT}."
    bounds = [parse_number(bound) for bound in answer]
    problem = next((problem for _, problem in bounds if problem), None)
    if problem is not None:
        return None, f"A bound of the interval: {problem}"
    low, high = sorted(value for value, _ in bounds)
    return (low, high), None


def _t_interval(values: np.ndarray, scale: float, confidence: float = CONFIDENCE, z: bool = False, extra: int = 0):
    """The interval ``mean ± quantile × scale``, with a t (or normal) quantile."""

    mean = float(np.mean(values))
    if z:
        return stats.norm.interval(confidence, loc=mean, scale=scale)
    return stats.t.interval(confidence, len(values) - 1 + extra, loc=mean, scale=scale)


def seed_interval_mistakes(runs: Sequence[Mapping], model: str, metric: str) -> tuple[tuple[float, float], list]:
    """The t interval of ``model``'s mean ``metric`` over its seeds, and what typical mistakes give."""

    def values_of(name: str, measure: str) -> np.ndarray:
        found = _values(runs, name, measure)
        return np.array(found if None not in found else [], dtype=float)

    values = values_of(model, metric)
    sem, sd, n = float(stats.sem(values)), float(np.std(values, ddof=1)), len(values)
    mistakes = [
        (_t_interval(values, sd), "You used the standard deviation; the interval of a mean uses the standard error, "
         "sd / √n (scipy.stats.sem)."),
        (_t_interval(values, sem, z=True), f"You used the normal quantile (1.96, a z interval); with {n} seeds use t "
         f"with {n - 1} degrees of freedom (scipy.stats.t)."),
        (_t_interval(values, sd, z=True), "You used the standard deviation and a z quantile: use the standard error "
         "(scipy.stats.sem) and t with n - 1 degrees of freedom."),
        (_t_interval(values, np.std(values) / math.sqrt(n)), "np.std divides by n (ddof=0); the standard error uses "
         "the sample standard deviation, ddof=1, as scipy.stats.sem does."),
        (_t_interval(values, sem, extra=1), f"Use n - 1 = {n - 1} degrees of freedom, not n."),
        (_t_interval(values, sem, confidence=0.90), "That is a 90% interval: ask for 0.95."),
        (_t_interval(values, sem, confidence=0.99), "That is a 99% interval: ask for 0.95."),
    ]  # fmt: skip
    for other in dict.fromkeys(run["model"] for run in runs):
        other_values = values_of(other, metric)
        if other != model and len(other_values) > 1:
            mistakes.append((_t_interval(other_values, float(stats.sem(other_values))), f"That is the interval of {other}."))
    for measure in metrics.METRIC_DESCRIPTIONS:
        other_values = values_of(model, measure)
        if measure != metric and len(other_values) > 1:
            interval = _t_interval(other_values, float(stats.sem(other_values)))
            mistakes.append((interval, f"That is the interval of {model}'s {measure}, not of its {metric}."))
    return _t_interval(values, sem), mistakes


@coached(
    hint="The interval of a mean is mean ± quantile × standard error: the standard error is sd / √n (the spread "
    "of the mean, not of single runs), and with few seeds the quantile is t's, with n - 1 degrees of freedom.",
    recipe="values = [run['knn_accuracy'] for run in result.runs if run['model'] == 'Autoencoder_3']; "
    "scipy.stats.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=scipy.stats.sem(values))",
)
def check_seed_interval(
    answer: object, runs: object, model: str = "Autoencoder_3", metric: str = "knn_accuracy"
) -> CheckResult:
    """Exercise 6.2: the 95% t confidence interval of one model's mean measure over the study's seeds.

    Args:
        answer: ``(low, high)``, or SciPy's ``ConfidenceInterval``.
        runs: The study's runs (``result.runs``), one row per model and seed.
        model: The model whose mean is meant.
        metric: The measure.
    """
    title = "Exercise 6.2"
    if answer is Ellipsis:
        return not_answered(title)
    rows, problem = study_runs(runs)
    bounds, answer_problem = _interval_bounds(answer)
    if rows is None or bounds is None:
        return CheckResult(title, fix=[problem or answer_problem or "Give (low, high)."])
    finite = _values(rows, model, metric) if isinstance(model, str) and isinstance(metric, str) else []
    if len(finite) < 2 or None in finite:
        return CheckResult(title, fix=[f"The runs hold no two finite {metric} values of {model}: pass result.runs."])
    with np.errstate(all="ignore"):
        expected, mistakes = seed_interval_mistakes(rows, model, metric)

    def close(interval) -> bool:
        return all(abs(mine - theirs) <= INTERVAL_TOLERANCE for mine, theirs in zip(bounds, interval))

    if close(expected):
        n, (low, high) = len(finite), expected
        return CheckResult(
            title,
            right=[
                f"({low:.4f}, {high:.4f}): mean ± t({n - 1}) × standard error over {n} seeds, as scipy.stats computes it.",
                f"Another set of {n} seeds would give another mean; 95% of intervals made this way contain the true "
                f"mean of {model}'s {metric} under the course's settings.",
            ],
        )
    for interval, message in mistakes:
        if close(interval):
            return CheckResult(title, fix=[f"({bounds[0]:.4f}, {bounds[1]:.4f}) is not it. {message}"])
    return CheckResult(
        title, fix=[f"({bounds[0]:.4f}, {bounds[1]:.4f}) is not the 95% t interval of {model}'s mean {metric}."]
    )


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


def _finite_values(rows: Sequence[Mapping], model: str, metric: str) -> np.ndarray | None:
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
        pair = _finite_values(rows, model, metric), _finite_values(rows, baseline, metric)
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
    if p_holm < significance.SIGNIFICANCE:
        return significance.CLEAR[1] if gain > 0 else significance.CLEAR[-1]
    return significance.NOT_SHOWN


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
    # Two parts, each half the points: Welch's p-values, and Holm's adjustment (of Welch's or of the student's own).
    p_right = result.part("Welch's p-values", given is not None and _close(given, expected))
    if given is None:
        result.fix.append(given_problem)
    elif p_right:
        result.right.append("Your p-values match Welch's test (scipy.stats.ttest_ind with equal_var=False).")
    else:
        mistakes = _p_value_mistakes(rows, comparisons, metric, expected)
        result.fix.append(_p_value_problem(given, expected, mistakes, comparisons))
    if mine is None:
        result.fix.append(adjusted_problem)
        result.part("Holm's adjustment", False)
        return result
    holm = step_down(expected)
    wrong_adjustment = _adjustment_problem(mine, expected)
    own_adjusted = given is not None and not p_right and _adjustment_problem(mine, given) is None
    result.part("Holm's adjustment", wrong_adjustment is None or own_adjusted)
    if wrong_adjustment is None:
        if not p_right:
            result.right.append("Your adjusted p-values are Holm's adjustment of Welch's p-values.")
    elif own_adjusted:
        result.right.append("Your adjustment of your own p-values is right: once they are Welch's, adjust those.")
    elif p_right:
        result.fix.append(f"Your p-values match, but the adjusted ones do not: {wrong_adjustment}")
    else:
        base = given if given is not None and all(0 <= p <= 1 for p in given) else expected
        result.fix.append(f"The adjusted p-values: {_adjustment_problem(mine, base) or wrong_adjustment}")
    if result.passed:
        result.right += _right_lines(samples, comparisons, metric, expected, holm)
    return result


EXERCISES = (
    Exercise(
        label="ex-6-1",
        number="6.1",
        title="make the measures disagree",
        notebook="06_measuring_latent_quality",
        goal="kNN accuracy asks about nearest neighbours, the silhouette about whole clusters",
        looks_at=(
            "the measures recomputed from the explorer's sliders: kNN accuracy at least 0.9 and silhouette below 0.1; "
            "says which of the two is missing and which slider helps"
        ),
        answer="e.g. split 0.35, spread 0.2 (a second place for each digit)",
        calls=(
            Call(measure_explorer.MeasureExplorer),
            Call(check_measure_explorer, "explorer_6_1"),
        ),
        minutes=10,
        points=2,
    ),
    Exercise(
        label="ex-6-2",
        number="6.2",
        title="how sure is a mean over ten seeds?",
        notebook="06_measuring_latent_quality",
        goal="a 95% t confidence interval of a mean over seeds, with SciPy",
        looks_at=(
            "(low, high) or SciPy's ConfidenceInterval against `scipy.stats.t.interval` of Autoencoder_3's kNN accuracy "
            "over the study's seeds; recognises the standard deviation for the standard error, z for t, ddof=0, n "
            "degrees of freedom, 90% or 99%, another model or measure"
        ),
        answer="depends on the study (printed by the solution)",
        calls=(Call(check_seed_interval, "interval_6_2, result.runs"),),
        minutes=10,
        points=2,
    ),
    Exercise(
        label="ex-6-3",
        number="6.3",
        title="Welch's test and Holm's correction by hand",
        notebook="06_measuring_latent_quality",
        goal="run Welch's t-test with SciPy, and adjust a few p-values for many comparisons with Holm's method yourself",
        looks_at=(
            "three p-values and their adjusted values, in the order of the comparisons, against Welch's t-test and "
            "Holm's step-down method recomputed from the study's kNN accuracies; recognises Student's t-test, the "
            "paired test, one-sided tests, t statistics, adjusted values or another measure given as p-values, and "
            "values in another order; adjusted values left unadjusted, Bonferroni's, factors the wrong way round or "
            "counted from 0, no running maximum, no cap at 1, sorted; a right adjustment of wrong p-values is said "
            "to be right"
        ),
        answer="depends on the study (printed by the solution)",
        calls=(Call(check_welch_holm, "p_values_6_3, holm_6_3, result.runs"),),
        minutes=15,
        points=3,
    ),
)
