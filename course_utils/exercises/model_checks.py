"""Checks of a Keras encoder or decoder that a student built: sizes, order, activations, biases.

:func:`check_encoder`, :func:`check_decoder` and :func:`check_autoencoder` take any mirrored
architecture; the exercises of the notebooks call them through :mod:`course_utils.exercises.checks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from course_utils import models
from course_utils.backend import keras
from course_utils.exercises.feedback import CheckResult, not_answered, shown

MAX_CHECKED_UNITS = 100_000  # wider than any layer of the course, small enough to count exactly

ACTIVATION_REASONS = {
    "linear": (
        "keep the code linear (leave out activation= or write activation='linear'): the code is a plain linear map "
        "of the layer before it, and an activation bends or squeezes it"
    ),
    "relu": "hidden layers use activation='relu'",
    "sigmoid": "the output layer needs activation='sigmoid' so every pixel lies in [0, 1] like the images",
}
# Why a layer that should have the first activation must not have the second: the reason depends on what was used.
WRONG_ACTIVATION_REASONS = {
    ("linear", "relu"): (
        "keep the code linear (leave out activation= or write activation='linear'): a ReLU code can collapse to zeros"
    ),
    ("linear", "leaky_relu"): (
        "keep the code linear (leave out activation=): a leaky ReLU multiplies every negative code number by a small "
        "slope, so the code is no longer a linear map of the layer before it, and its negative side learns more slowly"
    ),
    ("linear", "sigmoid"): (
        "keep the code linear (leave out activation=): a sigmoid squeezes every code number into (0, 1) and "
        "flattens near both ends, where almost no gradient passes back, so a code number pushed there stops learning"
    ),
    ("linear", "tanh"): (
        "keep the code linear (leave out activation=): tanh squeezes every code number into (-1, 1) and flattens "
        "near both ends, where almost no gradient passes back"
    ),
    ("linear", "softmax"): (
        "keep the code linear (leave out activation=): softmax makes the code numbers sum to 1, so two of them "
        "carry one number's worth of information"
    ),
    ("sigmoid", "softmax"): (
        "softmax makes the 784 outputs share a total of 1, as if the image were one choice among 784 pixels; "
        "each pixel is its own ink-or-not probability, so the output layer needs activation='sigmoid'"
    ),
    ("sigmoid", "relu"): (
        "ReLU outputs can exceed 1 and are exactly 0 wherever the input is negative, so the loss cannot treat them "
        "as probabilities; the output layer needs activation='sigmoid' so every pixel lies in [0, 1] like the images"
    ),
}


# The activation function each of Keras's activation layers applies (the Activation layer names its own).
ACTIVATION_LAYERS = {
    keras.layers.ReLU: "relu",
    keras.layers.LeakyReLU: "leaky_relu",
    keras.layers.PReLU: "prelu",
    keras.layers.ELU: "elu",
    keras.layers.Softmax: "softmax",
}


@dataclass(frozen=True)
class DenseStep:
    """One Dense layer as a check sees it.

    Attributes:
        units: The layer's width.
        activation: The activation applied to its outputs, such as ``"relu"``.
        use_bias: Whether the layer has biases.
        applied_by: The class of the separate activation layer after it that applied ``activation``
            (``"LeakyReLU"``), or ``""`` when the Dense layer's own activation did.
    """

    units: int
    activation: str
    use_bias: bool
    applied_by: str = ""


@dataclass(frozen=True)
class Expected:
    """The model a check compares with: its Dense layers, input size, kind and name in messages."""

    layers: list[tuple[int, str]]
    input_dim: int
    kind: str
    label: str

    def describe(self) -> str:
        """For example ``784 → 10 (relu) → 2 (linear)``."""
        return f"{self.input_dim} → " + " → ".join(f"{units} ({activation})" for units, activation in self.layers)


def architecture_problem(hidden_units, latent_dim=models.LATENT_DIM, input_dim=models.INPUT_DIM) -> str | None:
    """Why these sizes are no mirrored autoencoder a check can compare with, or None."""
    try:
        hidden = models.validate_architecture(hidden_units, latent_dim, input_dim)
    except ValueError as error:
        return f"The check was given an impossible architecture: {error}"
    too_wide = [units for units in (*hidden, latent_dim, input_dim) if units > MAX_CHECKED_UNITS]
    if too_wide:
        return f"A layer of {shown(too_wide[0])} units is far wider than any model of this course."
    return None


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
    problem = architecture_problem(hidden_units, latent_dim)
    if problem is not None:
        return CheckResult(title, fix=[problem])
    layers = [(int(units), "relu") for units in hidden_units] + [(latent_dim, "linear")]
    label = f"the encoder of {models.architecture_string(hidden_units, latent_dim)}"
    return check_dense_model(model, Expected(layers, models.INPUT_DIM, "encoder", label), title)


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
    problem = architecture_problem(hidden_units, latent_dim)
    if problem is not None:
        return CheckResult(title, fix=[problem])
    layers = [(int(units), "relu") for units in reversed(hidden_units)] + [(models.INPUT_DIM, "sigmoid")]
    label = f"the decoder of {models.architecture_string(hidden_units, latent_dim)}"
    return check_dense_model(model, Expected(layers, latent_dim, "decoder", label), title)


def check_autoencoder(
    model: object, hidden_units: Sequence[int], latent_dim: int = models.LATENT_DIM, title: str = "Autoencoder"
) -> CheckResult:
    """Check a whole Keras autoencoder: 784 inputs, the encoder, a linear code, the mirrored decoder, 784 sigmoid outputs.

    Args:
        model: The student's Keras model, one Sequential or encoder and decoder nested in one model.
        hidden_units: The encoder's layer sizes before the code, e.g. ``[32, 10]``; the decoder mirrors them.
        latent_dim: The expected size of the code.
        title: Shown as the heading of the result.
    """
    problem = architecture_problem(hidden_units, latent_dim)
    if problem is not None:
        return CheckResult(title, fix=[problem])
    hidden = [(int(units), "relu") for units in hidden_units]
    layers = [*hidden, (latent_dim, "linear"), *hidden[::-1], (models.INPUT_DIM, "sigmoid")]
    label = models.architecture_string(hidden_units, latent_dim)
    return check_dense_model(model, Expected(layers, models.INPUT_DIM, "autoencoder", label), title)


def check_dense_model(model: object, expected: Expected, title: str) -> CheckResult:
    """Compare a model's Dense layers with ``expected``; an odd object gets advice, never a traceback."""
    if model is Ellipsis:
        return not_answered(title)
    if not isinstance(expected, Expected):
        return CheckResult(title, fix=[f"The check needs an Expected description of the model, not {shown(expected)}."])
    try:
        problem = model_problem(model, expected.kind, expected.input_dim)
        if problem is not None:
            return CheckResult(title, fix=[problem])
        steps = dense_steps(model)
        parameters = models.count_trainable(model)
        finite = finite_weights(model)
    except Exception as error:  # an odd object must give advice, never a traceback
        return CheckResult(title, fix=[f"Could not inspect your {expected.kind}: {type(error).__name__}: {error}"])
    result = CheckResult(title, right=[f"It is a Keras model that takes {expected.input_dim} numbers."])
    size_problems = _size_problems([step.units for step in steps], expected)
    if size_problems:
        result.fix += size_problems
        return result
    _compare_activations(steps, expected, result)
    if not finite:
        result.fix.append(
            f"Your {expected.kind}'s weights contain NaN or infinite values (a training that diverged leaves them so): "
            "build it again."
        )
    if not result.fix:
        result.right.append(f"{parameters:,} trainable parameters, like {expected.label}.")
    return result


def finite_weights(model) -> bool:
    """True when every weight of ``model`` is a finite number."""
    return all(np.isfinite(keras.ops.convert_to_numpy(weight)).all() for weight in model.weights)


def _activation_name(activation: object) -> str:
    if isinstance(activation, keras.layers.Layer):  # Dense(2, activation=keras.layers.LeakyReLU()) is allowed
        return _layer_activation(activation) or type(activation).__name__.lower()
    name = getattr(activation, "__name__", None) or str(activation)
    return name.lower()


def _layer_activation(layer) -> str | None:
    """The activation a separate activation layer applies (``"leaky_relu"`` for LeakyReLU), or None for other layers."""
    if isinstance(layer, keras.layers.Activation):
        return _activation_name(layer.activation)
    return next((name for kind, name in ACTIVATION_LAYERS.items() if isinstance(layer, kind)), None)


def dense_steps(model) -> list[DenseStep]:
    """The Dense layers of a model in order (inside nested models too), with separate activation layers merged."""
    steps: list[DenseStep] = []

    def walk(layer) -> None:
        if isinstance(layer, keras.Model) and not isinstance(layer, keras.layers.Dense):
            for inner in layer.layers:
                walk(inner)
        elif isinstance(layer, keras.layers.Dense):
            steps.append(DenseStep(int(layer.units), _activation_name(layer.activation), bool(layer.use_bias)))
        elif (name := _layer_activation(layer)) is not None and steps:
            last = steps[-1]
            if last.activation == "linear":  # a Dense layer without activation, then e.g. LeakyReLU(): one step
                steps[-1] = DenseStep(last.units, name, last.use_bias, type(layer).__name__)

    for layer in model.layers:
        walk(layer)
    return steps


def model_problem(model: object, kind: str, input_dim: int) -> str | None:
    """Why ``model`` is not a built Keras model with ``input_dim`` inputs, or None."""
    if model is None:
        return f"Got None: pass the {kind} model itself (did the cell end with a print instead of the model?)."
    if isinstance(model, models.Autoencoder):
        return f"This is a whole course_utils Autoencoder; build the {kind} yourself as a Keras model."
    if isinstance(model, type):
        return f"{model.__name__} is a class: call it to make a model, e.g. keras.Sequential([...])."
    if not isinstance(model, keras.Model):
        return f"Expected a Keras model such as keras.Sequential([...]), got {type(model).__name__}."
    return _input_problem(model, kind, input_dim)


def _input_problem(model, kind: str, input_dim: int) -> str | None:
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
        return (
            f"Your {kind} takes inputs of shape {tuple(shape[1:])}; it must take {input_dim} numbers: "
            f"keras.Input(shape=({input_dim},))."
        )
    return None


def _size_problems(units: list[int], expected: Expected) -> list[str]:
    """What is wrong with the layer sizes (empty when they are right)."""
    wanted = [size for size, _ in expected.layers]
    kind = expected.kind
    if units == wanted:
        return []
    if not units:
        return [f"Your {kind} has no Dense layer: it needs {expected.describe()}."]
    if units == wanted[::-1]:
        return [f"Your layers are in reverse order ({units}); the {kind} goes {expected.describe()}."]
    if kind == "encoder" and units[-1] == models.INPUT_DIM:
        return [
            "Its output has 784 units: that is a whole autoencoder. Pass only the encoder, which ends at the 2-unit code."
        ]
    if len(units) != len(wanted):
        return [
            f"It has {len(units)} Dense layer{'s' if len(units) != 1 else ''} ({units}); {expected.label} has "
            f"{len(wanted)}: {expected.describe()}."
        ]
    return [
        f"Dense layer {position} has {have} units; it should have {want}."
        for position, (have, want) in enumerate(zip(units, wanted), start=1)
        if have != want
    ]


def _compare_activations(steps: list[DenseStep], expected: Expected, result: CheckResult) -> None:
    """Add to ``result`` what each layer's activation and biases get right or wrong."""
    for position, (step, (size, activation)) in enumerate(zip(steps, expected.layers), start=1):
        where = _layer_name(position, expected)
        if step.activation != activation:
            reason = WRONG_ACTIVATION_REASONS.get((activation, step.activation)) or ACTIVATION_REASONS.get(
                activation, f"use activation='{activation}'"
            )
            # An activation layer after the Dense layer is fixed by removing it, not by changing activation=.
            through = f" through the {step.applied_by} layer after it; remove that layer:" if step.applied_by else ";"
            result.fix.append(f"{where} ({size} units) uses '{step.activation}'{through} {reason}.")
        elif not step.use_bias:
            result.fix.append(f"{where} has use_bias=False; keep the biases (the default).")
        else:
            result.right.append(f"{where} has {size} units and a {activation} activation.")


def _layer_name(position: int, expected: Expected) -> str:
    """How a message names Dense layer ``position`` (from 1): a hidden layer, the code or the output."""
    last = len(expected.layers)
    if position == last:
        return "The code layer" if expected.kind == "encoder" else "The output layer"
    if expected.kind == "autoencoder" and position == last // 2:  # a mirrored autoencoder has its code midway
        return "The code layer"
    return f"Hidden layer {position}"
