"""Checks of notebook 8's exercises (ex-8-*): reading the data-size study."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import pandas as pd

from course_utils import size_study, study
from course_utils.exercises.feedback import CheckResult, not_answered, parse_number, shown

CLEARLY_BETTER = study.CLEAR[1]
# Gains are means of seeds' measures: to four decimals, as the study's tables show them.
GAIN_TOLERANCE = 5e-4


def _size_verdicts(result: object) -> tuple[pd.DataFrame | None, str | None]:
    """The study's verdicts by size, or what is wrong with ``result``."""
    if not isinstance(result, size_study.SizeStudyResult):
        return None, f"{shown(result)} is not the data-size study: pass size_result."
    return size_study.verdicts_by_size(result), None


def _comparison(verdicts: pd.DataFrame, model: str, baseline: str, metric: str) -> pd.DataFrame:
    chosen = (verdicts["model"] == model) & (verdicts["baseline"] == baseline) & (verdicts["metric"] == metric)
    return verdicts[chosen].set_index("train_size")


def _sizes(answer: object) -> tuple[set[int] | None, str | None]:
    """A set of whole sizes read from a list, tuple or set of numbers, or what is wrong."""
    if isinstance(answer, (str, bytes, Mapping)) or not hasattr(answer, "__iter__"):
        return None, f"{shown(answer)} is not a list of sizes: give them in a list such as [4000, 15000] (or [] for none)."
    sizes = set()
    for item in answer:
        value, problem = parse_number(item)
        if value is None or isinstance(item, bool) or value != int(value):
            return None, problem or f"{shown(item)} is not a number of training images."
        sizes.add(int(value))
    return sizes, None


def _described(row: pd.Series, size: int) -> str:
    return f"at {size:,} the gain is {row['gain']:+.4f} with Holm-adjusted p = {row['p_holm']:.3g}"


def check_sizes_where_depth_pays(
    answer: object,
    result: object,
    model: str = "Autoencoder_3",
    baseline: str = study.PCA_NAME,
    metric: str = "knn_accuracy",
) -> CheckResult:
    """Exercise 8.1: the training-set sizes at which ``model`` is clearly better than ``baseline``.

    Args:
        answer: The sizes, e.g. ``[15000, 60000]``; ``[]`` for none.
        result: The data-size study (``size_result``).
        model: The model compared.
        baseline: What it is compared with.
        metric: The measure.
    """
    title = "Exercise 8.1"
    if answer is Ellipsis:
        return not_answered(title)
    verdicts, problem = _size_verdicts(result)
    sizes, answer_problem = _sizes(answer)
    if verdicts is None or sizes is None:
        return CheckResult(title, fix=[problem or answer_problem or "Give a list of sizes."])
    table = _comparison(verdicts, model, baseline, metric)
    studied = sorted(table.index)
    unknown = sorted(sizes - set(studied))
    if unknown:
        listed = ", ".join(f"{size:,}" for size in studied)
        return CheckResult(title, fix=[f"{', '.join(f'{s:,}' for s in unknown)}: the study has no such size ({listed})."])
    expected = {size for size in studied if table.loc[size, "verdict"] == CLEARLY_BETTER}
    if sizes == expected:
        return CheckResult(title, right=[_right_text(table, expected, model, baseline, metric)])
    return CheckResult(title, fix=_size_mistakes(table, sizes, expected, model, baseline))


def _right_text(table: pd.DataFrame, expected: set[int], model: str, baseline: str, metric: str) -> str:
    where = ", ".join(f"{size:,}" for size in sorted(expected)) or "no size"
    details = "; ".join(_described(table.loc[size], size) for size in sorted(table.index))
    return (
        f"{model} is clearly better than {baseline} in {metric} at {where} (Welch's t-test over the seeds, Holm's "
        f"correction within each size): {details}."
    )


def _size_mistakes(table: pd.DataFrame, sizes: set[int], expected: set[int], model: str, baseline: str) -> list[str]:
    fixes = []
    for size in sorted(sizes - expected):
        row = table.loc[size]
        if row["verdict"] == study.CLEAR[-1]:
            fixes.append(f"{size:,}: there {model} is clearly *worse* than {baseline} ({_described(row, size)}).")
        else:
            fixes.append(
                f"{size:,}: {_described(row, size)}, not below 0.05, so the difference is not shown: a higher mean "
                "alone is not enough, the seeds must make it unlikely to be luck."
            )
    for size in sorted(expected - sizes):
        fixes.append(f"{size:,} is missing: {_described(table.loc[size], size)}, below 0.05, so it is clearly better.")
    return fixes


def check_depth_gain_by_size(
    answer: object,
    result: object,
    model: str = "Autoencoder_3",
    baseline: str = "Autoencoder_1",
    metric: str = "knn_accuracy",
) -> CheckResult:
    """Exercise 8.2: ``model``'s mean gain over ``baseline`` at every size, as ``{size: gain}``.

    Args:
        answer: A dict from each studied size to the mean of ``model``'s measure minus the mean of
            ``baseline``'s, over the seeds.
        result: The data-size study (``size_result``).
        model: The deeper model.
        baseline: The model it is compared with.
        metric: The measure.
    """
    title = "Exercise 8.2"
    if answer is Ellipsis:
        return not_answered(title)
    verdicts, problem = _size_verdicts(result)
    if verdicts is None:
        return CheckResult(title, fix=[problem])
    if not isinstance(answer, Mapping):
        return CheckResult(title, fix=[f"{shown(answer)} is not a dict: give {{size: gain}}, e.g. {{1000: 0.01, ...}}."])
    table = _comparison(verdicts, model, baseline, metric)
    gains = {int(size): float(table.loc[size, "gain"]) for size in table.index}
    fixes = _gain_mistakes(answer, gains, verdicts, model, metric)
    if fixes:
        return CheckResult(title, fix=fixes)
    return CheckResult(title, right=[_trend_text(gains, model, baseline)])


def _gain_mistakes(answer: Mapping, gains: dict[int, float], verdicts: pd.DataFrame, model: str, metric: str) -> list[str]:
    fixes = []
    for size, expected in gains.items():
        given = answer.get(size, answer.get(str(size)))
        value, problem = parse_number(given) if given is not None else (None, f"{size:,} is missing.")
        if value is None:
            fixes.append(problem if given is None else f"At {size:,}: {problem}")
        elif abs(value - expected) > GAIN_TOLERANCE:
            fixes.append(
                f"At {size:,}: {value:+.4f} is not it. {_gain_hint(value, expected, size, verdicts, model, metric)}"
            )
    extra = [key for key in answer if not isinstance(key, bool) and _as_size(key) not in gains]
    if extra:
        fixes.append(f"{', '.join(shown(key) for key in extra)}: not a size of the study ({', '.join(map(str, gains))}).")
    return fixes


def _as_size(key: object) -> int | None:
    value, _ = parse_number(key)
    return int(value) if isinstance(key, (numbers.Number, str)) and value is not None and value == int(value) else None


def _gain_hint(value: float, expected: float, size: int, verdicts: pd.DataFrame, model: str, metric: str) -> str:
    if abs(value + expected) <= GAIN_TOLERANCE:
        return "The sign is the other way round: take the deeper model's mean minus the shallower one's."
    other = _comparison(verdicts, model, study.PCA_NAME, metric)
    if size in other.index and abs(value - other.loc[size, "gain"]) <= GAIN_TOLERANCE:
        return "That is the gain over PCA; the question compares the two autoencoders."
    if expected and abs(value - 100 * expected) <= 100 * GAIN_TOLERANCE:
        return "That looks like percentage points: give the difference of the accuracies as a fraction."
    return f"Take the mean of {model}'s {metric} over the seeds at this size, minus Autoencoder_1's mean."


def _trend_text(gains: dict[int, float], model: str, baseline: str) -> str:
    ordered = [gains[size] for size in sorted(gains)]
    rising = all(later >= earlier for earlier, later in zip(ordered, ordered[1:]))
    listed = ", ".join(f"{size:,}: {gain:+.4f}" for size, gain in sorted(gains.items()))
    trend = "grows with every step in data" if rising else "does not grow steadily with data"
    return f"{model}'s gain over {baseline} ({listed}) {trend}; the verdict table says which steps are beyond luck."
