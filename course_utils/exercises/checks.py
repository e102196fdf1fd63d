"""One check function per exercise, for example ``checks.check_encoder_2(my_encoder)``.

A check takes the student's answer explicitly; it never looks at notebook variables by itself. It
returns a :class:`~course_utils.exercises.feedback.CheckResult` that says what is right and what to
fix. A check never raises for a wrong or odd answer: it explains. An answer that is still the
placeholder ``...`` is reported as "not answered yet".
"""

from __future__ import annotations

import itertools
import math
import numbers
import time
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from scipy import stats
from sklearn.neighbors import KNeighborsClassifier

from course_utils import metrics, models, training
from course_utils.backend import keras
from course_utils.exercises import model_checks
from course_utils.exercises.feedback import (
    NOT_ANSWERED,
    CheckResult,
    coach,
    coached,
    not_answered,
    parse_number,
    shown,
    study_runs,
    whole_number,
)
from course_utils.exercises.model_checks import architecture_problem, check_decoder, check_encoder

WIDTH_TARGET = "Autoencoder_3"
PIXEL_SHARE_TOLERANCE = 0.002
METRIC_LABELS = {"knn_accuracy": "kNN accuracy", "bce": "reconstruction error (BCE)"}
CODES_HINT = "pass the codes of the test images: codes = training.encode(model, x_test)"
LABELS_HINT = "pass the digit of each code: y_test"
MAX_CODE_COLUMNS = 16  # more numbers per row than this are images, not codes
RUN_FIELDS = {"number": int, "depth": int, "epochs": int, "latent_activation": str, "parameters": int, "scores": Mapping}

# --------------------------------------------------------------------------------------------
# Parameter counts
# --------------------------------------------------------------------------------------------


def _parameter_mistakes(hidden_units: Sequence[int], latent_dim: int, input_dim: int) -> dict[int, str]:
    """Counts that follow from typical mistakes, each with what to fix."""
    sizes = models.layer_sizes(hidden_units, latent_dim, input_dim)
    pairs = list(zip(sizes[:-1], sizes[1:]))
    layers = models.layer_parameters(hidden_units, latent_dim, input_dim)
    half = len(layers) // 2
    mistakes = {
        sum(a * b for a, b in pairs): "You counted the weights but not the biases: every unit also has one bias.",
        sum(layers[:half]): "That is the encoder only: the decoder mirrors it and has parameters of its own. Add them.",
        sum(layers[half:]): "That is the decoder only: add the encoder's parameters.",
        sum(a + b for a, b in pairs): (
            "You added the layer sizes; every input connects to every unit, so multiply inputs × units "
            "(and add one bias per unit)."
        ),
    }
    for name, count in models.ARTICLE_PARAMETER_COUNTS.items():
        mistakes.setdefault(count, f"That is the count of the article's {name}, a different architecture.")
    return mistakes


def check_parameter_count(
    answer: object,
    hidden_units: Sequence[int],
    latent_dim: int = models.LATENT_DIM,
    input_dim: int = models.INPUT_DIM,
    title: str = "Parameter count",
) -> CheckResult:
    """Check a predicted number of trainable parameters of a mirrored dense autoencoder.

    Args:
        answer: The student's count (a number, or text such as ``"5,491"``).
        hidden_units: The encoder's layer sizes before the code, e.g. ``[32, 10]``.
        latent_dim: Size of the code.
        input_dim: Size of a flattened image.
        title: Shown as the heading of the result.

    Returns:
        The verdict, naming the likely mistake when the count matches a typical wrong way to count.
    """
    if answer is Ellipsis:
        return not_answered(title)
    value, problem = whole_number(answer)
    problem = architecture_problem(hidden_units, latent_dim, input_dim) or problem
    if value is None or problem is not None:
        return CheckResult(title, fix=[problem or "Give a whole number."])
    expected = models.expected_parameter_count(hidden_units, latent_dim, input_dim)
    architecture = models.architecture_string(hidden_units, latent_dim, input_dim)
    if value == expected:
        sizes = models.layer_sizes(hidden_units, latent_dim, input_dim)
        terms = " + ".join(f"({a}×{b} + {b})" for a, b in zip(sizes[:-1], sizes[1:]))
        return CheckResult(title, right=[f"{architecture} has {expected:,} parameters: {terms}."])
    mistakes = _parameter_mistakes(hidden_units, latent_dim, input_dim)
    mistakes.pop(expected, None)
    if value in mistakes:
        return CheckResult(title, fix=[f"{value:,} is not it. {mistakes[value]}"])
    direction = "too high" if value > expected else "too low"
    return CheckResult(title, fix=[f"{value:,} is {direction} for {architecture}."])


@coached(
    hint="Every input of a Dense layer connects to every unit with a weight of its own, and every unit has one "
    "bias; the decoder's layer counts as well as the encoder's.",
    recipe="784 → 3 has 784 × 3 weights and 3 biases; 3 → 784 has 3 × 784 weights and 784 biases; add the four.",
)
def check_parameters_with_3d_code(answer: object) -> CheckResult:
    """Exercise 2.1: the parameters of ``784-3-784``, the one-layer model with a 3-number code."""
    return check_parameter_count(answer, (), latent_dim=3, title="Exercise 2.1")


def smallest_width_above(parameters: int) -> int:
    """The smallest width ``w`` for which ``784-w-2-w-784`` has more than ``parameters`` parameters."""
    return next(width for width in itertools.count(1) if models.expected_parameter_count([width]) > parameters)


def _width(answer: object) -> tuple[int | None, str | None]:
    """Read one width of a hidden layer as ``(width, None)`` or ``(None, problem)``."""
    if isinstance(answer, (list, tuple)):
        return None, f"Give one width (a whole number of units), not the list {shown(answer)}."
    width, problem = whole_number(answer)
    if width is None:
        return None, problem or "Give a whole number."
    if width <= 0:
        return None, f"A layer needs at least 1 unit, not {width}."
    if width > 10_000:
        return None, (
            f"{width:,} looks like a parameter count; the answer is a number of units in the hidden layer "
            "(a width), for example 20."
        )
    return width, None


@coached(
    hint="The count of 784-w-2-w-784 grows by about 1,570 per unit of width (each unit connects to all 784 pixels "
    "twice): look for the first width whose count passes 51,726, not any width that does.",
    recipe="Type widths into the builder (or compute models.expected_parameter_count([w]) for w = 30, 31, ...) "
    "and take the first w whose count is above 51,726.",
)
def check_width_to_match_autoencoder_3(answer: object) -> CheckResult:
    """Exercise 3.2: the smallest width ``w`` for which ``784-w-2-w-784`` outgrows ``Autoencoder_3``."""
    title = "Exercise 3.2"
    if answer is Ellipsis:
        return not_answered(title)
    width, problem = _width(answer)
    if width is None:
        return CheckResult(title, fix=[problem or "Give a whole number."])
    target = models.ARTICLE_PARAMETER_COUNTS[WIDTH_TARGET]
    count = models.expected_parameter_count([width])
    architecture = models.architecture_string([width])
    if width == smallest_width_above(target):
        below = models.expected_parameter_count([width - 1])
        return CheckResult(
            title,
            right=[
                f"{architecture} has {count:,} parameters, more than {WIDTH_TARGET}'s {target:,}; "
                f"one unit narrower it has {below:,}.",
                "So a two-layer model of this width is as big as the deeper one: depth is not the only "
                "difference between the article's models, their sizes differ too.",
            ],
        )
    if count > target:
        return CheckResult(
            title,
            right=[f"{architecture} does have more parameters ({count:,}) than {WIDTH_TARGET} ({target:,})."],
            fix=["But a narrower layer already does: look for the smallest width."],
        )
    return CheckResult(
        title,
        fix=[
            f"{architecture} has {count:,} parameters, not more than {WIDTH_TARGET}'s {target:,}: "
            "try a wider layer (the builder shows the count as you type)."
        ],
    )


def pixel_layer_share(hidden_units: Sequence[int]) -> float:
    """Share of an autoencoder's parameters in the two layers that touch the pixels."""
    layers = models.layer_parameters(hidden_units)
    return (layers[0] + layers[-1]) / sum(layers)


def _pixel_share_mistakes(hidden_units: Sequence[int]) -> dict[float, str]:
    """Shares that follow from typical mistakes, each with what to fix."""
    layers = models.layer_parameters(hidden_units)
    sizes = models.layer_sizes(hidden_units)
    total = sum(layers)
    return {
        layers[0] / total: "That is the first layer only: add the decoder's last layer, which also touches the pixels.",
        layers[-1] / total: "That is the last layer only: add the encoder's first layer, which also touches the pixels.",
        (sizes[0] * sizes[1] + sizes[-2] * sizes[-1]) / total: "You left out the biases of those two layers.",
        1 - pixel_layer_share(hidden_units): "That is the share of all the *other* layers: take one minus it.",
    }


def _is_estimate(value: float) -> bool:
    """True for a round share such as 0.5 or 0.25, which a student estimates rather than computes."""
    return round(value, 2) == value


@coached(
    hint="A layer next to the pixels has 784 × 32 weights; a layer in the middle only 32 × 10 or 10 × 2. "
    "Count both layers that touch the pixels, each with its biases, against the whole model.",
    recipe="(784 × 32 + 32) for the encoder's first layer plus (32 × 784 + 784) for the decoder's last layer, "
    "divided by Autoencoder_3's 51,726 parameters.",
)
def check_pixel_layer_share(answer: object) -> CheckResult:
    """Exercise 4.2: the share of ``Autoencoder_3``'s parameters in its first and last layer (a fraction)."""
    title = "Exercise 4.2"
    if answer is Ellipsis:
        return not_answered(title)
    value, problem = parse_number(answer)
    if problem is not None or value is None:
        return CheckResult(title, fix=[problem or "Give a number."])
    right: list[str] = []
    if 1 < value <= 100:
        right.append(f"Read {value:g} as a percentage, {value / 100:.4f} as a fraction.")
        value /= 100
    elif value > 100 or value < 0:
        return CheckResult(title, fix=[f"{value:g} cannot be a share: give a fraction between 0 and 1, for example 0.25."])
    hidden = models.ARTICLE_HIDDEN_UNITS["Autoencoder_3"]
    expected = pixel_layer_share(hidden)
    if abs(value - expected) <= PIXEL_SHARE_TOLERANCE:
        right += [
            f"{expected:.1%} of the 51,726 parameters sit in the two layers next to the 784 pixels (25,120 + 25,872).",
            "The layers added in the middle to make the model deeper cost very few parameters.",
        ]
        return CheckResult(title, right=right)
    direction = "too high" if value > expected else "too low"
    if _is_estimate(value):  # 0.5 lies near the last layer's share, but a round number is a guess, not that mistake
        return CheckResult(
            title, right=right, fix=[f"{value:g} is {direction}; compute the share from the layer table, not by eye."]
        )
    for share, message in _pixel_share_mistakes(hidden).items():
        if abs(value - share) <= PIXEL_SHARE_TOLERANCE:
            return CheckResult(title, right=right, fix=[f"{value:.4f} is not it. {message}"])
    return CheckResult(title, right=right, fix=[f"{value:.4f} is {direction}."])


# --------------------------------------------------------------------------------------------
# Reading the latent space
# --------------------------------------------------------------------------------------------


def digit_centres(codes: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """The mean code of each digit that occurs in ``labels``."""
    return {int(digit): codes[labels == digit].mean(axis=0) for digit in np.unique(labels)}


def _digit(item: object) -> int | None:
    """A digit from 0 to 9 given as a number or as text such as ``"3"``, or None."""
    if isinstance(item, str) and item.strip().isdecimal() and len(item.strip()) <= 3:
        item = int(item)
    if isinstance(item, bool) or not isinstance(item, numbers.Integral) or not 0 <= item <= 9:
        return None
    return int(item)


def _digit_pair(answer: object) -> tuple[tuple[int, int] | None, str | None]:
    scalar_array = isinstance(answer, np.ndarray) and answer.ndim == 0
    if isinstance(answer, (str, bytes)) or scalar_array or not isinstance(answer, Iterable):
        return None, f"Give two digits as a pair such as (3, 8), not {shown(answer)}."
    try:
        items = list(itertools.islice(answer, 11))  # an endless iterator stops here
    except Exception:  # an iterable that fails while it is read
        return None, f"Give two digits as a pair such as (3, 8), not {shown(answer)}."
    if len(items) != 2:
        count = len(items) if len(items) <= 10 else "more than 10"
        return None, f"Give exactly two digits, such as (3, 8); you gave {count}."
    digits = [_digit(item) for item in items]
    for item, digit in zip(items, digits):
        if digit is None:
            return None, f"{shown(item)} is not a digit from 0 to 9."
    if digits[0] == digits[1]:
        return None, f"Both digits are {digits[0]}: give a pair of two different digits."
    return (min(digits), max(digits)), None


def _numbers(values: object, name: str, hint: str) -> tuple[np.ndarray | None, str | None]:
    """``values`` as a NumPy array of real numbers, or what is wrong with them."""
    if values is None:
        return None, f"The {name} are None: {hint}."
    try:
        array = np.asarray(values)
    except Exception:  # ragged lists, and objects NumPy cannot read
        return None, f"The {name} are not a table of numbers: {hint}."
    if array.dtype.kind not in "iuf":
        return None, f"The {name} hold {array.dtype} values, not numbers: {hint}."
    return array, None


def _codes_problem(codes: np.ndarray) -> str | None:
    """Why ``codes`` are not the finite 2-number codes of some images, or None."""
    if codes.ndim == 2 and codes.shape[1] > MAX_CODE_COLUMNS:
        return f"These look like images ({codes.shape[1]} numbers each), not latent codes: {CODES_HINT}."
    if codes.ndim != 2 or codes.shape[1] != 2:
        return f"The codes have shape {codes.shape}; latent codes have 2 numbers per image, shape (n, 2): {CODES_HINT}."
    if len(codes) == 0:
        return f"The codes are empty: {CODES_HINT}."
    if np.isnan(codes).any():
        return "The codes contain NaN: the model probably diverged; train it again, then compute the codes again."
    if np.isinf(codes).any():
        return (
            "The codes contain infinite values: the model probably diverged; train it again, then compute the codes again."
        )
    if (codes == codes[0]).all():
        return "All codes are the same point: the model collapsed; train it again, then compute the codes again."
    return None


def _labels_problem(labels: np.ndarray, count: int) -> str | None:
    """Why ``labels`` are not one digit for each of ``count`` codes, with at least three digits, or None."""
    if labels.ndim != 1:
        return f"The labels have shape {labels.shape}; give one digit per code, shape (n,): {LABELS_HINT}."
    if len(labels) != count:
        return (
            f"There are {count} codes but {len(labels)} labels: pass the codes and the labels of the same images, "
            "e.g. check_closest_digits(answer, codes, y_test)."
        )
    if np.isnan(labels).any():
        return f"The labels contain NaN: {LABELS_HINT}."
    odd = labels[~np.isin(labels, np.arange(10))]
    if len(odd):
        return f"The labels must be digits from 0 to 9 ({LABELS_HINT}); these include {odd[0]:g}."
    digits = [str(digit) for digit in np.unique(labels).astype(int)]
    if len(digits) < 3:
        return (
            f"The labels hold only the digit{'s' if len(digits) > 1 else ''} {' and '.join(digits)}: pass the labels "
            "of all the test images (y_test), so that there are pairs of digits to compare."
        )
    return None


def _latent_codes(codes: object, labels: object) -> tuple[np.ndarray | None, np.ndarray | None, str | None]:
    """``(codes, labels, None)`` as arrays, or ``(..., what to fix in them)``."""
    codes, problem = _numbers(codes, "codes", CODES_HINT)
    if codes is None:
        return None, None, problem
    labels, problem = _numbers(labels, "labels", LABELS_HINT)
    if labels is None:
        return None, None, problem
    return codes, labels, _codes_problem(codes) or _labels_problem(labels, len(codes))


def check_closest_digits(answer: object, codes: object, labels: object) -> CheckResult:
    """Exercise 2.2: the two digits whose mean codes (cluster centres) lie closest together.

    Args:
        answer: The student's pair of digits, for example ``(4, 9)``.
        codes: The latent codes the student looked at, shape (n, 2).
        labels: The digit of each code.
    """
    title = "Exercise 2.2"
    if answer is Ellipsis:
        return not_answered(title)
    codes, labels, problem = _latent_codes(codes, labels)
    pair = None
    if problem is None:
        pair, problem = _digit_pair(answer)
    if problem is not None or pair is None or codes is None or labels is None:
        return CheckResult(title, fix=[problem or "Give two digits."])
    with np.errstate(all="ignore"):  # codes near the largest float overflow; the verdict says so
        centres = digit_centres(codes, labels)
    missing = [digit for digit in pair if digit not in centres]
    if missing:
        return CheckResult(title, fix=[f"No code has the label {missing[0]}; choose digits that occur in the plot."])
    return _closest_pair_verdict(title, pair, centres)


def _distances_problem(distances: dict[tuple[int, int], float], ranked: list[tuple[int, int]]) -> str | None:
    """Why these centre distances single out no closest pair, or None."""
    if not all(math.isfinite(distance) for distance in distances.values()):
        return "The codes are too large to measure distances between them: the model probably diverged; train it again."
    closest = distances[ranked[0]]
    if distances[ranked[1]] == closest:
        return (
            f"Several pairs of centres are equally close ({closest:.3g} apart), so no single pair is closest: "
            "train the model again and look at its new codes."
        )
    return None


def _closest_pair_verdict(title: str, pair: tuple[int, int], centres: dict[int, np.ndarray]) -> CheckResult:
    """Right if ``pair`` has the closest centres; else how many pairs are closer, never which."""
    with np.errstate(all="ignore"):
        distances = {
            (a, b): float(np.linalg.norm(centres[a] - centres[b])) for a, b in itertools.combinations(sorted(centres), 2)
        }
    ranked = sorted(distances, key=distances.get)
    problem = _distances_problem(distances, ranked)
    if problem is not None:
        return CheckResult(title, fix=[problem])
    mine = distances[pair]
    if pair == ranked[0]:
        return CheckResult(
            title,
            right=[
                f"{pair[0]} and {pair[1]} have the closest centres, {mine:.3g} apart "
                f"(the next pair is {distances[ranked[1]]:.3g} apart).",
                "Where two colours overlap in the plot, these codes cannot tell the two digits apart.",
            ],
        )
    closer = ranked.index(pair)
    return CheckResult(
        title,
        fix=[
            f"The centres of {pair[0]} and {pair[1]} are {mine:.3g} apart, but {closer} other "
            f"pair{'s are' if closer > 1 else ' is'} closer. Compute the centre of every digit "
            "(codes[labels == d].mean(axis=0)) and the distance of every pair, e.g. with np.linalg.norm."
        ],
    )


# --------------------------------------------------------------------------------------------
# Building encoders and decoders with Keras
# --------------------------------------------------------------------------------------------


@coached(
    hint="An encoder narrows the image down to the code: 784 pixels in, a hidden layer that bends (ReLU), then "
    "the 2 numbers of the code, left linear so they can take any value.",
    recipe="keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation='relu'), keras.layers.Dense(2)])",
)
def check_encoder_2(model: object) -> CheckResult:
    """Exercise 3.1: the encoder of ``Autoencoder_2``, ``784 → 10 (ReLU) → 2 (linear)``."""
    return check_encoder(model, models.ARTICLE_HIDDEN_UNITS["Autoencoder_2"], title="Exercise 3.1")


@coached(
    hint="A decoder runs the encoder backwards, from the 2-number code up to 784 pixels; its last layer must "
    "make each pixel, on its own, a number between 0 and 1, like the images.",
    recipe="keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(10, activation='relu'), "
    "keras.layers.Dense(32, activation='relu'), keras.layers.Dense(784, activation='sigmoid')])",
)
def check_decoder_3(model: object) -> CheckResult:
    """Exercise 4.1: the decoder of ``Autoencoder_3``, ``2 → 10 (ReLU) → 32 (ReLU) → 784 (sigmoid)``."""
    return check_decoder(model, models.ARTICLE_HIDDEN_UNITS["Autoencoder_3"], title="Exercise 4.1")


# --------------------------------------------------------------------------------------------
# The depth explorer experiment
# --------------------------------------------------------------------------------------------


def fair_depth_pairs(runs: Sequence) -> list[tuple]:
    """Pairs of runs that differ in depth alone (same epochs, same code activation)."""
    pairs = []
    for first, second in itertools.combinations(runs, 2):
        same_rest = first.epochs == second.epochs and first.latent_activation == second.latent_activation
        if same_rest and first.depth != second.depth:
            pairs.append((first, second))
    return pairs


def _fairness(runs: Sequence, result: CheckResult) -> None:
    """Add to ``result`` whether two runs make a fair depth comparison."""
    fair = fair_depth_pairs(runs)
    if fair:
        first, second = fair[0]
        result.right.append(
            f"Runs {first.number} and {second.number} differ only in depth ({first.depth} and {second.depth} "
            f"hidden layers, both {first.epochs} epochs, {first.latent_activation} code): a fair comparison."
        )
    else:
        result.fix.append(
            "No two of your runs differ in depth alone: keep the epochs and the code activation the same and "
            "change only the number of hidden layers."
        )


def _metric_problem(runs: Sequence, metric: object) -> str | None:
    """Why ``metric`` names no measure of the runs, or None."""
    names = sorted({name for run in runs for name in run.scores if isinstance(name, str)}) or list(METRIC_LABELS)
    if isinstance(metric, str) and metric in names:
        return None
    return f"{shown(metric)} is not a measure in your table; use one of {', '.join(names)}."


def _score(run, metric: object) -> float:
    """The run's ``metric`` as a float; NaN when it is missing or not a finite number."""
    value, _ = parse_number(run.scores.get(metric))
    return math.nan if value is None else value


def _best_run_choice(runs: Sequence, best_run: object, metric: object, result: CheckResult) -> None:
    """Add to ``result`` whether ``best_run`` is the number of the run with the best ``metric``."""
    problem = _metric_problem(runs, metric)
    if problem is not None:
        result.fix.append(problem)
        return
    chosen, problem = whole_number(best_run)
    if chosen is None:
        result.fix.append(f"Give the number of a run in your table: {problem}")
        return
    by_number = {run.number: run for run in runs}
    if chosen not in by_number:
        result.fix.append(f"There is no run {chosen}; your runs are numbered {', '.join(map(str, by_number))}.")
        return
    _judge_best_run(by_number[chosen], {run.number: _score(run, metric) for run in runs}, metric, result)


def _judge_best_run(mine, scores: dict[int, float], metric: object, result: CheckResult) -> None:
    """Add to ``result`` whether run ``mine`` has the best finite score; a tie for the best is right too."""
    lower = metric in metrics.LOWER_IS_BETTER
    name, score = METRIC_LABELS.get(metric, metric), scores[mine.number]
    if not math.isfinite(score):
        result.fix.append(
            f"Run {mine.number} has no finite {name} (NaN or missing: its training probably diverged), so it cannot "
            f"be the best: read the {metric} column again."
        )
        return
    finite = [value for value in scores.values() if math.isfinite(value)]
    best = min(finite) if lower else max(finite)
    if score == best:
        result.right.append(
            f"Run {mine.number} ({mine.architecture}, {mine.parameters:,} parameters) has the "
            f"{'lowest' if lower else 'highest'} {name} in your table: {best:.3f}. Is the winner "
            "also the biggest model? Compare the parameter counts before crediting depth alone."
        )
    else:
        result.fix.append(
            f"Run {mine.number} has {name} {score:.3f}, but another run in your table scores "
            f"{'lower' if lower else 'higher'}: read the {metric} column again."
        )


def _explorer_runs(explorer: object) -> list | None:
    """The explorer's runs, or None when ``explorer`` is not a depth explorer."""
    runs = getattr(explorer, "runs", None)
    if not isinstance(runs, (list, tuple)):
        return None
    fields_fit = (isinstance(getattr(run, name, None), kind) for run in runs for name, kind in RUN_FIELDS.items())
    return list(runs) if all(fields_fit) else None


@coached(
    hint="A fair comparison changes one thing only: train runs that differ in depth and keep the epochs and the "
    "code activation the same; then read the winner from your own table, not from the notebook's.",
    recipe="In the explorer, train e.g. 1 and 3 hidden layers, both with the same epochs and a linear code; set "
    "best_run_4_3 to the number (#) of the row with the highest knn_accuracy in the explorer's table.",
)
def check_depth_experiment(explorer: object, best_run: object, metric: object = "knn_accuracy") -> CheckResult:
    """Exercise 4.3: a fair depth comparison in the depth explorer, and its best run.

    Args:
        explorer: The :class:`~course_utils.exercises.depth_explorer.DepthExplorer` the student trained with.
        best_run: The number of the run with the highest kNN accuracy in the explorer's table.
        metric: The score that decides the best run.
    """
    title = "Exercise 4.3"
    if explorer is Ellipsis:
        return not_answered(title)
    runs = _explorer_runs(explorer)
    if runs is None:
        return CheckResult(title, fix=[f"Pass the depth explorer itself (the object you displayed), not {shown(explorer)}."])
    result = CheckResult(title, answered=best_run is not Ellipsis)
    if len(runs) < 2:
        result.fix.append(f"Train at least two models (press Train once per depth); your table has {len(runs)}.")
        return result
    _fairness(runs, result)
    if best_run is Ellipsis:
        result.fix.append(NOT_ANSWERED)
    else:
        _best_run_choice(runs, best_run, metric, result)
    return result


# --------------------------------------------------------------------------------------------
# Exercises of notebook 1: the measures (ex-1-*)
# --------------------------------------------------------------------------------------------
# (marker 1: insert this notebook's checks below this line)

PCA_KNN_TOLERANCE = 0.0035  # a few test images: a PCA computed another way may flip a near tie
PIXEL_KNN_LIMIT = 5 * 10**6  # train × test images above which the check skips the kNN on pixels (slow)
MORE_COMPONENTS = 10
PREDICTED_MEASURES = ("bce", "knn_accuracy")
DIRECTION_WORDS = {"higher": 1, "up": 1, "lower": -1, "down": -1}
QUALITY_WORDS = ("better", "worse")
SCORE_TOLERANCES = {"bce": 0.001, "mse": 0.001, "knn_accuracy": 0.0035, "trustworthiness": 0.005, "silhouette": 0.005}
WHY_MORE_COMPONENTS = {
    "bce": "ten numbers per image keep more of it than two, so the decoder has more to rebuild it from",
    "mse": "ten numbers per image keep more of it than two, so the decoder has more to rebuild it from",
    "knn_accuracy": "digits that lie on top of each other along two directions are told apart by eight more",
    "trustworthiness": "ten directions keep more of the pixel-space distances, so more neighbourhoods survive",
    "silhouette": (
        "the silhouette asks whether whole clusters lie apart, a stricter question than whether nearest neighbours "
        "agree; compare how far it moved with how far kNN accuracy moved"
    ),
}
MNIST_HINT = "pass the course data: mnist = data.load_mnist()"
_FIRST_JUDGED: dict[str, Prediction] = {}  # exercise -> the prediction the check judged first in this session


def _mnist_problem(data: object) -> str | None:
    """Why ``data`` is not the course's images and labels, or None."""
    arrays = [getattr(data, name, None) for name in ("x_train", "y_train", "x_test", "y_test")]
    if not all(isinstance(array, np.ndarray) for array in arrays):
        return f"{shown(data)} is not the course data: {MNIST_HINT}."
    x_train, y_train, x_test, y_test = arrays
    if x_train.ndim != 2 or x_test.ndim != 2 or x_train.shape[1] != x_test.shape[1] or len(x_test) < 10:
        return f"The images of {shown(data)} are not rows of pixels: {MNIST_HINT}."
    if len(y_train) != len(x_train) or len(y_test) != len(x_test):
        return f"The labels of {shown(data)} do not match its images: {MNIST_HINT}."
    if not (np.isfinite(x_train).all() and np.isfinite(x_test).all()):
        return f"The images contain NaN or infinite pixels: {MNIST_HINT}."
    return None


def _knn(fit_codes: np.ndarray, fit_labels: np.ndarray, codes: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Accuracy on ``codes`` of a k-nearest-neighbour classifier fitted on ``fit_codes``."""

    return float(KNeighborsClassifier(n_neighbors=k).fit(fit_codes, fit_labels).score(codes, labels))


def pca_knn_accuracies(data) -> tuple[float, list[tuple[float, str]]]:
    """The course's kNN accuracy of the 2-D PCA codes, and what typical mistakes give, each with what to fix."""
    pca = metrics.pca_representation(data.x_train)
    train, test = pca.encode(data.x_train), pca.encode(data.x_test)
    y_train, y_test, k = data.y_train, data.y_test, metrics.NEIGHBOURS
    expected = metrics.knn_accuracy(train, y_train, test, y_test)
    mistakes = [
        (_knn(train, y_train, train, y_train, k), "That is the accuracy on the training codes, which the classifier "
         "has already seen (each is its own nearest neighbour): score it on the test codes."),
        (_knn(test, y_test, test, y_test, k), "You fitted the classifier on the test codes and scored it on them too: "
         "fit on the training codes (pca.encode(x_train), y_train), score on the test codes."),
        (_knn(test, y_test, train, y_train, k), "Training and test codes are swapped: fit on the training codes, "
         "score on the test codes."),
        (_knn(train, y_train, test, y_test, 1), f"That is k = 1: use n_neighbors=metrics.NEIGHBOURS ({k})."),
        (1 - expected, "That is the error rate, one minus the accuracy: give the share of test codes classified right."),
    ]  # fmt: skip
    if len(data.x_train) * len(data.x_test) <= PIXEL_KNN_LIMIT:
        pixels = _knn(data.x_train, y_train, data.x_test, y_test, k)
        mistakes.append((pixels, "That is the kNN accuracy of the 784 pixels, not of the 2 PCA numbers: encode the "
                         "images first (pca.encode) and classify the codes."))  # fmt: skip
    return expected, mistakes


def _accuracy(answer: object) -> tuple[float | None, list[str], str | None]:
    """An accuracy from 0 to 1 read from ``answer`` (a percentage is converted), notes on the reading, or a problem."""
    if hasattr(answer, "predict") and hasattr(answer, "score"):
        return None, [], "That is the classifier itself: give its accuracy, classifier.score(test_codes, y_test)."
    value, problem = parse_number(answer)
    if value is None:
        return None, [], problem or "Give a number."
    if 1 < value <= 100:
        return value / 100, [f"Read {value:g} as a percentage, {value / 100:.3f} as a share."], None
    if not 0 <= value <= 1:
        return None, [], f"{value:g} cannot be an accuracy: give the share of test codes classified right, from 0 to 1."
    return value, [], None


@coached(
    hint="kNN accuracy is a share of test codes: a classifier learns from the training codes and their digits, "
    "then labels each test code by the vote of its nearest training codes; count how often it is right.",
    recipe="KNeighborsClassifier(n_neighbors=metrics.NEIGHBOURS).fit(pca.encode(x_train), y_train).score(pca_codes, y_test)",
)
def check_pca_knn_accuracy(answer: object, data: object) -> CheckResult:
    """Exercise 1.1: the kNN accuracy of the 2-D PCA codes, computed with scikit-learn.

    Args:
        answer: The student's accuracy (a share from 0 to 1, or a percentage).
        data: The course data (``mnist``); the check computes the course's own number from it.
    """
    title = "Exercise 1.1"
    if answer is Ellipsis:
        return not_answered(title)
    problem = _mnist_problem(data)
    value, notes, answer_problem = _accuracy(answer)
    if problem or answer_problem or value is None:
        return CheckResult(title, fix=[problem or answer_problem or "Give a number."])
    expected, mistakes = pca_knn_accuracies(data)
    if abs(value - expected) <= PCA_KNN_TOLERANCE:
        return CheckResult(
            title,
            right=[
                *notes,
                f"{value:.3f}: the course's metrics.knn_accuracy gives {expected:.3f} for the same codes.",
                f"{metrics.NEIGHBOURS} neighbours vote; {expected:.0%} of the test digits get their own label back, "
                "against 10% by guessing. The rest sit among codes of other digits.",
            ],
        )
    for mistaken, message in mistakes:
        if abs(value - mistaken) <= PCA_KNN_TOLERANCE:
            return CheckResult(title, right=notes, fix=[f"{value:.3f} is not it. {message}"])
    direction = "too high" if value > expected else "too low"
    return CheckResult(title, right=notes, fix=[f"{value:.3f} is {direction} for the kNN accuracy of these codes."])


class Prediction:
    """A prediction of the direction in which measures move, stamped with the time it was recorded.

    Attributes:
        directions: Each measure's name mapped to what the student wrote, e.g. ``{"bce": "lower"}``.
        recorded_at: Seconds since the epoch (``time.time()``) when the prediction was recorded.
    """

    def __init__(self, directions: dict[str, object], recorded_at: float) -> None:
        self.directions = dict(directions)
        self.recorded_at = recorded_at

    @property
    def when(self) -> str:
        """The local time it was recorded, e.g. ``"14:03:52"``."""

        return time.strftime("%H:%M:%S", time.localtime(self.recorded_at))

    def summary(self) -> str:
        """What was predicted, e.g. ``"bce 'lower', knn_accuracy 'higher'"``."""
        return ", ".join(f"{name} {shown(value)}" for name, value in self.directions.items()) or "nothing"

    def __repr__(self) -> str:
        lines = [f"  {name}: {shown(value)}" for name, value in self.directions.items()] or ["  nothing"]
        return "\n".join([f"Prediction recorded at {self.when}:", *lines])


def record_prediction(**directions: object) -> Prediction:
    """Record, before measuring, which way each measure will move, e.g. ``record_prediction(bce="lower")``.

    Say ``"higher"`` or ``"lower"`` (the number itself), or ``"better"`` or ``"worse"``.
    """

    return Prediction(directions, time.time())


def _direction(name: str, said: object) -> tuple[int | None, str | None]:
    """+1 for a predicted rise of measure ``name``, -1 for a fall, or what is wrong with ``said``."""
    word = said.strip().lower() if isinstance(said, str) else None
    if word in DIRECTION_WORDS:
        return DIRECTION_WORDS[word], None
    if word in QUALITY_WORDS:
        better = -1 if name in metrics.LOWER_IS_BETTER else 1
        return (better if word == "better" else -better), None
    return None, f"{name}={shown(said)}: say 'higher' or 'lower' (or 'better' or 'worse')."


def _prediction_problem(prediction: object) -> str | None:
    """Why ``prediction`` is not a complete prediction recorded with :func:`record_prediction`, or None."""
    if not isinstance(prediction, Prediction):
        return (
            f"{shown(prediction)} is not a recorded prediction: write prediction_1_2 = "
            'checks.record_prediction(bce="lower", knn_accuracy="higher") with your own words, before you measure.'
        )
    unknown = [name for name in prediction.directions if name not in metrics.METRIC_DESCRIPTIONS]
    if unknown:
        return f"{unknown[0]!r} is not a measure of the course; use {', '.join(metrics.METRIC_DESCRIPTIONS)}."
    missing = [name for name in PREDICTED_MEASURES if name not in prediction.directions]
    if missing:
        return f"Predict {' and '.join(missing)} too: record_prediction({missing[0]}='higher' or 'lower', ...)."
    problems = [_direction(name, said)[1] for name, said in prediction.directions.items()]
    return next((problem for problem in problems if problem), None)


def _scores_problem(scores: object, ten: dict[str, float], two: dict[str, float]) -> str | None:
    """Why ``scores`` are not the measures of a 10-component PCA, or None."""
    hint = f"measure metrics.pca_representation(x_train, n_components={MORE_COMPONENTS}) with metrics.measure(..., mnist)"
    if not isinstance(scores, Mapping):
        return f"{shown(scores)} are not measures: {hint}."
    values = {name: parse_number(scores.get(name))[0] for name in ten}
    if any(value is None for value in values.values()):
        missing = next(name for name, value in values.items() if value is None)
        return f"The scores have no finite {missing}: {hint}."

    def matches(reference: dict[str, float]) -> bool:
        return all(abs(values[name] - reference[name]) <= SCORE_TOLERANCES.get(name, 0.005) for name in reference)

    if matches(ten):
        return None
    if matches(two):
        return f"These are the measures of the 2-component PCA of notebook 1, not of a 10-component one: {hint}."
    return f"These scores do not match a {MORE_COMPONENTS}-component PCA measured on the test images: {hint}."


def _judged_prediction(prediction: Prediction, key: str) -> tuple[Prediction, str | None]:
    """The prediction to judge: the first one this session, if a later one replaced it after a verdict."""
    first = _FIRST_JUDGED.setdefault(key, prediction)
    if first is prediction or first.directions == prediction.directions:
        return first, None
    return first, (
        f"You recorded a new prediction after the check had shown you what was measured. Predicting first is the "
        f"point, so the check judges your first one, recorded at {first.when}: {first.summary()}."
    )


def _prediction_verdicts(prediction: Prediction, ten: dict[str, float], two: dict[str, float]) -> list[str]:
    """One line per predicted measure: predicted, measured, held or not, and why."""
    lines = []
    for name, said in prediction.directions.items():
        predicted, _ = _direction(name, said)
        moved = int(np.sign(ten[name] - two[name]))
        held = "it held" if predicted == moved else "it did not hold"
        way = {1: "higher", -1: "lower", 0: "unchanged"}[moved]
        lines.append(
            f"{name}: you predicted {said!s}; with {MORE_COMPONENTS} components it is {way}, {ten[name]:.3f} against "
            f"{two[name]:.3f} with 2: {held}. Why: {WHY_MORE_COMPONENTS[name]}."
        )
    return lines


@coached(
    hint="Predict first, then measure: record a direction for each measure with checks.record_prediction before "
    "you run anything, then measure the 10-component PCA on the course's test images.",
    recipe='prediction_1_2 = checks.record_prediction(bce="lower", knn_accuracy="higher") (your own words); then '
    "scores_1_2 = metrics.measure(metrics.pca_representation(x_train, n_components=10), mnist)",
)
def check_pca_prediction(prediction: object, scores: object, data: object) -> CheckResult:
    """Exercise 1.2: a prediction for a 10-component PCA, recorded first, then the measures that test it.

    The exercise is done ("recorded") when a complete prediction was recorded and the scores are the
    measures of a 10-component PCA; whether each prediction held is reported with a neutral mark,
    never a tick: a wrong prediction that is tested is the lesson, but it is not right.

    Args:
        prediction: From :func:`record_prediction`, run before measuring.
        scores: ``metrics.measure`` of a 10-component PCA.
        data: The course data (``mnist``).
    """
    title = "Exercise 1.2"
    if prediction is Ellipsis or scores is Ellipsis:
        return not_answered(title)
    problem = _prediction_problem(prediction) or _mnist_problem(data)
    if problem is not None or not isinstance(prediction, Prediction):
        return CheckResult(title, fix=[problem or "Record a prediction first."])
    ten = metrics.measure(metrics.pca_representation(data.x_train, MORE_COMPONENTS), data)
    two = metrics.measure(metrics.pca_representation(data.x_train), data)
    problem = _scores_problem(scores, ten, two)
    if problem is not None:
        return CheckResult(title, fix=[problem])
    judged, replaced = _judged_prediction(prediction, title)
    notes = [f"Your prediction, recorded at {judged.when}: {judged.summary()}."] + ([replaced] if replaced else [])
    verdicts = _prediction_verdicts(judged, ten, two)
    held = sum("it did not hold" not in line for line in verdicts)
    notes.append(f"{held} of your {len(verdicts)} predictions held.")
    return CheckResult(
        title,
        right=[f"These are the measures of a {MORE_COMPONENTS}-component PCA, measured after the prediction."],
        notes=notes + verdicts,
        done="recorded",
    )


# --------------------------------------------------------------------------------------------
# Exercises of notebook 2: overlap from kNN confusions (ex-2-2)
# --------------------------------------------------------------------------------------------
# (marker 2: insert this notebook's checks below this line)
CONFUSION_HINTS = {
    "training": "pass train_codes = encoder.predict(x_train) and y_train",
    "test": "pass codes = encoder.predict(x_test) and y_test",
}


def _labelled_codes(codes: object, labels: object, which: str) -> tuple[np.ndarray | None, np.ndarray | None, str | None]:
    """The ``which`` ("training" or "test") codes and their digits as arrays, or what is wrong with them."""
    hint = CONFUSION_HINTS[which]
    codes, problem = _numbers(codes, f"{which} codes", hint)
    if codes is None:
        return None, None, problem
    labels, problem = _numbers(labels, f"{which} labels", hint)
    if labels is None:
        return None, None, problem
    return codes, labels, _labelled_codes_problem(codes, labels, which)


def _labelled_codes_problem(codes: np.ndarray, labels: np.ndarray, which: str) -> str | None:
    """Why these codes and labels cannot train or test a kNN classifier, or None."""
    hint = CONFUSION_HINTS[which]
    if codes.ndim == 2 and codes.shape[1] > MAX_CODE_COLUMNS:
        return f"The {which} codes look like images ({codes.shape[1]} numbers each), not latent codes: {hint}."
    if codes.ndim != 2 or codes.size == 0:
        return f"The {which} codes have shape {codes.shape}; give one row of code numbers per image: {hint}."
    if not np.isfinite(codes).all():
        return f"The {which} codes contain NaN or infinite values: the model probably diverged; train it again."
    if (codes == codes[0]).all():
        return f"All {which} codes are the same point: the model collapsed; train it again."
    if labels.ndim != 1 or len(labels) != len(codes):
        return f"There are {len(codes)} {which} codes but labels of shape {labels.shape}: {hint}."
    if not np.isin(labels, np.arange(10)).all():
        return f"The {which} labels must be digits from 0 to 9: {hint}."
    if len(np.unique(labels)) < 3:
        return f"The {which} labels hold fewer than three digits: {hint}, all of them."
    return None


def _confusion_data(
    train_codes: object, y_train: object, test_codes: object, y_test: object
) -> tuple[tuple[np.ndarray, ...] | None, str | None]:
    """The four arrays a kNN confusion count needs, or what is wrong with them."""
    train, train_labels, problem = _labelled_codes(train_codes, y_train, "training")
    if problem is not None or train is None or train_labels is None:
        return None, problem
    test, test_labels, problem = _labelled_codes(test_codes, y_test, "test")
    if problem is not None or test is None or test_labels is None:
        return None, problem
    if train.shape[1] != test.shape[1]:
        return None, (
            f"The training codes have {train.shape[1]} numbers each, the test codes {test.shape[1]}: "
            "take both from the same encoder."
        )
    if len(train) < metrics.NEIGHBOURS:
        return None, f"A kNN classifier with {metrics.NEIGHBOURS} neighbours needs at least that many training codes."
    return (train, train_labels.astype(int), test, test_labels.astype(int)), None


def closest_centres(codes: np.ndarray, labels: np.ndarray) -> tuple[int, int] | None:
    """The pair of digits whose mean codes lie closest together, if one pair alone does."""
    with np.errstate(all="ignore"):
        centres = digit_centres(codes, labels)
        distances = {
            (a, b): float(np.linalg.norm(centres[a] - centres[b])) for a, b in itertools.combinations(sorted(centres), 2)
        }
    ranked = sorted(distances, key=distances.get)
    return None if _distances_problem(distances, ranked) else ranked[0]


@coached(
    hint="Overlap is what a classifier gets wrong: how often it takes a digit for another, counted both ways "
    "(a read as b and b read as a), not how close the centres of two clouds are.",
    recipe="predicted = KNeighborsClassifier(n_neighbors=5).fit(train_codes, y_train).predict(codes); "
    "m = confusion_matrix(y_test, predicted); both = m + m.T with its diagonal set to 0; the pair is the row "
    "and column of its largest entry.",
)
def check_most_confused(
    answer: object, train_codes: object, y_train: object, test_codes: object, y_test: object
) -> CheckResult:
    """Exercise 2.2: the two digits a kNN classifier on the codes confuses most often, both ways counted.

    Args:
        answer: The student's pair of digits, for example ``(4, 9)``.
        train_codes: The codes of the training images, which the classifier learns from.
        y_train: The digit of each training image.
        test_codes: The codes of the test images, which the classifier labels.
        y_test: The digit of each test image.

    Returns:
        Right for a pair with the highest count of confusions (a tie for the highest is right too);
        else how many pairs are confused more often, never which, and why close centres are not it.
    """
    title = "Exercise 2.2"
    if answer is Ellipsis:
        return not_answered(title)
    arrays, problem = _confusion_data(train_codes, y_train, test_codes, y_test)
    pair = None
    if problem is None:
        pair, problem = _digit_pair(answer)
    if problem is not None or pair is None or arrays is None:
        return CheckResult(title, fix=[problem or "Give two digits."])
    missing = set(pair) - set(arrays[1].tolist()) - set(arrays[3].tolist())
    if missing:
        return CheckResult(title, fix=[f"No image is labelled {min(missing)}; choose digits that occur in the data."])
    try:
        with np.errstate(all="ignore"):  # codes near the largest float overflow in the distances
            table = metrics.knn_confusions(*arrays).set_index(["digit_a", "digit_b"])
    except Exception:  # scikit-learn refuses such codes; the student gets a message, never a traceback
        return CheckResult(title, fix=["The codes are too large to classify: the model probably diverged; train it again."])
    return _confusion_verdict(title, pair, table, closest_centres(arrays[2], arrays[3]))


def _confusion_verdict(title: str, pair: tuple[int, int], table, closest: tuple[int, int] | None) -> CheckResult:
    """Right if no pair is confused more often than ``pair``; else how many are, and a word on centres."""
    a, b = pair
    row = table.loc[pair]
    counts = f"{row.confusions} confusions: {row.a_as_b} {a}s read as {b}, {row.b_as_a} {b}s read as {a}"
    top = int(table.confusions.max())
    if top == 0:
        return CheckResult(title, fix=["The classifier confuses no two digits at all: no pair overlaps in these codes."])
    if row.confusions == top:
        ties = int((table.confusions == top).sum()) - 1
        right = [f"{a} and {b} are the pair the kNN classifier confuses most often ({counts})."]
        if ties:
            right.append(f"{ties} other pair{'s are' if ties > 1 else ' is'} confused just as often: a tie.")
        if closest is not None and closest != pair:
            right.append("Their cluster centres are not the closest pair: close centres need not mean the most confusion.")
        return CheckResult(title, right=right)
    more = int((table.confusions > row.confusions).sum())
    fix = [f"{a} and {b} have {counts}; but {more} pair{'s are' if more > 1 else ' is'} confused more often."]
    if pair == closest:
        fix.append(
            f"{a} and {b} do have the closest cluster centres, but a centre is only a mean: how often two digits are "
            "confused depends on how widely each cloud spreads and how far the clouds overlap, so a pair with "
            "centres farther apart can overlap more."
        )
    return CheckResult(title, fix=fix)


# --------------------------------------------------------------------------------------------
# Exercises of notebook 3: compile and fit (ex-3-3)
# --------------------------------------------------------------------------------------------
# (marker 3: insert this notebook's checks below this line)
BCE_NAMES = ("binarycrossentropy", "bce")
MSE_NAMES = ("mse", "meansquarederror")


def _course_rate_and_batch() -> tuple[float, int]:
    """The course's learning rate and batch size, from :class:`course_utils.training.TrainingSettings`."""
    settings = training.TrainingSettings()
    return settings.learning_rate, settings.batch_size


def _loss_name(loss: object) -> str:
    """The loss a model was compiled with, as a lowercase name without underscores (``binarycrossentropy``)."""
    name = loss if isinstance(loss, str) else getattr(loss, "name", None) or getattr(loss, "__name__", "")
    return str(name).lower().replace("_", "").replace(" ", "")


def _from_logits(loss: object) -> bool:
    """Whether a loss object was told that the model outputs logits rather than probabilities."""
    try:
        return bool(loss.get_config().get("from_logits", False))  # type: ignore[attr-defined]
    except Exception:  # a string or a function has no config
        return False


def _loss_verdict(loss: object, result: CheckResult) -> None:
    """Add to ``result`` whether ``loss`` is the course's binary cross-entropy on probabilities."""
    name = _loss_name(loss)
    if name in BCE_NAMES and _from_logits(loss):
        result.fix.append(
            "from_logits=True tells the loss the outputs are raw scores, but the decoder ends in a sigmoid: "
            "its outputs are already probabilities. Use loss='binary_crossentropy'."
        )
    elif name in BCE_NAMES:
        result.right.append("The loss is binary cross-entropy: each pixel in [0, 1] scored like a probability.")
    elif name in MSE_NAMES:
        result.fix.append(
            "Mean squared error works (the model still learns to reconstruct), but it is not the course's loss: "
            "with pixels in [0, 1] and a sigmoid output the course uses binary cross-entropy, and every loss "
            "curve you compare with is one. Use loss='binary_crossentropy'."
        )
    elif "categoricalcrossentropy" in name:
        result.fix.append(
            "Categorical cross-entropy picks one class out of many; here every pixel is its own yes/no "
            "probability. Use loss='binary_crossentropy'."
        )
    else:
        result.fix.append(f"{shown(loss)} is not the course's loss: use loss='binary_crossentropy'.")


def _learning_rate(optimizer: object) -> float | None:
    """The optimizer's learning rate as a float, or None when it cannot be read."""
    try:
        rate = float(np.asarray(optimizer.learning_rate))  # type: ignore[attr-defined]
    except Exception:  # a schedule, or something that is not an optimizer
        return None
    return rate if math.isfinite(rate) else None


def _optimizer_verdict(optimizer: object, result: CheckResult) -> None:
    """Add to ``result`` whether ``optimizer`` is Adam with the course's learning rate."""
    kind = type(optimizer).__name__
    if kind != "Adam":
        why = " (the settings table of notebook 2: it was worse for every model)" if kind == "RMSprop" else ""
        result.fix.append(
            f"The optimizer is {kind}{why}; the course uses optimizer=keras.optimizers.Adam(learning_rate=0.001)."
        )
        return
    rate = _learning_rate(optimizer)
    if rate is not None and math.isclose(rate, _course_rate_and_batch()[0], rel_tol=1e-6):
        result.right.append("The optimizer is Adam with the course's learning rate, 0.001.")
    else:
        result.fix.append(
            f"Adam is right, but its learning rate is {'unreadable' if rate is None else f'{rate:g}'}; "
            "the course uses 0.001: keras.optimizers.Adam(learning_rate=0.001)."
        )


def _history_problem(history: object, model: object) -> str | None:
    """Why ``history`` is not what ``model.fit`` returned for ``model``, with a loss per epoch, or None."""

    if not isinstance(history, keras.callbacks.History):
        return f"Set history_3_3 to what fit returns: history_3_3 = autoencoder_3_3.fit(...), not {shown(history)}."
    if getattr(history, "model", None) is not model:
        return "This history comes from another model: fit autoencoder_3_3 itself and keep what its fit returns."
    losses = history.history.get("loss") if isinstance(history.history, dict) else None
    if not isinstance(losses, list) or not losses:
        return "The history holds no training loss: did the fit run for at least one epoch?"
    return None


def _losses_verdict(losses: list, result: CheckResult) -> None:
    """Add to ``result`` whether the loss per epoch is finite and falls."""
    try:
        values = np.asarray(losses, dtype=float)
    except (TypeError, ValueError):  # ragged or non-numeric entries
        values = np.empty((0, 0))
    if values.ndim != 1:
        result.fix.append("The history's losses are not one number per epoch: keep what fit returns, unchanged.")
    elif not np.isfinite(values).all():
        result.fix.append(
            "The loss became NaN or infinite: training diverged. Check the learning rate, build the model again, "
            "then compile and fit."
        )
    elif (values < 0).any():
        result.fix.append(
            "The loss is negative, which binary cross-entropy on targets in [0, 1] never is: the targets were "
            "not the images. Fit with the images as their own targets: fit(x_train, x_train, ...)."
        )
    elif len(values) < 2:
        result.fix.append("One epoch shows no trend: fit for 3 epochs (epochs=3) to see the loss fall.")
    elif values[-1] < values[0]:
        result.right.append(f"The loss fell over {len(values)} epochs, from {values[0]:.4f} to {values[-1]:.4f}.")
    else:
        result.fix.append(
            f"The loss did not fall ({values[0]:.4f} to {values[-1]:.4f}): check the learning rate and the targets."
        )


def _steps_verdict(history: object, images: object, result: CheckResult) -> None:
    """Add to ``result`` whether each epoch ran over all ``images`` in batches of the course's size."""
    params = getattr(history, "params", None)
    steps = params.get("steps") if isinstance(params, dict) else None
    count = np.shape(images)[0] if isinstance(images, np.ndarray) and images.ndim == 2 else 0
    batch = _course_rate_and_batch()[1]
    expected = -(-count // batch)
    if isinstance(steps, int) and count and steps != expected:
        result.fix.append(
            f"Each epoch took {steps} steps, but the {count:,} training images in batches of {batch} make "
            f"{expected}: fit on x_train with batch_size={batch}."
        )


@coached(
    hint="An autoencoder learns to give back what it is given: compile it with the course's optimizer and loss, "
    "then fit it with the images as both the input and the target.",
    recipe="autoencoder_3_3.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), "
    "loss='binary_crossentropy'); history_3_3 = autoencoder_3_3.fit(x_train, x_train, epochs=3, batch_size=32)",
)
def check_compile_and_fit(model: object, history: object, images: object = None) -> CheckResult:
    """Exercise 3.3: a model compiled with the course's optimizer and loss, then fitted to its own images.

    Args:
        model: The Keras model the student compiled and fitted (``autoencoder_3_3``).
        history: What its ``fit`` returned.
        images: The training images it should have been fitted on (``x_train``), to check the steps
            per epoch; ``None`` skips that.

    Returns:
        What is right and what to fix about the compile settings and the training run.
    """

    title = "Exercise 3.3"
    if model is Ellipsis or history is Ellipsis:
        return not_answered(title)
    if isinstance(model, models.Autoencoder):
        return CheckResult(title, fix=["Pass the Keras model itself, autoencoder_3_3, not the bundle of three models."])
    if not isinstance(model, keras.Model):
        return CheckResult(title, fix=[f"Pass the Keras model you compiled (autoencoder_3_3), not {shown(model)}."])
    if not getattr(model, "compiled", False):
        return CheckResult(
            title, fix=["autoencoder_3_3 is not compiled: call autoencoder_3_3.compile(optimizer=..., loss=...) first."]
        )
    result = CheckResult(title)
    _optimizer_verdict(model.optimizer, result)
    _loss_verdict(model.loss, result)
    problem = _history_problem(history, model)
    if problem is not None:
        result.fix.append(problem)
        return result
    _losses_verdict(history.history["loss"], result)  # type: ignore[attr-defined]
    _steps_verdict(history, images, result)
    return result


# --------------------------------------------------------------------------------------------
# Exercises of notebook 5: predict, then decode (ex-5-*)
# --------------------------------------------------------------------------------------------
# (marker 5: insert this notebook's checks below this line)
PCA_PREFIX = "PCA"  # the baseline's row in the scores, e.g. "PCA (2-D)"
SCORES_HINT = "pass the scores dictionary of the cell that measures the models (scores)"
PREDICTION_EXAMPLE = '{"Autoencoder_1": False, "Autoencoder_2": True, "Autoencoder_3": True}'
PREDICTED_METRIC = "silhouette"
METRIC_RANGES = {"silhouette": (-1.0, 1.0), "knn_accuracy": (0.0, 1.0), "trustworthiness": (0.0, 1.0)}
# Why each article model's silhouette lands where it does against PCA's, from the latent plots of notebooks 2 to 5
# (in the depth study of notebook 6, PCA's silhouette is above every autoencoder's in all 20 runs of each model).
BEATS_PCA_REASONS = {
    "Autoencoder_1": (
        "Its codes pile most digits on top of each other (notebook 2's plot): a code is about as close to other "
        "digits as to its own, so its silhouette is below 0."
    ),
    "Autoencoder_2": (
        "Ten ReLU units start to give some digits arms of their own, but the arms are long and meet near the "
        "centre: much of a digit lies farther from the rest of its own codes than from another digit's."
    ),
    "Autoencoder_3": (
        "Its neighbourhoods are the purest of the three (notebook 4: kNN accuracy above PCA's), yet its digits lie "
        "along long arms that meet at a shared centre: a code far out on an arm is far from much of its own digit. "
        "The silhouette asks about whole clusters, kNN accuracy about the 5 nearest codes: different questions."
    ),
}
PCA_SILHOUETTE_REASON = (
    "PCA's projection draws round clouds that overlap: mixed neighbourhoods, but compact clusters, which the "
    "silhouette scores a little higher."
)
OTHER_MODEL_REASON = "Depth, width and training all decide where a model lands against PCA."
_FIRST_WINNERS: dict[str, frozenset[str]] = {}  # exercise -> the prediction the check judged first in this session


def forget_predictions() -> None:
    """Forget the predictions judged so far (exercises 1.2 and 5.1), as a new kernel would."""
    _FIRST_JUDGED.clear()
    _FIRST_WINNERS.clear()


def _measure_by_model(scores: object, metric: str) -> tuple[str | None, dict[str, float], str | None]:
    """``(PCA's name, {name: measure}, None)`` from the measured scores, or ``(..., what is wrong)``."""
    if hasattr(scores, "to_dict") and hasattr(scores, "index") and not isinstance(scores, Mapping):
        try:
            scores = scores.to_dict(orient="index")  # metrics.score_table(scores) passed instead
        except Exception:  # a pandas object of another shape
            return None, {}, f"These are not the measured scores: {SCORES_HINT}."
    if not isinstance(scores, Mapping) or not scores:
        return None, {}, f"{shown(scores)} is not the measured scores: {SCORES_HINT}."
    low, high = METRIC_RANGES.get(metric, (-math.inf, math.inf))
    measured: dict[str, float] = {}
    for name, row in scores.items():
        value, _ = parse_number(row.get(metric) if isinstance(row, Mapping) else None)
        if not isinstance(name, str) or value is None or not low <= value <= high:
            return None, {}, f"The scores of {shown(name)} have no {metric} from {low:g} to {high:g}: {SCORES_HINT}."
        measured[name] = value
    baselines = [name for name in measured if name.startswith(PCA_PREFIX)]
    if len(baselines) != 1 or len(measured) < 2:
        return None, {}, f"The scores need one PCA row and at least one autoencoder: {SCORES_HINT}."
    return baselines[0], measured, None


def _predicted_winners(prediction: object, models_named: Sequence[str]) -> tuple[set[str] | None, str | None]:
    """The models predicted to beat PCA, from a dict of yes/no or a set of names; or what is wrong."""
    names = ", ".join(models_named)
    if isinstance(prediction, Mapping):
        unknown = [key for key in prediction if key not in models_named]
        if unknown:
            return None, f"There is no model {shown(unknown[0])} in the scores; the models are {names}."
        missing = [name for name in models_named if name not in prediction]
        if missing:
            return None, f"Say True or False for every model; {', '.join(missing)} is missing."
        for name, beats in prediction.items():
            if not isinstance(beats, (bool, np.bool_)):
                return None, f"Say True (beats PCA) or False for {name}, not {shown(beats)}."
        return {name for name, beats in prediction.items() if beats}, None
    if isinstance(prediction, (set, frozenset, list, tuple)):
        chosen = list(prediction)
        for item in chosen:
            if not isinstance(item, str) or item not in models_named:
                return None, f"{shown(item)} is not a model in the scores; the models are {names}."
        return set(chosen), None
    return None, (
        f"Give a dictionary of True/False per model, such as {PREDICTION_EXAMPLE}, or the set of the models "
        f"that beat PCA, not {type(prediction).__name__} {' '.join(shown(prediction).split())}."
    )


def _beats_pca_line(name: str, predicted: bool, measured: dict[str, float], baseline: str, metric: str) -> str:
    """What was predicted and measured for one model against PCA, whether the prediction held, and why."""
    value, baseline_value = measured[name], measured[baseline]
    beats = value > baseline_value
    reason = BEATS_PCA_REASONS.get(name, OTHER_MODEL_REASON) if metric == PREDICTED_METRIC else OTHER_MODEL_REASON
    return (
        f"{name}: you predicted it {'would' if predicted else 'would not'} beat {baseline}; in this run its "
        f"{metric} is {value:+.3f} against {baseline_value:+.3f}, so it {'does' if beats else 'does not'}: "
        f"{'it held' if predicted == beats else 'it did not hold'}. Why: {reason}"
    )


@coached(
    hint="Commit to a prediction first: for each model, True if you expect its silhouette above PCA's, else "
    "False. Any honest guess counts; the check then says whether it held.",
    recipe='prediction_5_1 = {"Autoencoder_1": False, "Autoencoder_2": False, "Autoencoder_3": True} with your '
    "own True/False per model (or the set of the models you expect to beat PCA, set() for none); then "
    "checks.check_prediction_beats_pca(prediction_5_1, scores) after the measuring cell.",
)
def check_prediction_beats_pca(prediction: object, scores: object, metric: str = PREDICTED_METRIC) -> CheckResult:
    """Exercise 5.1: which of the article's models beat PCA on the silhouette, predicted before the run.

    The prediction is recorded, not marked: the result is "recorded" once a prediction for every
    model is given and the scores are measured scores, and each model's line says, with a neutral
    mark, whether the prediction held in this run and why. A prediction changed after the check has
    shown the measurement is judged by the first one (in this session).

    Args:
        prediction: True/False per model (``{"Autoencoder_1": False, ...}``) or the set of the
            models predicted to beat PCA.
        scores: The measured scores, model name to :func:`course_utils.metrics.measure`'s results,
            with one row whose name starts with "PCA".
        metric: The measure predicted.
    """
    title = "Exercise 5.1"
    if prediction is Ellipsis:
        return not_answered(title)
    baseline, measured, problem = _measure_by_model(scores, metric)
    if problem is not None or baseline is None:
        return CheckResult(title, fix=[problem or f"No PCA row in the scores: {SCORES_HINT}."])
    models_named = [name for name in measured if name != baseline]
    winners, problem = _predicted_winners(prediction, models_named)
    if problem is not None or winners is None:
        return CheckResult(title, fix=[problem or "Give your prediction."])
    first = _FIRST_WINNERS.setdefault(title, frozenset(winners))
    notes = []
    if first != winners:
        judged = ", ".join(sorted(first)) or "none"
        notes.append(
            "You changed your prediction after the check had shown you the measurement. Predicting first is the "
            f"point, so the check judges your first one (predicted to beat PCA: {judged})."
        )
    lines = [_beats_pca_line(name, name in first, measured, baseline, metric) for name in models_named]
    held = sum("it did not hold" not in line for line in lines)
    notes += lines + [f"{held} of your {len(lines)} predictions held."]
    if metric == PREDICTED_METRIC:
        notes.append(PCA_SILHOUETTE_REASON)
    right = [f"A prediction for every model, judged against the {metric} measured in this run."]
    return CheckResult(title, right=right, notes=notes, done="recorded")


FAR_SHARE = 0.1  # a code farther than this share of the codes' span from every training code is far outside
CODE_EXAMPLE = "two numbers such as (1.5, -3.0)"


def _two_numbers(code: object) -> tuple[np.ndarray | None, str | None]:
    """A code as an array of two finite numbers, or what is wrong with it."""
    if isinstance(code, np.ndarray) and code.shape == (1, 2):
        code = code[0]  # one row of codes, as the encoder returns it
    flat_array = isinstance(code, np.ndarray) and code.ndim == 1
    if isinstance(code, (str, bytes, Mapping)) or not (isinstance(code, Sequence) or flat_array):
        return None, f"Give the code as {CODE_EXAMPLE}, not {shown(code)}."
    if len(code) != 2:
        return None, f"A code of this latent space has 2 numbers, such as (1.5, -3.0); you gave {len(code)}."
    values = []
    for item in code:
        value, _ = parse_number(item)
        if value is None:
            return None, f"{shown(item)} is not a finite number: give the code as {CODE_EXAMPLE}."
        values.append(value)
    return np.array(values), None


def _course_autoencoder(model: object) -> models.Autoencoder | None:
    """The course autoencoder in ``model`` (itself, or a trained model's ``.autoencoder``), or None."""
    autoencoder = getattr(model, "autoencoder", None) if not isinstance(model, models.Autoencoder) else model
    return autoencoder if isinstance(autoencoder, models.Autoencoder) else None


def _training_images(data: object) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The training images and their digits, when ``data`` is the course data; else ``(None, None)``."""
    images, labels = getattr(data, "x_train", None), getattr(data, "y_train", None)
    if not isinstance(images, np.ndarray) or not isinstance(labels, np.ndarray):
        return None, None
    if images.ndim != 2 or labels.shape != (len(images),) or len(images) < metrics.NEIGHBOURS:
        return None, None
    return images, labels


def _far_outside(code: np.ndarray, train_codes: np.ndarray) -> str | None:
    """Why ``code`` is far from every training code, or None when training codes lie near it."""
    nearest = float(np.min(np.linalg.norm(train_codes - code, axis=1)))
    span = float(np.linalg.norm(train_codes.max(axis=0) - train_codes.min(axis=0)))
    if nearest <= FAR_SHARE * span:
        return None
    low, high = train_codes.min(axis=0), train_codes.max(axis=0)
    return (
        f"({code[0]:.2f}, {code[1]:.2f}) is far outside the training codes: the nearest is {nearest:.3g} away, "
        f"more than a tenth of their span ({span:.3g}). They run from {low[0]:.3g} to {high[0]:.3g} in dimension 1 "
        f"and from {low[1]:.3g} to {high[1]:.3g} in dimension 2. No training image has a code there, so the "
        "decoder never learned what to make of it: pick a point among the codes of the latent plot."
    )


def _looks_like(image: np.ndarray, images: np.ndarray, labels: np.ndarray) -> tuple[int, int]:
    """The digit a decoded image looks like, by its nearest training images' pixels, and their votes for it."""

    classifier = KNeighborsClassifier(n_neighbors=metrics.NEIGHBOURS).fit(images, labels)
    digit = int(classifier.predict(image)[0])
    neighbours = classifier.kneighbors(image, return_distance=False)[0]
    return digit, int(np.sum(labels[neighbours] == digit))


@coached(
    hint="Every point of the latent plane is a code the decoder turns into an image; the 3s' training codes lie "
    "where the 3s are drawn in the latent plot.",
    recipe='code_5_2 = tuple(plots.digit_medians(train_codes["Autoencoder_3"], y_train)[3]): the centre '
    "(median) of the 3s' training codes, the bold 3 of the plot.",
)
def check_decoded_digit(code: object, digit: object, model: object, data: object) -> CheckResult:
    """Exercise 5.2: a 2-number code that the model's decoder turns into an image of ``digit``.

    The decoded image counts as a ``digit`` when most of its 5 nearest training images (by their
    pixels, a k-nearest-neighbour classifier of scikit-learn) show that digit.

    Args:
        code: The student's code, two numbers such as ``(1.5, -3.0)``.
        digit: The digit the code should decode to.
        model: The trained autoencoder (``trained["Autoencoder_3"]`` or its ``.autoencoder``).
        data: The course data, for the training images and their digits.
    """
    title = "Exercise 5.2"
    if code is Ellipsis:
        return not_answered(title)
    autoencoder, (images, labels), target = _course_autoencoder(model), _training_images(data), _digit(digit)
    if autoencoder is None or images is None or labels is None or target is None:
        call = 'check_decoded_digit(code_5_2, 3, trained["Autoencoder_3"], mnist)'
        return CheckResult(title, fix=[f"Call the check as in the notebook: {call}."])
    point, problem = _two_numbers(code)
    if point is None:
        return CheckResult(title, fix=[problem or f"Give the code as {CODE_EXAMPLE}."])
    with np.errstate(all="ignore"):
        train_codes = training.encode(autoencoder, images)
        image = training.decode(autoencoder, point[None, :].astype("float32"))
    if not np.isfinite(train_codes).all() or not np.isfinite(image).all():
        return CheckResult(title, fix=["The model gives NaN or infinite values: it diverged; train it again."])
    looks_like, votes = _looks_like(image, images, labels)
    seen = (
        f"({point[0]:.2f}, {point[1]:.2f}) decodes to an image that looks like a {looks_like}: "
        f"{votes} of its {metrics.NEIGHBOURS} nearest training images (by pixels) are {looks_like}s."
    )
    far = _far_outside(point, train_codes)
    if far is not None:
        drawn = f"The decoder still draws something there (a {looks_like}, by pixels), but nothing it learned."
        return CheckResult(title, fix=[far, drawn])
    if looks_like != target:
        return CheckResult(
            title, fix=[f"{seen} Move towards the {target}s: the bold {target} in the latent plot marks their centre."]
        )
    return CheckResult(
        title,
        right=[
            seen,
            "The decoder turns every code into an image, also codes that no training image has: this one it "
            f"draws as a {target}.",
        ],
    )


# --------------------------------------------------------------------------------------------
# Exercises of notebook 6: measures and seeds (ex-6-*)
# --------------------------------------------------------------------------------------------
# (marker 6: insert this notebook's checks below this line)

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


# --------------------------------------------------------------------------------------------
# Exercises of notebook 7: early stopping, debugging (ex-7-*)
# --------------------------------------------------------------------------------------------
# (marker 7: insert this notebook's checks below this line)

STOPPING_HINT = "keras.callbacks.EarlyStopping(monitor='val_loss', patience=3, restore_best_weights=True)"
STOPPING_TRAINING_HINT = "history_7_2 = training.train(model_7_2, x_small, x_val, settings_7_2, callbacks=[stop_7_2])"
# A model's loss on its validation images, evaluated again, matches the history's to float rounding;
# validation and test losses of a run differ in the third or fourth digit.
SAME_LOSS_TOLERANCE = {"rel_tol": 1e-4, "abs_tol": 1e-6}


# Exercise 7.1: the notebook's broken_7_1 has a linear output. The check names that bug only from the second wrong
# answer on: the exercise is to find it from the evidence, so an unchanged model is told that it is unchanged.
PLANTED_BUG = "The output layer (784 units) uses 'linear'"
FIXED_MODEL_HINT = (
    "Each of the three bugs leaves its own trace in the numbers printed under broken_7_1: compare its loss with "
    "the depth-3 model's, its outputs' range with the pixels' range [0, 1], and the share of codes that are 0. "
    "Which of them is impossible for a model whose images lie in [0, 1]?"
)
FIXED_MODEL_RECIPE = (
    "The outputs leave [0, 1] and the loss stays high, while no code is stuck at 0: the last layer of broken_7_1 "
    "has no activation, so it is linear. Copy broken_7_1 and give the last layer activation='sigmoid': "
    "keras.layers.Dense(784, activation='sigmoid')."
)


def check_fixed_model(model: object) -> CheckResult:
    """Exercise 7.1: the broken model repaired: ``784-32-10-2-10-32-784``, ReLU layers, a linear code, sigmoid output.

    The model of the notebook has a linear output. Until the second wrong answer the check does not
    name that bug: a model that still has it is told so without where it is (with only that bug, that
    it is unchanged), and the layers it gets right are not listed, since they would point to the one left.
    """
    title = "Exercise 7.1"
    result = model_checks.check_autoencoder(model, models.ARTICLE_HIDDEN_UNITS["Autoencoder_3"], title=title)
    coach(result, FIXED_MODEL_HINT, FIXED_MODEL_RECIPE)
    planted = [line for line in result.fix if line.startswith(PLANTED_BUG)]
    if not planted or result.recipe:
        return result
    others = [line for line in result.fix if line not in planted]
    result.right = result.right[:1]  # "It is a Keras model that takes 784 numbers."
    if others:
        result.fix = others + ["The bug of broken_7_1 is still there too: the evidence printed above points to it."]
    else:
        result.fix = [
            "This model has the layers of broken_7_1, unchanged: its bug is still there. Find it from the evidence "
            "printed above, then change the layer it points to."
        ]
    return result


@coached(
    hint="Early stopping must judge on images the model does not learn from and the test never sees, and must "
    "give back the weights of its best epoch; Keras counts epochs from 0, the plot from 1.",
    recipe=f"stop_7_2 = {STOPPING_HINT}; {STOPPING_TRAINING_HINT}; best_epoch_7_2 = stop_7_2.best_epoch + 1",
)
def check_stopping(best_epoch: object, stopper: object, history: object, x_val: object, x_test: object) -> CheckResult:
    """Exercise 7.2: early stopping on the validation images, and the epoch whose weights it kept.

    Args:
        best_epoch: The student's answer: the epoch (counted from 1) whose weights the model kept.
        stopper: The ``keras.callbacks.EarlyStopping`` the student trained with.
        history: What the training returned (a Keras ``History`` or its ``history`` dict).
        x_val: The notebook's validation images, to confirm the callback watched them.
        x_test: The test images, to recognise a callback that watched them instead.
    """
    title = "Exercise 7.2"
    if any(value is Ellipsis for value in (best_epoch, stopper, history)):
        return not_answered(title)
    curves, problem = _stopping_curves(stopper, history)
    if curves is None:
        return CheckResult(title, fix=[problem or "Pass the callback and the history of one training."])
    result = CheckResult(title)
    _judge_stopper(stopper, curves, result)
    _judge_watched_images(stopper, curves, x_val, x_test, result)
    _judge_best_epoch(best_epoch, curves, result)
    return result


def _history_curves(history: object) -> tuple[dict[str, np.ndarray] | None, str | None]:
    """The loss curves of a Keras History (or its dict) as arrays, or what is wrong with them."""
    curves = history.history if isinstance(history, keras.callbacks.History) else history
    if not isinstance(curves, Mapping):
        return None, f"Pass the history the training returned ({STOPPING_TRAINING_HINT}), not {shown(history)}."
    if "val_loss" not in curves:
        if "test_loss" in curves:
            return None, (
                "Your history has a test_loss: the training watched the test images. Early stopping must watch "
                "validation images taken from the training images: pass x_val."
            )
        return None, f"The history has no val_loss: train with the validation images, {STOPPING_TRAINING_HINT}."
    try:
        arrays = {name: np.asarray(curves[name], dtype=float) for name in ("loss", "val_loss")}
    except Exception:  # a missing training loss, ragged lists, or values that are not numbers
        return None, f"The history needs the loss and val_loss lists a training returns: {STOPPING_TRAINING_HINT}."
    if any(curve.ndim != 1 for curve in arrays.values()) or len(arrays["loss"]) != len(arrays["val_loss"]):
        return None, f"The history's loss and val_loss must be lists of one loss per epoch: {STOPPING_TRAINING_HINT}."
    if not len(arrays["loss"]):
        return None, f"The history has no epochs: train first, {STOPPING_TRAINING_HINT}."
    if not all(np.isfinite(curve).all() for curve in arrays.values()):
        return None, "The history holds NaN or infinite losses: the training diverged; build the model again and retrain."
    return arrays, None


def _stopping_curves(stopper: object, history: object) -> tuple[dict[str, np.ndarray] | None, str | None]:
    """The history's curves when ``stopper`` is an EarlyStopping that took part in that very training."""
    if isinstance(stopper, keras.callbacks.History):
        return None, f"That is a history; pass the EarlyStopping callback second: {STOPPING_HINT}."
    if not isinstance(stopper, keras.callbacks.EarlyStopping):
        return None, f"Pass the keras.callbacks.EarlyStopping you trained with, not {shown(stopper)}: {STOPPING_HINT}."
    curves, problem = _history_curves(history)
    if curves is None:
        return None, problem
    monitor = getattr(stopper, "monitor", None)
    watched = curves.get(monitor) if isinstance(monitor, str) else None
    if watched is None and monitor not in ("loss", "val_loss"):
        return None, f"Your callback watches {shown(monitor)}, which no training reports: use monitor='val_loss'."
    best, best_epoch = getattr(stopper, "best", None), getattr(stopper, "best_epoch", None)
    if best is None or not isinstance(best_epoch, int):
        return None, f"The callback never took part in a training: pass it in callbacks=[...], {STOPPING_TRAINING_HINT}."
    in_range = 0 <= best_epoch < len(watched)
    same_training = in_range and math.isclose(float(watched[best_epoch]), float(best), **SAME_LOSS_TOLERANCE)
    if not same_training:
        return None, (
            "The callback and the history come from different trainings: build the model, make a new callback and "
            "train once with it, then pass that callback and the history that training returned."
        )
    return curves, None


def _judge_stopper(stopper, curves: dict[str, np.ndarray], result: CheckResult) -> None:
    """Add to ``result`` what the callback watches, which weights it keeps, and when it stopped."""
    if stopper.monitor == "loss":
        result.fix.append(
            "Your callback monitored the training loss (monitor='loss'). The training loss keeps falling while a model "
            "overfits, so it cannot say when to stop: watch monitor='val_loss'."
        )
    elif stopper.monitor != "val_loss":
        result.fix.append(f"Your callback watches '{stopper.monitor}'; watch the validation loss: monitor='val_loss'.")
    else:
        result.right.append("It watches the validation loss.")
    epochs, best = len(curves["val_loss"]), int(np.argmin(curves["val_loss"])) + 1
    if not stopper.restore_best_weights:
        result.fix.append(
            f"restore_best_weights=True is missing: the model kept the weights of its last epoch ({epochs}), not those "
            f"of its best epoch ({best}). Add it, build the model again and retrain."
        )
    else:
        result.right.append("It restores the weights of its best epoch when the training ends.")
    planned = (getattr(stopper, "params", None) or {}).get("epochs")
    if stopper.stopped_epoch and isinstance(planned, int):
        result.right.append(f"It stopped after {epochs} of at most {planned} epochs (patience {stopper.patience}).")
    elif isinstance(planned, int):
        result.right.append(
            f"It ran all {planned} epochs without stopping: {stopper.monitor} never failed to improve for "
            f"{stopper.patience} epochs in a row. A smaller patience stops earlier."
        )


def _kept_epoch(stopper, curves: dict[str, np.ndarray]) -> int:
    """The epoch (from 0) whose weights the model holds after the training."""
    if stopper.restore_best_weights and stopper.best_weights is not None:
        return int(stopper.best_epoch)
    return len(curves["val_loss"]) - 1


def _compiled_loss(model, images: object) -> float | None:
    """The model's compiled loss on ``images`` (as they reconstruct themselves), or None if it cannot be computed."""
    try:
        loss = model.evaluate(images, images, verbose=0, batch_size=256, return_dict=True)["loss"]
        loss = float(loss)
    except Exception:  # images of the wrong shape or type, a model that was never compiled
        return None
    return loss if math.isfinite(loss) else None


def _judge_watched_images(stopper, curves: dict[str, np.ndarray], x_val: object, x_test: object, result) -> None:
    """Add to ``result`` which images the validation loss was measured on: the model's loss now tells."""
    model = getattr(stopper, "model", None)
    if not isinstance(model, keras.Model):
        result.fix.append(f"The callback holds no model: train with callbacks=[stop_7_2], {STOPPING_TRAINING_HINT}.")
        return
    kept = float(curves["val_loss"][_kept_epoch(stopper, curves)])
    on_val, on_test = _compiled_loss(model, x_val), _compiled_loss(model, x_test)
    if on_val is None:
        result.fix.append(
            "The model's loss on the validation images could not be computed: pass the notebook's x_val and x_test."
        )
    elif math.isclose(on_val, kept, **SAME_LOSS_TOLERANCE):
        result.right.append("Its validation loss was measured on the validation images, x_val.")
    elif on_test is not None and math.isclose(on_test, kept, **SAME_LOSS_TOLERANCE):
        result.fix.append(
            "You used the test set as validation: the validation loss is the model's loss on x_test. Then the test "
            "images choose the epoch and the test score flatters the model: validate on x_val."
        )
    else:
        result.fix.append(
            f"The model's loss on x_val now ({on_val:.4f}) is not its validation loss at the kept epoch ({kept:.4f}): "
            "it was trained again afterwards, or on other validation images. Build it again and train once on x_val."
        )


def _judge_best_epoch(best_epoch: object, curves: dict[str, np.ndarray], result: CheckResult) -> None:
    """Add to ``result`` whether ``best_epoch`` is the epoch (from 1) of the lowest validation loss."""
    value, problem = whole_number(best_epoch)
    if value is None:
        result.fix.append(f"Give the epoch as a whole number, such as 12: {problem}")
        return
    epochs = len(curves["val_loss"])
    best = int(np.argmin(curves["val_loss"])) + 1
    if value == best:
        lowest = float(curves["val_loss"][best - 1])
        result.right.append(f"Epoch {best} of {epochs} has the lowest validation loss, {lowest:.4f}.")
    elif value == best - 1:
        result.fix.append(
            f"Off by one: Keras counts epochs from 0 (stop_7_2.best_epoch is {best - 1}, np.argmin too), while the "
            "progress lines and the history's plot count from 1. Add 1."
        )
    elif value == epochs:
        result.fix.append(
            f"Epoch {epochs} is the last epoch trained. With restore_best_weights=True the model went back to the "
            "weights of the epoch with the lowest validation loss: find that epoch."
        )
    elif value == int(np.argmin(curves["loss"])) + 1:
        result.fix.append(f"Epoch {value} has the lowest training loss; the kept weights are those of the lowest val_loss.")
    elif not 1 <= value <= epochs:
        result.fix.append(f"The training ran {epochs} epochs, counted 1 to {epochs}; {value} is not one of them.")
    else:
        result.fix.append(
            f"Epoch {value} does not have the lowest validation loss: look it up in history_7_2.history['val_loss']."
        )


# --------------------------------------------------------------------------------------------
# Exercises of notebook 9: closing (ex-9-*)
# --------------------------------------------------------------------------------------------
# (marker 8: insert this notebook's checks below this line)


# Exercise 9.1: each measure against the statement of what it rewards. The letters are in no
# measure's order, so that the order of the list gives nothing away.
MEASURE_STATEMENTS: dict[str, str] = {
    "A": "Points that are neighbours in the code were also neighbours among the 784 pixels; no labels are used.",
    "B": "The loss the models were trained to lower: each decoded pixel is read as a probability of ink.",
    "C": "Each code is closer to all codes of its own digit than to all codes of the nearest other digit.",
    "D": "The few nearest training codes of a test digit mostly carry that digit's label.",
    "E": "The average squared difference between an original pixel and its decoded pixel.",
}
MEASURE_LETTERS = {"bce": "B", "mse": "E", "knn_accuracy": "D", "trustworthiness": "A", "silhouette": "C"}
MEASURE_ALIASES = {
    "knn": "knn_accuracy",
    "k_nn_accuracy": "knn_accuracy",
    "binary_cross_entropy": "bce",
    "mean_squared_error": "mse",
    "trust": "trustworthiness",
    "silhouette_score": "silhouette",
}
# The confusions notebooks 1 and 6 warn about, each with the difference that settles it.
MEASURE_CONFUSIONS = {
    frozenset(("knn_accuracy", "silhouette")): (
        "kNN accuracy looks only at the few nearest codes of each digit, the silhouette at whole clusters: "
        "touching clusters keep a kNN accuracy far above chance and a silhouette near 0 (notebook 6)."
    ),
    frozenset(("knn_accuracy", "trustworthiness")): (
        "Trustworthiness uses no labels: it compares neighbours in the code with neighbours among the pixels. "
        "kNN accuracy asks whether the neighbours carry the same label."
    ),
    frozenset(("bce", "mse")): (
        "Both judge the reconstructions. BCE (binary cross-entropy) is the loss the models were trained with; "
        "MSE is the plain squared pixel error."
    ),
}
MEASURE_HINTS = {
    "bce": "BCE is the training loss of every model of the course.",
    "mse": "MSE squares each pixel's error and averages.",
    "knn_accuracy": "kNN accuracy classifies each test code by the labels of its 5 nearest training codes.",
    "trustworthiness": "Trustworthiness never looks at a label.",
    "silhouette": "The silhouette compares distances to whole clusters.",
}


def _measure_name(key: object) -> str | None:
    """A measure's name from text such as ``"kNN accuracy"``, or None."""
    if not isinstance(key, str):
        return None
    name = key.strip().lower().replace(" ", "_").replace("-", "_")
    name = MEASURE_ALIASES.get(name, name)
    return name if name in MEASURE_LETTERS else None


def _statement_letter(value: object) -> str | None:
    """A letter of :data:`MEASURE_STATEMENTS` from text such as ``" b"``, or None."""
    if not isinstance(value, str):
        return None
    letter = value.strip().upper()
    return letter if letter in MEASURE_STATEMENTS else None


def _read_measure_letters(answer: Mapping) -> tuple[dict[str, str], list[str]]:
    """The student's letter for each measure, and what is wrong with the mapping itself."""
    letters: dict[str, str] = {}
    problems: list[str] = []
    seen: set[str] = set()
    choices = ", ".join(MEASURE_STATEMENTS)
    for key, value in itertools.islice(answer.items(), 20):
        name = _measure_name(key)
        if name is not None and name in seen:
            problems.append(f"{name} appears twice: give each measure once.")
            continue
        seen.add(name or "")
        if name is None:
            problems.append(f"{shown(key)} is not one of the measures {', '.join(MEASURE_LETTERS)}.")
        elif value is Ellipsis:
            problems.append(f"{name}: not answered yet (replace its ... with a letter).")
        elif _statement_letter(value) is None:
            problems.append(f"{name}: give one of the letters {choices}, not {shown(value)}.")
        else:
            letters[name] = _statement_letter(value) or ""
    missing = [name for name in MEASURE_LETTERS if name not in seen]
    if missing:
        problems.append(f"Give a letter for every measure; missing: {', '.join(missing)}.")
    return letters, problems


def _repeated_letters(letters: Mapping[str, str]) -> list[str]:
    """A message for each statement given to more than one measure."""
    messages = []
    for letter in sorted(set(letters.values())):
        names = [name for name, given in letters.items() if given == letter]
        if len(names) > 1:
            messages.append(f"{letter} is given to {' and '.join(names)}: each statement fits exactly one measure.")
    return messages


def _wrong_letter_message(name: str, letter: str) -> str:
    """Why ``letter`` does not describe measure ``name``, naming a known confusion when it is one."""
    owner = next(measure for measure, right in MEASURE_LETTERS.items() if right == letter)
    confusion = MEASURE_CONFUSIONS.get(frozenset((name, owner)))
    return f"{name}: {letter} is not what it rewards. {confusion or MEASURE_HINTS[name]}"


@coached(
    hint="Ask of each statement: does it judge the reconstructions or the codes? Does it use the digit labels? "
    "Does it look at a few nearest neighbours or at whole clusters?",
    recipe="Sort the statements first: two judge reconstructions (one is the training loss, one the plain squared "
    "error), one judges codes without labels, two judge codes with labels (one by nearest neighbours, one by whole "
    "clusters). Then print metrics.METRIC_DESCRIPTIONS, which says in words what each measure rewards.",
)
def check_measure_rewards(answer: object) -> CheckResult:
    """Exercise 9.1: match each of the five measures to the statement of what it rewards.

    Args:
        answer: A dict from each measure (``"bce"``, ``"mse"``, ``"knn_accuracy"``,
            ``"trustworthiness"``, ``"silhouette"``) to a letter of :data:`MEASURE_STATEMENTS`.

    Returns:
        The verdict; a wrong letter is named with the confusion it shows (kNN accuracy against
        the silhouette or trustworthiness, BCE against MSE), never with the right letter.
    """
    title = "Exercise 9.1"
    if answer is Ellipsis:
        return not_answered(title)
    if not isinstance(answer, Mapping):
        return CheckResult(
            title, fix=[f'Give a dict from each measure to a letter, e.g. {{"bce": "A", ...}}, not {shown(answer)}.']
        )
    letters, problems = _read_measure_letters(answer)
    problems += _repeated_letters(letters)
    if problems:
        return CheckResult(title, fix=problems)
    result = CheckResult(title)
    for name, letter in letters.items():
        if letter == MEASURE_LETTERS[name]:
            result.right.append(f"{name}: {MEASURE_STATEMENTS[letter]}")
        else:
            result.fix.append(_wrong_letter_message(name, letter))
    if result.passed:
        result.right.append("Five measures, five different questions: that is why their verdicts can disagree.")
    return result


# Exercise 9.2: a plan of a fair experiment, written as a dict.
PLAN_FIELDS = ("question", "changed", "fixed", "measures", "seeds", "chosen_on")
# The settings that decide a result of the course: a fair plan changes one and holds the others.
HELD_SETTINGS = ("depth", "latent_dim", "epochs", "batch_size", "learning_rate", "optimizer", "data")
SETTING_ALIASES = {
    "hidden_layers": "depth",
    "number_of_hidden_layers": "depth",
    "layers": "depth",
    "number_of_layers": "depth",
    "code_size": "latent_dim",
    "latent_size": "latent_dim",
    "latent_dimension": "latent_dim",
    "size_of_the_code": "latent_dim",
    "lr": "learning_rate",
    "batch": "batch_size",
    "training_images": "data",
    "training_data": "data",
    "dataset": "data",
    "images": "data",
    "seeds": "seed",
}
VALIDATION_WORDS = ("validation", "validation_split", "validation_set", "validation_images", "val", "x_val")
TEST_WORDS = ("test", "test_set", "test_images", "x_test")
TRAINING_WORDS = ("train", "training", "training_set", "training_loss", "x_train")
MIN_SEEDS = 3
MAX_SEEDS = 1_000  # more runs than any plan of the course could train


def _setting(item: object) -> str | None:
    """A setting's name from text such as ``"Learning rate"``, or None for what is not text."""
    if not isinstance(item, str) or not item.strip():
        return None
    name = item.strip().lower().replace(" ", "_").replace("-", "_")
    return SETTING_ALIASES.get(name, name)


def _text_items(value: object, field_name: str, example: str) -> tuple[list[object] | None, str | None]:
    """The items of a list, tuple or set, or what to give instead."""
    if isinstance(value, (list, tuple, set, frozenset)) and len(value) <= MAX_SEEDS:
        return list(value), None
    if isinstance(value, str):
        return None, f"{field_name}: give a list such as {example}, not the text {shown(value)}."
    return None, f"{field_name}: give a list such as {example}, not {shown(value)}."


def _question_problem(question: object) -> str | None:
    if not isinstance(question, str) or len(question.split()) < 3:
        return (
            f"question: write the question the experiment answers, in a sentence "
            f'(e.g. "Does a 10-number code change what depth buys?"), not {shown(question)}.'
        )
    return None


def _changed_setting(changed: object) -> tuple[str | None, str | None]:
    """The one setting the plan changes, or what is wrong with ``changed``."""
    if isinstance(changed, (list, tuple, set, frozenset)):
        items = [_setting(item) for item in itertools.islice(changed, 11)]
        if len(items) != 1:
            shown_items = ", ".join(str(item) for item in items)
            return None, f"changed: change one thing at a time; you change {len(items)} ({shown_items})."
        changed = items[0]
    setting = _setting(changed)
    if setting is None:
        return None, f'changed: name the one setting you change, e.g. "latent_dim", not {shown(changed)}.'
    if setting == "seed":
        return None, "changed: seeds are repeats of each run, not the thing you compare; put them under seeds."
    return setting, None


def _fixed_problems(fixed: object, changed: str | None) -> list[str]:
    """What the plan forgets to hold fixed, or holds fixed and changes at once."""
    items, problem = _text_items(fixed, "fixed", '["depth", "epochs", ...]')
    if items is None:
        return [problem or "fixed: give a list of settings."]
    settings = {_setting(item) for item in items}
    problems = []
    if changed is not None and changed in settings:
        problems.append(f"fixed: {changed} cannot be both changed and held fixed.")
    missing = [name for name in HELD_SETTINGS if name not in settings and name != changed]
    if missing:
        problems.append(f"fixed: also hold {', '.join(missing)} fixed; a difference could otherwise come from them.")
    return problems


def _measures_problems(measures: object) -> list[str]:
    """Whether the plan measures both the reconstructions and the latent space with the course's measures."""
    items, problem = _text_items(measures, "measures", '["bce", "knn_accuracy"]')
    if items is None:
        return [problem or "measures: give a list of measures."]
    names = [_measure_name(item) for item in items]
    unknown = [shown(item) for item, name in zip(items, names) if name is None]
    if unknown:
        return [f"measures: {', '.join(unknown)} is not a measure of the course; use {', '.join(MEASURE_LETTERS)}."]
    problems = []
    if not set(names) & set(metrics.LOWER_IS_BETTER):
        problems.append("measures: add a reconstruction measure (bce or mse).")
    if not set(names) - set(metrics.LOWER_IS_BETTER):
        problems.append(
            "measures: add a latent measure (knn_accuracy, trustworthiness or silhouette): notebook 6 showed "
            "that the measures can disagree."
        )
    return problems


def _seeds_problem(seeds: object) -> str | None:
    """Why ``seeds`` is not a list of at least three different whole numbers, or None."""
    if isinstance(seeds, range) and len(seeds) <= MAX_SEEDS:
        seeds = list(seeds)
    if not isinstance(seeds, (list, tuple, set, frozenset)) or len(seeds) > MAX_SEEDS:
        return f"seeds: give the list of seeds of each run, e.g. [0, 1, 2, 3, 4], not {shown(seeds)}."
    values = []
    for item in seeds:
        value, problem = whole_number(item)
        if value is None:
            return f"seeds: {shown(item)} is not a seed: {problem}"
        if value < 0:
            return f"seeds: {value} is negative; a seed is a whole number from 0 up."
        values.append(value)
    if len(set(values)) < len(values):
        return "seeds: a seed given twice repeats the same run; give different seeds."
    if len(values) < MIN_SEEDS:
        return (
            f"seeds: {len(values)} seed{'s' if len(values) != 1 else ''} cannot show a spread; give at least "
            f"{MIN_SEEDS} (notebook 6 used ten, and even three let verdicts flip between backends)."
        )
    return None


def _chosen_on_problem(chosen_on: object) -> str | None:
    """Why ``chosen_on`` does not name a validation split of the training images, or None."""
    word = _setting(chosen_on)
    if word in VALIDATION_WORDS:
        return None
    if word in TEST_WORDS:
        return (
            "chosen_on: choices made on the test images (epochs, early stopping) make the test result look better "
            "than it is; hold out a validation split of the training images (data.split_validation)."
        )
    if word in TRAINING_WORDS:
        return (
            "chosen_on: the training loss rewards learning the training images by heart (notebook 7); choose on a "
            "validation split of the training images."
        )
    return f'chosen_on: say which images decide the training choices, "validation" or "test", not {shown(chosen_on)}.'


def _plan_field_problems(plan: Mapping) -> list[str]:
    """Fields that are missing or unknown, each named."""
    keys = [key for key in itertools.islice(plan, 50)]
    problems = [f"the plan has no field {name!r}." for name in PLAN_FIELDS if name not in keys]
    unknown = [shown(key) for key in keys if key not in PLAN_FIELDS]
    if unknown:
        problems.append(f"{', '.join(unknown)}: not a field of the plan; its fields are {', '.join(PLAN_FIELDS)}.")
    return problems


@coached(
    hint="A fair experiment changes one thing, holds every other setting fixed, measures both the "
    "reconstructions and the codes over several seeds, and makes its choices on validation images.",
    recipe='{"question": "Does a 10-number code change what three layers buy?", "changed": "latent_dim", '
    '"fixed": ["depth", "epochs", "batch_size", "learning_rate", "optimizer", "data"], '
    '"measures": ["bce", "knn_accuracy"], "seeds": list(range(5)), "chosen_on": "validation"}',
)
def check_experiment_plan(plan: object) -> CheckResult:
    """Exercise 9.2: a plan of a fair experiment, as a dict with the fields of :data:`PLAN_FIELDS`.

    Args:
        plan: ``question`` (a sentence), ``changed`` (the one setting changed), ``fixed`` (the
            settings held fixed), ``measures`` (names of the course's measures), ``seeds`` (a list
            of at least three seeds) and ``chosen_on`` (the images that decide training choices).

    Returns:
        The verdict, naming every missing field and every flaw: more than one thing changed, a
        setting left free, no reconstruction or no latent measure, too few or repeated seeds,
        choices made on the test or training images.
    """
    title = "Exercise 9.2"
    if plan is Ellipsis:
        return not_answered(title)
    if not isinstance(plan, Mapping):
        return CheckResult(
            title, fix=[f"Give the plan as a dict with the fields {', '.join(PLAN_FIELDS)}, not {shown(plan)}."]
        )
    problems = _plan_field_problems(plan)
    if any(plan.get(name) is Ellipsis for name in PLAN_FIELDS if name in plan):
        open_fields = [name for name in PLAN_FIELDS if name in plan and plan[name] is Ellipsis]
        problems.append(f"not answered yet: {', '.join(open_fields)} (replace each ... with your answer).")
    changed, changed_problem = _changed_setting(plan.get("changed")) if "changed" in plan else (None, None)
    checks_by_field = {
        "question": lambda: [_question_problem(plan["question"])],
        "changed": lambda: [changed_problem],
        "fixed": lambda: _fixed_problems(plan["fixed"], changed),
        "measures": lambda: _measures_problems(plan["measures"]),
        "seeds": lambda: [_seeds_problem(plan["seeds"])],
        "chosen_on": lambda: [_chosen_on_problem(plan["chosen_on"])],
    }
    for name, field_check in checks_by_field.items():
        if name in plan and plan[name] is not Ellipsis:
            problems += [problem for problem in field_check() if problem]
    if problems:
        return CheckResult(title, fix=problems)
    return CheckResult(
        title,
        right=[
            f"One thing changed ({changed}), the others held fixed, both kinds of measure, "
            f"{len(list(plan['seeds']))} seeds, choices made on validation images: a fair plan.",
            "Compare the runs with Welch's t-test and correct for the number of tests (Holm), as notebook 6 does.",
        ],
    )
