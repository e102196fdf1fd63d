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
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from course_utils import metrics, models
from course_utils.exercises.feedback import NOT_ANSWERED, CheckResult, not_answered, parse_number, shown, whole_number
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
    return CheckResult(
        title,
        fix=[
            f"{value:,} is {direction}. Go layer by layer through {architecture}: a Dense layer from n inputs "
            "to m units has n × m weights and m biases; add up every layer of the encoder and the decoder."
        ],
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
    for share, message in _pixel_share_mistakes(hidden).items():
        if abs(value - share) <= PIXEL_SHARE_TOLERANCE:
            return CheckResult(title, right=right, fix=[f"{value:.4f} is not it. {message}"])
    return CheckResult(
        title,
        right=right,
        fix=[
            f"{value:.4f} is {'too high' if value > expected else 'too low'}. Add the parameters of the encoder's "
            "first layer (784 → 32) and the decoder's last layer (32 → 784), then divide by the total 51,726."
        ],
    )


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
        return None, f"Both digits are {digits[0]}: a digit's distance to itself is 0, so leave such pairs out."
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


def check_encoder_2(model: object) -> CheckResult:
    """Exercise 3.1: the encoder of ``Autoencoder_2``, ``784 → 10 (ReLU) → 2 (linear)``."""
    return check_encoder(model, models.ARTICLE_HIDDEN_UNITS["Autoencoder_2"], title="Exercise 3.1")


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
