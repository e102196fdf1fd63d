"""The course's exercises: a registry (label, notebook, learning goal) and one check function each.

A check function takes the student's answer explicitly, for example
``exercises.check_encoder_2(my_encoder)``; it never looks at notebook variables by itself. It returns
a :class:`CheckResult` that says what is right and what to fix, and shows itself as a short
coloured report in a notebook. A check never raises for a wrong or odd answer: it explains.

An answer that is still the placeholder ``...`` (what ``python -m course_utils release`` puts in the
student copies) is reported as "not answered yet", so that a student copy runs from top to bottom.
"""

from __future__ import annotations

import html
import itertools
import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from course_utils import models

RIGHT_MARK = "✓"
FIX_MARK = "✗"
NOT_ANSWERED = (
    "Not answered yet: replace the ... in the exercise cell above with your answer, run that cell, "
    "then run this one again."
)


@dataclass
class CheckResult:
    """What a check found: what is right, what to fix, and whether the answer passed.

    Attributes:
        title: Which exercise was checked, for example ``"Exercise 3.1"``.
        right: Things the answer gets right.
        fix: Things to change; empty when the answer is right.
        answered: False while the answer is still the ``...`` placeholder.
    """

    title: str
    right: list[str] = field(default_factory=list)
    fix: list[str] = field(default_factory=list)
    answered: bool = True

    @property
    def passed(self) -> bool:
        """True when the answer was given and nothing needs fixing."""
        return self.answered and not self.fix

    @property
    def verdict(self) -> str:
        """``"right"``, ``"not yet"`` or ``"not answered yet"``."""
        if not self.answered:
            return "not answered yet"
        return "right" if self.passed else "not yet"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = [f"{self.title}: {self.verdict}."]
        lines += [f"  {RIGHT_MARK} {line}" for line in self.right]
        lines += [f"  {FIX_MARK} {line}" for line in self.fix]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = {"right": "#1a7f37", "not yet": "#b35900", "not answered yet": "#57606a"}[self.verdict]
        items = [f'<li style="list-style:none">{RIGHT_MARK} {html.escape(line)}</li>' for line in self.right]
        items += [f'<li style="list-style:none">{FIX_MARK} {html.escape(line)}</li>' for line in self.fix]
        return (
            f'<div style="border-left:4px solid {colour};padding:0.3em 0.8em">'
            f'<strong style="color:{colour}">{html.escape(self.title)}: {self.verdict}.</strong>'
            f'<ul style="margin:0.3em 0;padding-left:0.5em">{"".join(items)}</ul></div>'
        )


def _not_answered(title: str) -> CheckResult:
    return CheckResult(title, fix=[NOT_ANSWERED], answered=False)


def parse_number(answer: object) -> tuple[float | None, str | None]:
    """Read a number, or text such as ``"25,120"`` or ``"98.6%"``, as ``(value, None)`` or ``(None, problem)``."""
    if isinstance(answer, bool):
        return None, f"{answer!r} is a yes/no value, not a number: give a number such as 1234."
    if isinstance(answer, numbers.Real):
        value = float(answer)
        return (value, None) if np.isfinite(value) else (None, f"{answer!r} is not a finite number.")
    if isinstance(answer, str):
        cleaned = answer.strip().replace(",", "").replace("_", "").replace(" ", "").replace("\u202f", "")
        if not cleaned:
            return None, "The answer is empty: type a number such as 1234."
        scale = 1.0
        if cleaned.endswith("%"):
            cleaned, scale = cleaned[:-1], 0.01
        try:
            return parse_number(float(cleaned) * scale)
        except ValueError:
            return None, f"{answer!r} is not a number: use digits only, for example 1234 or 0.25."
    return None, f"Give a number such as 1234, not {type(answer).__name__} {answer!r}."


def whole_number(answer: object) -> tuple[int | None, str | None]:
    """Read a count (a number, or text such as ``"5,491"``) as ``(value, None)`` or ``(None, problem)``."""
    value, problem = parse_number(answer)
    if problem is not None or value is None:
        return None, problem or "Give a whole number."
    if value != int(value):
        return None, f"{answer!r} is not a whole number: a count has no fraction."
    return int(value), None


# --------------------------------------------------------------------------------------------
# Parameter counts
# --------------------------------------------------------------------------------------------


def _layer_sizes(hidden_units: Sequence[int], latent_dim: int, input_dim: int) -> list[int]:
    return [input_dim, *hidden_units, latent_dim, *reversed(hidden_units), input_dim]


def _parameter_mistakes(hidden_units: Sequence[int], latent_dim: int, input_dim: int) -> dict[int, str]:
    """Counts that follow from typical mistakes, each with what to fix."""
    sizes = _layer_sizes(hidden_units, latent_dim, input_dim)
    pairs = list(zip(sizes[:-1], sizes[1:]))
    half = len(pairs) // 2
    encoder = sum(a * b + b for a, b in pairs[:half])
    decoder = sum(a * b + b for a, b in pairs[half:])
    mistakes = {
        sum(a * b for a, b in pairs): "You counted the weights but not the biases: every unit also has one bias.",
        encoder: "That is the encoder only: the decoder mirrors it and has parameters of its own. Add them.",
        decoder: "That is the decoder only: add the encoder's parameters.",
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
        return _not_answered(title)
    value, problem = whole_number(answer)
    if value is None:
        return CheckResult(title, fix=[problem or "Give a whole number."])
    expected = models.expected_parameter_count(hidden_units, latent_dim, input_dim)
    architecture = models.architecture_string(hidden_units, latent_dim, input_dim)
    if value == expected:
        sizes = _layer_sizes(hidden_units, latent_dim, input_dim)
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


WIDTH_TARGET = "Autoencoder_3"


def smallest_width_above(parameters: int) -> int:
    """The smallest width ``w`` for which ``784-w-2-w-784`` has more than ``parameters`` parameters."""
    return next(width for width in itertools.count(1) if models.expected_parameter_count([width]) > parameters)


def check_width_to_match_autoencoder_3(answer: object) -> CheckResult:
    """Exercise 3.2: the smallest width ``w`` for which ``784-w-2-w-784`` outgrows ``Autoencoder_3``."""
    title = "Exercise 3.2"
    if answer is Ellipsis:
        return _not_answered(title)
    target = models.ARTICLE_PARAMETER_COUNTS[WIDTH_TARGET]
    if isinstance(answer, Sequence) and not isinstance(answer, str):
        return CheckResult(title, fix=[f"Give one width (a whole number of units), not the list {answer!r}."])
    width, problem = whole_number(answer)
    if width is None:
        return CheckResult(title, fix=[problem or "Give a whole number."])
    if width <= 0:
        return CheckResult(title, fix=[f"A layer needs at least 1 unit, not {width}."])
    if width > 10_000:
        return CheckResult(
            title,
            fix=[
                f"{width:,} looks like a parameter count; the answer is a number of units in the hidden layer "
                "(a width), for example 20."
            ],
        )
    expected = smallest_width_above(target)
    count = models.expected_parameter_count([width])
    architecture = models.architecture_string([width])
    if width == expected:
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


PIXEL_SHARE_TOLERANCE = 0.002


def pixel_layer_share(hidden_units: Sequence[int]) -> float:
    """Share of an autoencoder's parameters in the two layers that touch the pixels."""
    sizes = _layer_sizes(hidden_units, models.LATENT_DIM, models.INPUT_DIM)
    first = sizes[0] * sizes[1] + sizes[1]
    last = sizes[-2] * sizes[-1] + sizes[-1]
    return (first + last) / models.expected_parameter_count(hidden_units)


def check_pixel_layer_share(answer: object) -> CheckResult:
    """Exercise 4.2: the share of ``Autoencoder_3``'s parameters in its first and last layer (a fraction)."""
    title = "Exercise 4.2"
    if answer is Ellipsis:
        return _not_answered(title)
    value, problem = parse_number(answer)
    if problem is not None or value is None:
        return CheckResult(title, fix=[problem or "Give a number."])
    hidden = models.ARTICLE_HIDDEN_UNITS["Autoencoder_3"]
    expected = pixel_layer_share(hidden)
    right: list[str] = []
    if 1 < value <= 100:
        right.append(f"Read {value:g} as a percentage, {value / 100:.4f} as a fraction.")
        value /= 100
    elif value > 100 or value < 0:
        return CheckResult(
            title, fix=[f"{value:g} cannot be a share: give a fraction between 0 and 1, for example 0.25."]
        )
    if abs(value - expected) <= PIXEL_SHARE_TOLERANCE:
        return CheckResult(
            title,
            right=[
                *right,
                f"{expected:.1%} of the 51,726 parameters sit in the two layers next to the 784 pixels "
                "(25,120 + 25,872).",
                "The layers added in the middle to make the model deeper cost very few parameters.",
            ],
        )
    total = models.expected_parameter_count(hidden)
    sizes = _layer_sizes(hidden, models.LATENT_DIM, models.INPUT_DIM)
    first, last = sizes[0] * sizes[1] + sizes[1], sizes[-2] * sizes[-1] + sizes[-1]
    known = {
        first / total: "That is the first layer only: add the decoder's last layer, which also touches the pixels.",
        last / total: "That is the last layer only: add the encoder's first layer, which also touches the pixels.",
        (sizes[0] * sizes[1] + sizes[-2] * sizes[-1]) / total: "You left out the biases of those two layers.",
        1 - expected: "That is the share of all the *other* layers: take one minus it.",
    }
    for share, message in known.items():
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


def _digit_pair(answer: object) -> tuple[tuple[int, int] | None, str | None]:
    if isinstance(answer, (str, bytes)) or not isinstance(answer, Iterable):
        return None, f"Give two digits as a pair such as (3, 8), not {answer!r}."
    items = list(answer)
    if len(items) != 2:
        return None, f"Give exactly two digits, such as (3, 8); you gave {len(items)}."
    digits = []
    for item in items:
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item)
        if isinstance(item, bool) or not isinstance(item, numbers.Integral) or not 0 <= item <= 9:
            return None, f"{item!r} is not a digit from 0 to 9."
        digits.append(int(item))
    if digits[0] == digits[1]:
        return None, f"Both digits are {digits[0]}: a digit's distance to itself is 0, so leave such pairs out."
    return (min(digits), max(digits)), None


def check_closest_digits(answer: object, codes: np.ndarray, labels: np.ndarray) -> CheckResult:
    """Exercise 2.2: the two digits whose mean codes (cluster centres) lie closest together.

    Args:
        answer: The student's pair of digits, for example ``(4, 9)``.
        codes: The latent codes the student looked at, shape (n, 2).
        labels: The digit of each code.
    """
    title = "Exercise 2.2"
    if answer is Ellipsis:
        return _not_answered(title)
    codes, labels = np.asarray(codes), np.asarray(labels)
    if codes.ndim != 2 or len(codes) != len(labels) or len(codes) == 0:
        return CheckResult(
            title,
            fix=[
                f"Pass the latent codes (shape (n, 2)) and their labels, e.g. check_closest_digits(answer, codes, "
                f"y_test); got codes of shape {codes.shape} and {len(labels)} labels."
            ],
        )
    if codes.shape[1] > 16:
        return CheckResult(
            title, fix=[f"These look like images ({codes.shape[1]} numbers each), not latent codes: pass the codes."]
        )
    pair, problem = _digit_pair(answer)
    if problem is not None or pair is None:
        return CheckResult(title, fix=[problem or "Give two digits."])
    centres = digit_centres(codes, labels)
    missing = [digit for digit in pair if digit not in centres]
    if missing:
        return CheckResult(title, fix=[f"No code has the label {missing[0]}; choose digits that occur in the plot."])
    distances = {
        (a, b): float(np.linalg.norm(centres[a] - centres[b])) for a, b in itertools.combinations(sorted(centres), 2)
    }
    ranked = sorted(distances, key=distances.get)
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


@dataclass(frozen=True)
class _DenseStep:
    units: int
    activation: str
    use_bias: bool


def _activation_name(activation: object) -> str:
    name = getattr(activation, "__name__", None) or str(activation)
    return name.lower()


def _dense_steps(model) -> list[_DenseStep]:
    """The Dense layers of a model in order (inside nested models too), with separate activation layers merged."""
    import keras

    steps: list[_DenseStep] = []

    def walk(layer) -> None:
        if isinstance(layer, keras.Model) and not isinstance(layer, keras.layers.Dense):
            for inner in layer.layers:
                walk(inner)
        elif isinstance(layer, keras.layers.Dense):
            steps.append(_DenseStep(int(layer.units), _activation_name(layer.activation), bool(layer.use_bias)))
        elif isinstance(layer, (keras.layers.Activation, keras.layers.ReLU)) and steps:
            name = "relu" if isinstance(layer, keras.layers.ReLU) else _activation_name(layer.activation)
            last = steps[-1]
            if last.activation == "linear":
                steps[-1] = _DenseStep(last.units, name, last.use_bias)

    for layer in model.layers:
        walk(layer)
    return steps


def _model_problem(model: object, kind: str, input_dim: int) -> str | None:
    """Why ``model`` is not a built Keras model with ``input_dim`` inputs, or None."""
    import keras

    if model is None:
        return f"Got None: pass the {kind} model itself (did the cell end with a print instead of the model?)."
    if isinstance(model, models.Autoencoder):
        return f"This is a whole course_utils Autoencoder; build the {kind} yourself as a Keras model."
    if isinstance(model, type):
        return f"{model.__name__} is a class: call it to make a model, e.g. keras.Sequential([...])."
    if not isinstance(model, keras.Model):
        return f"Expected a Keras model such as keras.Sequential([...]), got {type(model).__name__}."
    try:
        shape = model.input_shape
    except (AttributeError, ValueError, RuntimeError):
        shape = None
    if not getattr(model, "built", True) or shape is None:
        return (
            f"Your {kind} does not know its input size yet: start the Sequential list with "
            f"keras.Input(shape=({input_dim},))."
        )
    if isinstance(shape, list):
        return f"Your {kind} has {len(shape)} inputs; it needs exactly one."
    if tuple(shape[1:]) != (input_dim,):
        return f"Your {kind} takes inputs of shape {tuple(shape[1:])}; it must take {input_dim} numbers: " \
            f"keras.Input(shape=({input_dim},))."
    return None


ACTIVATION_REASONS = {
    "linear": "keep the code linear (leave out activation= or write activation='linear'): "
    "a ReLU code can collapse to zeros",
    "relu": "hidden layers use activation='relu'",
    "sigmoid": "the output layer needs activation='sigmoid' so every pixel lies in [0, 1] like the images",
}


def _check_dense_model(
    model: object, expected: list[tuple[int, str]], input_dim: int, kind: str, label: str, title: str
) -> CheckResult:
    if model is Ellipsis:
        return _not_answered(title)
    try:
        problem = _model_problem(model, kind, input_dim)
        if problem is not None:
            return CheckResult(title, fix=[problem])
        steps = _dense_steps(model)
        parameters = models.count_trainable(model)
    except Exception as error:  # an odd object must give advice, never a traceback
        return CheckResult(title, fix=[f"Could not inspect your {kind}: {type(error).__name__}: {error}"])
    return _compare_steps(steps, expected, input_dim, parameters, kind, label, title)


def _describe(expected: list[tuple[int, str]], input_dim: int) -> str:
    return f"{input_dim} → " + " → ".join(f"{units} ({activation})" for units, activation in expected)


def _compare_steps(
    steps: list[_DenseStep],
    expected: list[tuple[int, str]],
    input_dim: int,
    parameters: int,
    kind: str,
    label: str,
    title: str,
) -> CheckResult:
    result = CheckResult(title)
    result.right.append(f"It is a Keras model that takes {input_dim} numbers.")
    units = [step.units for step in steps]
    wanted = [size for size, _ in expected]
    if units != wanted:
        if not steps:
            result.fix.append(f"Your {kind} has no Dense layer: it needs {_describe(expected, input_dim)}.")
        elif units == wanted[::-1]:
            result.fix.append(
                f"Your layers are in reverse order ({units}); the {kind} goes {_describe(expected, input_dim)}."
            )
        elif kind == "encoder" and units[-1] == models.INPUT_DIM:
            result.fix.append(
                "Its output has 784 units: that is a whole autoencoder. Pass only the encoder, which ends at the "
                "2-unit code."
            )
        elif len(units) != len(wanted):
            result.fix.append(
                f"It has {len(units)} Dense layer{'s' if len(units) != 1 else ''} ({units}); {label} has "
                f"{len(wanted)}: {_describe(expected, input_dim)}."
            )
        else:
            for position, (have, want) in enumerate(zip(units, wanted), start=1):
                if have != want:
                    result.fix.append(f"Dense layer {position} has {have} units; it should have {want}.")
        return result
    for position, (step, (size, activation)) in enumerate(zip(steps, expected), start=1):
        where = f"Hidden layer {position}"
        if position == len(expected):
            where = "The code layer" if kind == "encoder" else "The output layer"
        if step.activation != activation:
            reason = ACTIVATION_REASONS.get(activation, f"use activation='{activation}'")
            result.fix.append(f"{where} ({size} units) uses '{step.activation}'; {reason}.")
        elif not step.use_bias:
            result.fix.append(f"{where} has use_bias=False; keep the biases (the default).")
        else:
            result.right.append(f"{where} has {size} units and a {activation} activation.")
    if not result.fix:
        result.right.append(f"{parameters:,} trainable parameters, like {label}.")
    return result


def check_encoder(
    model: object, hidden_units: Sequence[int], latent_dim: int = models.LATENT_DIM, title: str = "Encoder"
) -> CheckResult:
    """Check a student's Keras encoder: 784 inputs, ReLU layers ``hidden_units``, then a linear code.

    Args:
        model: The student's Keras model.
        hidden_units: The expected layer sizes before the code, e.g. ``[10]``.
        latent_dim: The expected size of the code.
        title: Shown as the heading of the result.
    """
    expected = [(int(units), "relu") for units in hidden_units] + [(latent_dim, "linear")]
    label = f"the encoder of {models.architecture_string(hidden_units, latent_dim)}"
    return _check_dense_model(model, expected, models.INPUT_DIM, "encoder", label, title)


def check_decoder(
    model: object, hidden_units: Sequence[int], latent_dim: int = models.LATENT_DIM, title: str = "Decoder"
) -> CheckResult:
    """Check a student's Keras decoder: the code, ReLU layers mirroring ``hidden_units``, then 784 sigmoid units.

    Args:
        model: The student's Keras model.
        hidden_units: The encoder's layer sizes before the code, e.g. ``[32, 10]``; the decoder mirrors them.
        latent_dim: The size of the code the decoder reads.
        title: Shown as the heading of the result.
    """
    expected = [(int(units), "relu") for units in reversed(hidden_units)] + [(models.INPUT_DIM, "sigmoid")]
    label = f"the decoder of {models.architecture_string(hidden_units, latent_dim)}"
    return _check_dense_model(model, expected, latent_dim, "decoder", label, title)


def check_encoder_2(model: object) -> CheckResult:
    """Exercise 3.1: the encoder of ``Autoencoder_2``, ``784 → 10 (ReLU) → 2 (linear)``."""
    return check_encoder(model, models.ARTICLE_HIDDEN_UNITS["Autoencoder_2"], title="Exercise 3.1")


def check_decoder_3(model: object) -> CheckResult:
    """Exercise 4.1: the decoder of ``Autoencoder_3``, ``2 → 10 (ReLU) → 32 (ReLU) → 784 (sigmoid)``."""
    return check_decoder(model, models.ARTICLE_HIDDEN_UNITS["Autoencoder_3"], title="Exercise 4.1")


# --------------------------------------------------------------------------------------------
# The depth explorer experiment
# --------------------------------------------------------------------------------------------


METRIC_NAMES = {"knn_accuracy": "kNN accuracy", "bce": "reconstruction error (BCE)"}


def check_depth_experiment(explorer: object, best_run: object, metric: str = "knn_accuracy") -> CheckResult:
    """Exercise 4.3: a fair depth comparison in the depth explorer, and its best run.

    Args:
        explorer: The :class:`course_utils.widgets.DepthExplorer` the student trained with.
        best_run: The number of the run with the highest kNN accuracy in the explorer's table.
        metric: The score that decides the best run.
    """
    title = "Exercise 4.3"
    if explorer is Ellipsis:
        return _not_answered(title)
    runs = getattr(explorer, "runs", None)
    if runs is None:
        return CheckResult(title, fix=[f"Pass the depth explorer itself (the object you displayed), not {explorer!r}."])
    result = CheckResult(title, answered=best_run is not Ellipsis)
    if len(runs) < 2:
        result.fix.append(f"Train at least two models (press Train once per depth); your table has {len(runs)}.")
        return result
    fair = _fair_depth_pairs(runs)
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
    if best_run is Ellipsis:
        result.fix.append(NOT_ANSWERED)
        return result
    by_number = {run.number: run for run in runs}
    chosen, problem = whole_number(best_run)
    if chosen is None:
        result.fix.append(f"Give the number of a run in your table: {problem}")
        return result
    if chosen not in by_number:
        result.fix.append(f"There is no run {chosen}; your runs are numbered {', '.join(map(str, by_number))}.")
        return result
    best = max(runs, key=lambda run: run.scores.get(metric, float("-inf")))
    mine = by_number[chosen]
    name = METRIC_NAMES.get(metric, metric)
    if mine.number == best.number:
        result.right.append(
            f"Run {best.number} ({best.architecture}, {best.parameters:,} parameters) has the highest {name} "
            f"in your table: {best.scores[metric]:.3f}. Is the winner also the biggest model? Compare the "
            "parameter counts before crediting depth alone."
        )
    else:
        result.fix.append(
            f"Run {mine.number} has {name} {mine.scores.get(metric, float('nan')):.3f}, but another run in your "
            f"table scores higher: read the {metric} column again."
        )
    return result


def _fair_depth_pairs(runs: Sequence) -> list[tuple]:
    pairs = []
    for first, second in itertools.combinations(runs, 2):
        same_rest = first.epochs == second.epochs and first.latent_activation == second.latent_activation
        if same_rest and first.depth != second.depth:
            pairs.append((first, second))
    return pairs


# --------------------------------------------------------------------------------------------
# Quick questions (widgets) and the registry
# --------------------------------------------------------------------------------------------


def dense_layer_question():
    """Exercise 2.3a: how many parameters has a Dense layer from 784 inputs to 32 units? (a widget)."""
    from course_utils.widgets import NumericQuestion

    return NumericQuestion(
        "How many trainable parameters does a <code>Dense</code> layer from 784 inputs to 32 units have?",
        answer=784 * 32 + 32,
        hint="Each of the 32 units has one weight per input and one bias.",
        mistakes={
            784 * 32: "That counts the weights only: each of the 32 units also has a bias.",
            784 * 32 + 784: "A Dense layer has one bias per unit (32), not one per input (784).",
            784 + 32: "Every input connects to every unit: multiply 784 × 32 instead of adding, then add the biases.",
            785 * 33: "One bias per unit: (784 + 1) × 32, not (784 + 1) × (32 + 1).",
        },
        explanation="784 × 32 weights + 32 biases = 25,120. This layer is the first layer of Autoencoder_3.",
        title="Exercise 2.3a",
    )


def latent_point_question():
    """Exercise 2.3b: what is one point of the latent plot? (a widget)."""
    from course_utils.widgets import MultipleChoice

    right = "One test image, placed at its two code numbers"
    return MultipleChoice(
        "In the latent-space plot of this notebook, what is one point?",
        choices={
            "One pixel of an image": (
                "A pixel is one of the 784 inputs. The plot shows what is left after the encoder squeezed all "
                "784 pixels of an image into 2 numbers."
            ),
            right: (
                "The encoder turns each test image into 2 numbers, its position. The colour is the image's label, "
                "which the autoencoder never saw."
            ),
            "The average of all images of one digit": (
                "Then there would be only 10 points. Each point is a single image; a cluster is many images of "
                "one digit."
            ),
            "One unit (neuron) of the latent layer": (
                "The latent layer has just 2 units: they are the plot's two axes, not its points."
            ),
        },
        answer=right,
        title="Exercise 2.3b",
    )


@dataclass(frozen=True)
class Exercise:
    """One exercise of the course, as the notebooks and the instructor guide list it.

    Attributes:
        label: The MyST target of its heading, e.g. ``"ex-3-1"``.
        number: Its number, e.g. ``"3.1"``.
        title: Its short title.
        notebook: The notebook's file stem, e.g. ``"03_two_hidden_layers"``.
        goal: The learning goal: what the student can do afterwards.
        checks: What the check looks at and which mistakes it recognises.
        checked_by: The functions the notebook calls to check the answer or show the widget.
        minutes: A typical time to solve it.
    """

    label: str
    number: str
    title: str
    notebook: str
    goal: str
    checks: str
    checked_by: tuple[Callable[..., object], ...]
    minutes: int

    @property
    def check_names(self) -> tuple[str, ...]:
        """The checking functions as a notebook calls them, e.g. ``("exercises.check_encoder_2",)``."""
        return tuple(
            f"{function.__module__.rsplit('.', 1)[-1]}.{function.__qualname__}"
            for function in self.checked_by
        )


def _registry() -> tuple[Exercise, ...]:
    from course_utils.widgets import ArchitectureBuilder, DepthExplorer

    return (
        Exercise(
            label="ex-2-1",
            number="2.1",
            title="predict the parameter count",
            notebook="02_one_hidden_layer",
            goal=(
                "Count the parameters of a dense autoencoder by hand: inputs × units + one bias per unit, "
                "in the encoder and in the decoder."
            ),
            checks=(
                "The count of 784-3-784 (5,491). Recognises weights without biases, encoder or decoder only, "
                "sizes added instead of multiplied, and an article model's count."
            ),
            checked_by=(check_parameters_with_3d_code,),
            minutes=10,
        ),
        Exercise(
            label="ex-2-2",
            number="2.2",
            title="explain the latent plot: which digits overlap?",
            notebook="02_one_hidden_layer",
            goal=(
                "Read a latent plot with numbers: a digit's cluster centre and the distance between clusters."
            ),
            checks=(
                "A pair of digits against the closest pair of cluster centres in the codes the student passes; "
                "without giving the answer away it says how many pairs are closer."
            ),
            checked_by=(check_closest_digits,),
            minutes=15,
        ),
        Exercise(
            label="ex-2-3",
            number="2.3",
            title="quick questions",
            notebook="02_one_hidden_layer",
            goal=(
                "Check the two ideas the notebook rests on: a Dense layer's parameters and what a latent point is."
            ),
            checks=(
                "Question widgets with a Check button: a numeric answer (25,120) and a multiple choice, each wrong "
                "answer with its own feedback."
            ),
            checked_by=(dense_layer_question, latent_point_question),
            minutes=5,
        ),
        Exercise(
            label="ex-3-1",
            number="3.1",
            title="build the two-hidden-layer encoder yourself",
            notebook="03_two_hidden_layers",
            goal=(
                "Write a Keras encoder layer by layer: input size, ReLU hidden layer, linear code."
            ),
            checks=(
                "A Keras model: 784 inputs, Dense 10 ReLU, Dense 2 linear (7,872 parameters). Names a missing "
                "keras.Input, wrong sizes or order, a ReLU code, a whole autoencoder passed instead."
            ),
            checked_by=(check_encoder_2,),
            minutes=15,
        ),
        Exercise(
            label="ex-3-2",
            number="3.2",
            title="how wide to be as big as Autoencoder_3?",
            notebook="03_two_hidden_layers",
            goal=(
                "See that parameters grow with width as well as depth, and that the article's deeper models are "
                "also bigger: a confound when comparing depths."
            ),
            checks=(
                "The smallest width w with 784-w-2-w-784 above 51,726 parameters (33); recognises a parameter "
                "count given instead of a width and widths that are too small or not the smallest."
            ),
            checked_by=(ArchitectureBuilder, check_width_to_match_autoencoder_3),
            minutes=10,
        ),
        Exercise(
            label="ex-4-1",
            number="4.1",
            title="build the three-hidden-layer decoder yourself",
            notebook="04_three_hidden_layers",
            goal=(
                "Mirror an encoder into a decoder and choose the output activation that matches the data."
            ),
            checks=(
                "A Keras model: 2 inputs, Dense 10 ReLU, Dense 32 ReLU, Dense 784 sigmoid (26,254 parameters). "
                "Names the missing sigmoid, reversed order and wrong sizes."
            ),
            checked_by=(check_decoder_3,),
            minutes=15,
        ),
        Exercise(
            label="ex-4-2",
            number="4.2",
            title="where do the parameters live?",
            notebook="04_three_hidden_layers",
            goal=(
                "Find where an autoencoder's parameters are: almost all in the two layers next to the pixels."
            ),
            checks=(
                "The share of Autoencoder_3's parameters in its first and last layer (0.986, a percentage is "
                "accepted); recognises one layer only, biases left out and the complement."
            ),
            checked_by=(check_pixel_layer_share,),
            minutes=10,
        ),
        Exercise(
            label="ex-4-3",
            number="4.3",
            title="a fair depth experiment",
            notebook="04_three_hidden_layers",
            goal=(
                "Design a fair experiment (change one thing at a time) and read the metrics of the runs."
            ),
            checks=(
                "The explorer's runs: at least two that differ only in depth, and the run number with the highest "
                "kNN accuracy in the student's own table."
            ),
            checked_by=(DepthExplorer, check_depth_experiment),
            minutes=20,
        ),
    )


def all_exercises() -> tuple[Exercise, ...]:
    """Every exercise of the course, in order."""
    return _registry()


def exercises_in(notebook: str) -> tuple[Exercise, ...]:
    """The exercises of one notebook, given by its file stem or name (``03_two_hidden_layers(.ipynb)``)."""
    stem = notebook.rsplit("/", 1)[-1].removesuffix(".ipynb").removesuffix(".py")
    return tuple(exercise for exercise in _registry() if exercise.notebook == stem)


def find(label: str) -> Exercise:
    """The exercise with a label such as ``"ex-3-1"`` or a number such as ``"3.1"``.

    Raises:
        KeyError: With the known labels, when there is no such exercise.
    """
    for exercise in _registry():
        if label in (exercise.label, exercise.number):
            return exercise
    raise KeyError(f"no exercise {label!r}; known: {', '.join(exercise.label for exercise in _registry())}")
