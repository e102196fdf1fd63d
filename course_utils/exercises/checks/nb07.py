"""Checks of notebook 7's exercises (ex-7-*): a broken autoencoder repaired, and early stopping on validation images."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from course_utils import models
from course_utils.backend import keras
from course_utils.exercises import model_checks
from course_utils.exercises.exercise import Call, Exercise
from course_utils.exercises.feedback import CheckResult, coach, coached, not_answered, shown, whole_number

STOPPING_HINT = "keras.callbacks.EarlyStopping(monitor='val_loss', patience=3, restore_best_weights=True)"
STOPPING_TRAINING_HINT = "history_7_2 = training.train(model_7_2, x_small, x_val, settings_7_2, callbacks=[stop_7_2])"
STOPPING_ARGUMENTS = "best_epoch_7_2, stop_7_2, history_7_2, x_val, x_test"  # as the notebook's check cell passes them

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

    Returns:
        The verdict; its four parts, each a quarter of the points, are the monitored loss
        (``val_loss``), ``restore_best_weights``, the images validated on (``x_val``) and the best epoch.
        A callback and a history that cannot be judged together score 0.
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
    result.part("monitors val_loss", stopper.monitor == "val_loss")
    result.part("restores the best weights", bool(stopper.restore_best_weights))
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
    if not _fits(model, images):  # never call the model on them: a JAX model is left unusable by a failed call
        return None
    try:
        loss = model.evaluate(images, images, verbose=0, batch_size=256, return_dict=True)["loss"]
        loss = float(loss)
    except Exception:  # a model that was never compiled
        return None
    return loss if math.isfinite(loss) else None


def _fits(model, images: object) -> bool:
    """True when ``images`` is a non-empty array of numbers whose rows have the model's input shape."""
    try:
        expected = tuple(model.input_shape[1:])
    except Exception:  # a model not built yet
        return False
    return (
        isinstance(images, np.ndarray)
        and images.size > 0
        and np.issubdtype(images.dtype, np.number)
        and tuple(images.shape[1:]) == expected
    )


def _same_images(x_val: object, x_test: object) -> bool:
    """True when ``x_val`` and ``x_test`` are arrays of numbers with the same content (one array passed twice)."""
    try:
        first, second = np.asarray(x_val), np.asarray(x_test)
        numeric = all(np.issubdtype(images.dtype, np.number) and images.size for images in (first, second))
        return bool(numeric and np.array_equal(first, second))
    except Exception:  # objects NumPy cannot read as arrays are judged by the loss below
        return False


def _judge_watched_images(stopper, curves: dict[str, np.ndarray], x_val: object, x_test: object, result) -> None:
    """Add to ``result`` which images the validation loss was measured on: the model's loss now tells.

    The check knows the images only as they are passed to it: a loss that matches the images passed as
    ``x_test`` means the training watched the test images, or the two were passed the other way round.
    """
    model = getattr(stopper, "model", None)
    if not isinstance(model, keras.Model):
        result.part("validates on x_val", False)
        result.fix.append(f"The callback holds no model: train with callbacks=[stop_7_2], {STOPPING_TRAINING_HINT}.")
        return
    if _same_images(x_val, x_test):  # whichever the training watched, its loss would match "x_val"
        result.part("validates on x_val", False)
        result.fix.append(
            "x_val and x_test hold the same images, so the check cannot tell which of them the training watched: "
            f"pass the notebook's validation images, then its test images: checks.check_stopping({STOPPING_ARGUMENTS})."
        )
        return
    kept = float(curves["val_loss"][_kept_epoch(stopper, curves)])
    on_val, on_test = _compiled_loss(model, x_val), _compiled_loss(model, x_test)
    validated = on_val is not None and math.isclose(on_val, kept, **SAME_LOSS_TOLERANCE)
    result.part("validates on x_val", validated)
    if on_val is None:
        result.fix.append(
            "The model's loss on the validation images could not be computed: pass the notebook's x_val and x_test."
        )
    elif validated:
        result.right.append("Its validation loss was measured on the validation images, x_val.")
    elif on_test is not None and math.isclose(on_test, kept, **SAME_LOSS_TOLERANCE):
        result.fix.append(
            f"The validation loss at the kept epoch ({kept:.4f}) is the model's loss on the images passed to this check "
            "as x_test, not on those passed as x_val. If the training watched x_test, it used the test set as "
            "validation: the test images chose the epoch and the test score flatters the model; train with x_val. If "
            "it watched x_val, the check got the two the other way round: call "
            f"checks.check_stopping({STOPPING_ARGUMENTS})."
        )
    else:
        result.fix.append(
            f"The model's loss on x_val now ({on_val:.4f}) is not its validation loss at the kept epoch ({kept:.4f}): "
            "it was trained again afterwards, or on other validation images. Build it again and train once on x_val."
        )


def _judge_best_epoch(best_epoch: object, curves: dict[str, np.ndarray], result: CheckResult) -> None:
    """Add to ``result`` whether ``best_epoch`` is the epoch (from 1) of the lowest validation loss."""
    value, problem = whole_number(best_epoch)
    best = int(np.argmin(curves["val_loss"])) + 1
    result.part("the best epoch", value == best)
    if value is None:
        result.fix.append(f"Give the epoch as a whole number, such as 12: {problem}")
        return
    epochs = len(curves["val_loss"])
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


EXERCISES = (
    Exercise(
        label="ex-7-1",
        number="7.1",
        title="debug a broken autoencoder",
        notebook="07_going_deeper",
        goal="find a bug from a short training's evidence; why a ReLU code, a linear output, a 28 × 28 input break it",
        looks_at=(
            "a Keras model: 784 inputs, Dense 32, 10 ReLU, 2 linear, 10, 32 ReLU, 784 sigmoid; names a ReLU or "
            "sigmoid code, a wrong output activation, a wrong input shape, a missing `keras.Input`, wrong sizes; the "
            "unchanged model is told it is unchanged, with a hint to the evidence, and its linear output is named "
            "only from the second wrong answer on"
        ),
        answer="the notebook's model has a linear output: add activation='sigmoid' to the last layer (51,726 parameters)",
        calls=(Call(check_fixed_model, "fixed_7_1"),),
        minutes=15,
        points=3,
    ),
    Exercise(
        label="ex-7-2",
        number="7.2",
        title="early stopping, and the epoch it keeps",
        notebook="07_going_deeper",
        goal="let early stopping choose the epoch on validation images, never test images, and keep the best weights",
        looks_at=(
            "the callback, its history and the epoch; names a missing `restore_best_weights`, the training loss "
            "monitored, the test set used as validation (the kept model's loss on `x_test` matches the history), an "
            "epoch counted from 0, the last epoch, the epoch of the lowest training loss"
        ),
        answer=(
            "the epoch of the lowest val_loss, counted from one: the callback's `best_epoch` plus one "
            "(depends on the patience)"
        ),
        calls=(Call(check_stopping, STOPPING_ARGUMENTS),),
        minutes=20,
        points=4,
    ),
)
