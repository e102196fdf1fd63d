"""Checks of notebook 3's exercises (ex-3-*): a Keras encoder, a width as big as ``Autoencoder_3``, compile and fit."""

from __future__ import annotations

import itertools
import math

import numpy as np

from course_utils import models, training
from course_utils.backend import keras
from course_utils.exercises import architecture_builder
from course_utils.exercises.exercise import Call, Exercise
from course_utils.exercises.feedback import CheckResult, coached, not_answered, shown, whole_number
from course_utils.exercises.model_checks import check_encoder

WIDTH_TARGET = "Autoencoder_3"


@coached(
    hint="An encoder narrows the image down to the code: 784 pixels in, a hidden layer that bends (ReLU), then "
    "the 2 numbers of the code, left linear so they can take any value.",
    recipe="keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation='relu'), keras.layers.Dense(2)])",
)
def check_encoder_2(model: object) -> CheckResult:
    """Exercise 3.1: the encoder of ``Autoencoder_2``, ``784 → 10 (ReLU) → 2 (linear)``."""
    return check_encoder(model, models.ARTICLE_HIDDEN_UNITS["Autoencoder_2"], title="Exercise 3.1")


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


EXERCISES = (
    Exercise(
        label="ex-3-1",
        number="3.1",
        title="build the two-hidden-layer encoder",
        notebook="03_two_hidden_layers",
        goal="write a Keras encoder layer by layer",
        looks_at=(
            "a Keras model: 784 inputs, Dense 10 ReLU, Dense 2 linear; names a missing `keras.Input`, wrong sizes or "
            "order, a ReLU code, a whole autoencoder passed instead"
        ),
        answer="7,872 parameters",
        calls=(Call(check_encoder_2, "my_encoder"),),
        minutes=15,
        points=3,
        reveals=("7,872", "7872"),
    ),
    Exercise(
        label="ex-3-2",
        number="3.2",
        title="how wide to be as big as `Autoencoder_3`?",
        notebook="03_two_hidden_layers",
        goal="parameters grow with width too: the article's deeper models are also bigger",
        looks_at=(
            "the smallest width `w` for which `784-w-2-w-784` has more than 51,726 parameters; recognises a "
            "parameter count given instead of a width, too narrow, not the smallest"
        ),
        answer="33",
        calls=(
            Call(architecture_builder.ArchitectureBuilder, "hidden_units=[10]"),
            Call(check_width_to_match_autoencoder_3, "width_3_2"),
        ),
        minutes=10,
        points=2,
        reveals=("33 units", "784-33-2-33-784", "width 33", "width of 33", "w = 33"),
    ),
    Exercise(
        label="ex-3-3",
        number="3.3",
        title="compile and fit it yourself",
        notebook="03_two_hidden_layers",
        goal="the core Keras workflow: compile with an optimizer and a loss, fit with the images as their own targets",
        looks_at=(
            "a compiled Keras model and the History its fit returned: Adam with learning rate 0.001, binary "
            "cross-entropy (names MSE as working but not the course's loss, logits, categorical cross-entropy, "
            "other optimizers), a finite loss that falls over at least 2 epochs, a history from this model, 125 "
            "steps per epoch (all training images in batches of 32); a negative loss names targets that were not "
            "the images"
        ),
        answer="compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss='binary_crossentropy'); "
        "fit(x_train, x_train, batch_size=32) for the epochs the task names",
        calls=(Call(check_compile_and_fit, "autoencoder_3_3, history_3_3, x_train"),),
        minutes=10,
        points=2,
    ),
)
