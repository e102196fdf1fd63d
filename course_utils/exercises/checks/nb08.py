"""Checks of notebook 8's exercises (ex-8-*): reading the data-size study."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import pandas as pd

from course_utils import significance, size_study, study
from course_utils.exercises.exercise import Call, Exercise
from course_utils.exercises.feedback import CheckResult, coached, not_answered, parse_number, shown

CLEARLY_BETTER = significance.CLEAR[1]

# Gains are means of seeds' measures: to four decimals, as the study's tables show them.
GAIN_TOLERANCE = 5e-4


def _size_verdicts(result: object) -> tuple[pd.DataFrame | None, str | None]:
    """The study's verdicts by size, or what is wrong with ``result``."""
    if not isinstance(result, size_study.SizeStudyResult):
        return None, f"{shown(result)} is not the data-size study: pass size_result."
    if not result.runs:
        return None, (
            "The saved size study is missing, so this answer cannot be checked here: copy the course's results/ "
            "folder next to this notebook and run it again from the top."
        )
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


@coached(
    hint="A mean over five seeds is higher or lower by luck too: the study has shown a difference only where "
    "Welch's t-test, with Holm's correction, says it is larger than the seeds' spread could make by chance.",
    recipe="v = size_study.verdicts_by_size(size_result); keep the rows with model 'Autoencoder_2', baseline "
    "'PCA (2-D)' and metric 'knn_accuracy' whose verdict is 'clearly better'; sizes_8_1 = sorted(their train_size).",
)
def check_sizes_where_depth_pays(
    answer: object,
    result: object,
    model: str = "Autoencoder_2",
    baseline: str = study.PCA_NAME,
    metric: str = "knn_accuracy",
) -> CheckResult:
    """Exercise 8.1: the training-set sizes at which the study shows that ``model`` is better than ``baseline``.

    In the saved study ``Autoencoder_2``'s mean kNN accuracy is above PCA's at every size, but the
    verdicts call it clearly better only where the seeds show it: an answer that lists the sizes
    with the higher mean is named as what the means say, not the verdicts.

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
    higher_mean = {int(size) for size in table.index if table.loc[size, "gain"] > 0}
    fixes = []
    if sizes == higher_mean != expected:
        fixes.append(
            f"These are the sizes where {model}'s mean is above {baseline}'s: what the means say, not the verdicts. "
            "A higher mean of five seeds is not yet a difference the study has shown."
        )
    for size in sorted(sizes - expected):
        row = table.loc[size]
        if row["verdict"] == significance.CLEAR[-1]:
            fixes.append(f"{size:,}: there {model} is clearly *worse* than {baseline} ({_described(row, size)}).")
        else:
            fixes.append(
                f"{size:,}: {_described(row, size)}, not below 0.05, so the difference is not shown: a higher mean "
                "alone is not enough, the seeds must make it unlikely to be luck."
            )
    for size in sorted(expected - sizes):
        fixes.append(f"{size:,} is missing: {_described(table.loc[size], size)}, below 0.05, so it is clearly better.")
    return fixes


@coached(
    hint="The gain at a size is a difference of two means over the same seeds' runs: the deeper model's mean "
    "minus the shallower one's, as a fraction, at that size.",
    recipe="runs = pandas.DataFrame(size_result.runs); means = runs.groupby(['train_size', 'model'])"
    "['knn_accuracy'].mean(); gains_8_2 = {size: means[size, 'Autoencoder_3'] - means[size, 'Autoencoder_1'] "
    "for size in sorted(runs['train_size'].unique())}",
)
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
    fixes = _gain_mistakes(answer, gains, _other_gains(result, verdicts, model, baseline, metric), model, metric)
    if fixes:
        return CheckResult(title, fix=fixes)
    return CheckResult(title, right=[_trend_text(result, gains, model, baseline, metric)])


def _other_gains(
    result: size_study.SizeStudyResult, verdicts: pd.DataFrame, model: str, baseline: str, metric: str
) -> dict[str, dict[int, float]]:
    """What typical mistakes give at each size, by mistake: the gain over PCA, the difference of the medians."""
    other = _comparison(verdicts, model, study.PCA_NAME, metric)
    runs = pd.DataFrame(result.runs)
    medians = runs[runs["model"].isin([model, baseline])].groupby(["train_size", "model"])[metric].median()
    return {
        "pca": {int(size): float(other.loc[size, "gain"]) for size in other.index},
        "median": {
            int(size): float(medians[size, model] - medians[size, baseline])
            for size in runs["train_size"].unique()
            if (size, model) in medians.index and (size, baseline) in medians.index
        },
    }


def _same_mistake_everywhere(
    values: dict[int, float], mistaken: dict[int, float], tolerance: float = GAIN_TOLERANCE
) -> bool:
    """True when every value given matches the mistake at its size: one mistake, not a coincidence at one size."""
    return bool(values) and all(
        size in mistaken and abs(value - mistaken[size]) <= tolerance for size, value in values.items()
    )


def _gain_mistakes(
    answer: Mapping, gains: dict[int, float], others: dict[str, dict[int, float]], model: str, metric: str
) -> list[str]:
    fixes = []
    values: dict[int, float] = {}
    for size in gains:
        given = answer.get(size, answer.get(str(size)))
        value, problem = parse_number(given) if given is not None else (None, f"{size:,} is missing.")
        if value is None:
            fixes.append(problem if given is None else f"At {size:,}: {problem}")
        else:
            values[size] = value
    if any(abs(value - gains[size]) > GAIN_TOLERANCE for size, value in values.items()):
        fixes.append(_gains_hint(values, gains, others, model, metric))
    extra = [key for key in answer if not isinstance(key, bool) and _as_size(key) not in gains]
    if extra:
        fixes.append(f"{', '.join(shown(key) for key in extra)}: not a size of the study ({', '.join(map(str, gains))}).")
    return fixes


def _as_size(key: object) -> int | None:
    value, _ = parse_number(key)
    return int(value) if isinstance(key, (numbers.Number, str)) and value is not None and value == int(value) else None


def _gains_hint(
    values: dict[int, float], gains: dict[int, float], others: dict[str, dict[int, float]], model: str, metric: str
) -> str:
    """What is wrong with the gains that are off; a mistake is named only when it gives every value of the answer.

    A single value can match a mistake by coincidence (a difference of medians close to the gain over
    PCA at one size); the whole answer cannot.
    """
    wrong = {size: value for size, value in values.items() if abs(value - gains[size]) > GAIN_TOLERANCE}
    listed = ", ".join(f"{value:+.4f} at {size:,}" for size, value in sorted(wrong.items()))
    where = f"{listed} {'is' if len(wrong) == 1 else 'are'} not it."
    if _same_mistake_everywhere(values, {size: -gain for size, gain in gains.items()}):
        return f"{where} The sign is the other way round: take the deeper model's mean minus the shallower one's."
    if _same_mistake_everywhere(values, others["median"]):
        return f"{where} That is the difference of the medians; the gain is the difference of the means."
    if _same_mistake_everywhere(values, others["pca"]):
        return f"{where} That is {model}'s gain over PCA; the question compares the two autoencoders."
    if _same_mistake_everywhere(values, {size: 100 * gain for size, gain in gains.items() if gain}, 100 * GAIN_TOLERANCE):
        return f"{where} That looks like percentage points: give the difference of the accuracies as a fraction."
    return f"{where} Each is a difference of {model}'s mean {metric} and the one-layer model's, at that size."


def _trend_text(result: size_study.SizeStudyResult, gains: dict[int, float], model: str, baseline: str, metric: str) -> str:
    """The gains, whether their means rise, and what the test of each step between sizes shows.

    A rising mean is not yet a growing gain: :func:`course_utils.size_study.gain_changes` tests each
    step (Welch's t-test of the seeds' gains at the two sizes, Holm over the steps), and the text says
    growth only where that test shows it.
    """
    listed = ", ".join(f"{size:,}: {gain:+.4f}" for size, gain in sorted(gains.items()))
    opening = f"{model}'s gain over {baseline} in {metric} is {listed}."
    if len(gains) < 2:
        return f"{opening} With one size there is no step in data to compare."
    ordered = [gains[size] for size in sorted(gains)]
    rising = all(later > earlier for earlier, later in zip(ordered, ordered[1:]))
    means = "The means rise at every step." if rising else "The means do not rise at every step."
    steps = size_study.gain_changes(result, model, baseline, metric)
    test = "Welch's t-test of the seeds' gains at the larger size against those at the smaller"
    test += f", Holm-adjusted over the {len(steps)} steps," if len(steps) > 1 else ","
    clear = steps[steps["verdict"] != significance.NOT_SHOWN]
    if clear.empty:
        return (
            f"{opening} {means} But {test} shows no step beyond the seeds' spread: the study does not show that the "
            "gain changes with data."
        )
    if len(clear) == len(steps) and set(clear["verdict"]) == {size_study.GAIN_CHANGE_VERDICTS[1]}:
        return f"{opening} {means} {test} shows a larger gain at every step: the gain grows with every step in data."
    found = "; ".join(f"{row['verdict']} from {_step(row)}" for _, row in clear.iterrows())
    rest = _joined([_step(row, details=False) for _, row in steps[steps["verdict"] == significance.NOT_SHOWN].iterrows()])
    unshown = f"; at {rest} a change is not shown (the seeds' spread could make it)" if rest else ""
    return (
        f"{opening} {means} {test} shows the gain {found}{unshown}. So the study shows a change only at the "
        f"step{'s' if len(clear) > 1 else ''} named, not growth with every step in data."
    )


def _step(row: pd.Series, details: bool = True) -> str:
    step = f"{row['from_size']:,} to {row['to_size']:,}"
    return f"{step} ({row['change']:+.4f}, Holm-adjusted p = {row['p_holm']:.3g})" if details else step


def _joined(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


EXERCISES = (
    Exercise(
        label="ex-8-1",
        number="8.1",
        title="where does depth pay?",
        notebook="08_full_size",
        goal="a verdict is a test over seeds, not a comparison of two means; read it size by size",
        looks_at=(
            "a list of training-set sizes against the study's Welch/Holm verdicts of Autoencoder_2 against PCA in kNN "
            "accuracy (its mean is higher at every size, its verdict clearly better only at some); names an answer "
            "that lists the sizes of the higher means as what the means say, not the verdicts, each size given whose "
            "difference is not shown (with its gain and adjusted p) or clearly worse, each size missing, and sizes "
            "the study does not have"
        ),
        answer="the sizes whose verdict in the study's table is clearly better (in the saved study 15,000 and 60,000)",
        calls=(Call(check_sizes_where_depth_pays, "sizes_8_1, size_result"),),
        minutes=10,
        points=2,
    ),
    Exercise(
        label="ex-8-2",
        number="8.2",
        title="does the value of depth grow with data?",
        notebook="08_full_size",
        goal="compute a gain per size from the runs and read the trend, then let a test say which steps it shows",
        looks_at=(
            "a dict from each size to the mean kNN accuracy of Autoencoder_3 minus Autoencoder_1's; names a missing "
            "size, and, only when it gives every value of the answer, a flipped sign, medians for means, the gain "
            "over PCA instead, percentage points; and sizes the study does not have; a right answer is told which "
            "steps in size the test of the change of the gain (Welch, Holm over the steps) shows"
        ),
        answer="the gain column of the study's comparisons of the three-layer model with the one-layer model",
        calls=(Call(check_depth_gain_by_size, "gains_8_2, size_result"),),
        minutes=15,
        points=3,
    ),
)
