"""The checks of notebook 7: the repaired model (7.1) and early stopping on validation images (7.2).

Exercise 7.2's checks look at real trainings: a tiny autoencoder trained for a few epochs on 64
images made of four noisy patterns, so that its validation loss falls, then wobbles.
"""

import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from course_utils import models, training
from course_utils.backend import keras
from course_utils.exercises import model_checks
from course_utils.exercises.checks import nb07
from course_utils.exercises.feedback import CheckResult

pytestmark = pytest.mark.backend

set_hypothesis_home_dir(Path(os.environ.get("XDG_CACHE_HOME", tempfile.gettempdir())) / "hypothesis")
FEW = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
Dense = keras.layers.Dense
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.binary(max_size=4),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.floats(), max_size=2),
    st.sampled_from([np.array([math.nan]), np.zeros((2, 784)), keras.Sequential, Dense(2), {"val_loss": []}]),
)


def _text(result: CheckResult) -> str:
    assert isinstance(result, CheckResult)
    assert str(result) and result._repr_html_()
    return str(result)


# ---------------------------------------------------------------------------------------------
# Exercise 7.1: repair the broken autoencoder
# ---------------------------------------------------------------------------------------------


def _autoencoder(*layers, shape=(784,)):
    return keras.Sequential([keras.Input(shape=shape), *layers])


def _layers(code="linear", output="sigmoid", hidden="relu", sizes=(32, 10, 2, 10, 32, 784)):
    activations = [hidden, hidden, code, hidden, hidden, output]
    return [Dense(units, activation=activation) for units, activation in zip(sizes, activations)]


def test_exercise_7_1_accepts_every_correct_autoencoder():
    flat = _autoencoder(*_layers())
    separate = _autoencoder(
        Dense(32), keras.layers.ReLU(), Dense(10), keras.layers.Activation("relu"), Dense(2),
        Dense(10, activation="relu"), Dense(32, activation="relu"), Dense(784), keras.layers.Activation("sigmoid"),
    )  # fmt: skip
    with_dropout = _autoencoder(Dense(32, activation="relu"), keras.layers.Dropout(0.2), *_layers()[1:])
    nested = models.build_autoencoder([32, 10], seed=0).autoencoder  # the encoder and decoder inside one model
    for model in (flat, separate, with_dropout, nested):
        result = nb07.check_fixed_model(model)
        assert result.passed, _text(result)
    assert "51,726 trainable parameters, like 784-32-10-2-10-32-784" in _text(nb07.check_fixed_model(flat))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: _autoencoder(*_layers(code="relu")), "The code layer (2 units) uses 'relu'; keep the code linear"),
        (lambda: _autoencoder(*_layers(output="linear")), "the layers of broken_7_1, unchanged"),
        (lambda: _autoencoder(*_layers(output="softmax")), "The output layer (784 units) uses 'softmax'"),
        (lambda: _autoencoder(*_layers(code="sigmoid")), "a sigmoid squeezes every code number into (0, 1)"),
        (lambda: _autoencoder(*_layers(), shape=(28, 28)), "inputs of shape (28, 28); it must take 784 numbers"),
        (lambda: _autoencoder(keras.layers.Flatten(), *_layers(), shape=(28, 28)), "inputs of shape (28, 28)"),
        (lambda: _autoencoder(*_layers(sizes=(32, 10, 3, 10, 32, 784))), "Dense layer 3 has 3 units; it should have 2"),
        (lambda: _autoencoder(*_layers(sizes=(64, 10, 2, 10, 64, 784))), "Dense layer 1 has 64 units; it should have 32"),
        (lambda: _autoencoder(*_layers()[1:]), "It has 5 Dense layers"),
        (lambda: _autoencoder(*_layers()[:3]), "784-32-10-2-10-32-784 has 6"),
        (lambda: _autoencoder(*_layers(hidden="linear")), "Hidden layer 1 (32 units) uses 'linear'"),
        (lambda: keras.Sequential(_layers()), "does not know its input size"),
        (lambda: models.build_autoencoder([32, 10]), "whole course_utils Autoencoder"),
        (lambda: "fixed_7_1", "got str"),
        (lambda: None, "Got None"),
        (lambda: keras.Sequential, "is a class"),
    ],
)
def test_exercise_7_1_names_the_bug_still_there(make, message):
    result = nb07.check_fixed_model(make())
    assert not result.passed
    assert message in _text(result)


def _broken_7_1():
    """The notebook's broken_7_1: depth 3 with a linear output."""
    return _autoencoder(*_layers(output="linear"))


def test_exercise_7_1_the_unchanged_model_is_told_it_is_unchanged_not_where_its_bug_is():
    """Issue 22: submitting broken_7_1 as it is named the planted bug at once."""
    first = nb07.check_fixed_model(_broken_7_1())
    text = _text(first)
    assert not first.passed and "unchanged" in text and "evidence" in text
    assert "output" not in " ".join(first.fix + first.right).lower() and "sigmoid" not in text.lower()
    assert first.right == ["It is a Keras model that takes 784 numbers."], "ticks on every other layer point to the bug"
    assert "outputs' range" in first.hint and not first.recipe


def test_exercise_7_1_names_the_bug_from_the_second_wrong_answer_on():
    nb07.check_fixed_model(_broken_7_1())
    second = nb07.check_fixed_model(_broken_7_1())
    text = _text(second)
    assert "The output layer (784 units) uses 'linear'" in text and "needs activation='sigmoid'" in text
    assert "How to do it:" in text and "activation='sigmoid'" in second.recipe
    assert nb07.check_fixed_model(_autoencoder(*_layers())).passed


def test_exercise_7_1_a_wrong_repair_is_named_and_the_bug_left_is_not():
    result = nb07.check_fixed_model(_autoencoder(*_layers(code="relu", output="linear")))
    text = _text(result)
    assert "The code layer (2 units) uses 'relu'" in text and "bug of broken_7_1 is still there too" in text
    assert "uses 'linear'" not in text and "sigmoid" not in text.lower()


def _with_code_activation(layer, before=()):
    """The right autoencoder with ``layer`` (and ``before``) between the 2-unit code and the decoder."""
    layers = _layers()
    return _autoencoder(*layers[:3], *before, layer, *layers[3:])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: keras.layers.LeakyReLU(), "uses 'leaky_relu' through the LeakyReLU layer after it; remove that layer"),
        (lambda: keras.layers.ReLU(), "uses 'relu' through the ReLU layer after it; remove that layer"),
        (lambda: keras.layers.ELU(), "uses 'elu' through the ELU layer after it"),
        (lambda: keras.layers.PReLU(), "uses 'prelu' through the PReLU layer after it"),
        (lambda: keras.layers.Softmax(), "uses 'softmax' through the Softmax layer after it"),
        (lambda: keras.layers.Activation("tanh"), "uses 'tanh' through the Activation layer after it"),
        (lambda: keras.layers.Activation("leaky_relu"), "uses 'leaky_relu' through the Activation layer after it"),
    ],
)
def test_exercise_7_1_names_an_activation_layer_after_the_code(make, message):
    """Issue 26: a LeakyReLU (or ELU, PReLU, Softmax) layer after the linear Dense code passed as a linear code."""
    for model in (_with_code_activation(make()), _with_code_activation(make(), before=[keras.layers.Dropout(0.1)])):
        result = nb07.check_fixed_model(model)
        text = _text(result)
        assert not result.passed and f"The code layer (2 units) {message}" in text, text


def test_exercise_7_1_names_a_leaky_code_however_it_is_written():
    """Issue 26: a leaky ReLU code was told that 'a ReLU code can collapse to zeros', or named by its repr."""
    encoder = keras.Sequential([keras.Input(shape=(784,)), *_layers()[:3], keras.layers.LeakyReLU()])
    decoder = keras.Sequential([keras.Input(shape=(2,)), *_layers()[3:]])
    for model in (
        _autoencoder(*_layers(code="leaky_relu")),
        _autoencoder(*_layers(code=keras.layers.LeakyReLU())),
        keras.Sequential([keras.Input(shape=(784,)), encoder, decoder]),  # nested, as build_autoencoder nests
    ):
        result = nb07.check_fixed_model(model)
        text = _text(result)
        assert not result.passed and "The code layer (2 units) uses 'leaky_relu'" in text, text
        assert "collapse to zeros" not in text and "negative code number" in text, text


def test_exercise_7_1_names_an_activation_layer_instead_of_a_hidden_relu():
    layers = _layers()
    model = _autoencoder(Dense(32), keras.layers.LeakyReLU(), *layers[1:])
    text = _text(nb07.check_fixed_model(model))
    assert "Hidden layer 1 (32 units) uses 'leaky_relu' through the LeakyReLU layer after it; remove that layer" in text


def test_exercise_7_1_names_only_the_bug_that_is_left():
    result = nb07.check_fixed_model(_autoencoder(*_layers(code="relu")))
    assert len(result.fix) == 1 and "The output layer has 784 units and a sigmoid activation." in result.right


def test_exercise_7_1_placeholder_and_non_finite_weights():
    assert nb07.check_fixed_model(...).verdict == "not answered yet"
    model = _autoencoder(*_layers())
    model.layers[0].kernel.assign(np.full((784, 32), np.nan, dtype="float32"))
    assert "NaN or infinite" in _text(nb07.check_fixed_model(model))


def test_the_autoencoder_check_refuses_an_impossible_architecture():
    result = model_checks.check_autoencoder(_autoencoder(*_layers()), [0])
    assert not result.passed and "impossible architecture" in _text(result)


@FEW
@given(answer=ODD_VALUES)
def test_exercise_7_1_explains_anything_that_is_not_a_model(answer):
    assert not nb07.check_fixed_model(answer).passed


# ---------------------------------------------------------------------------------------------
# Exercise 7.2: early stopping
# ---------------------------------------------------------------------------------------------

PATTERNS = (np.random.default_rng(0).random((4, 784)) < 0.2).astype("float32")


def _images(count: int, seed: int) -> np.ndarray:
    """Noisy copies of four random patterns: learnable, so the validation loss falls for a few epochs."""
    rng = np.random.default_rng(seed)
    flipped = rng.random((count, 784)) < 0.1
    return np.abs(PATTERNS[rng.integers(0, 4, count)] - flipped).astype("float32")


X_TRAIN, X_VAL, X_TEST = _images(64, 1), _images(32, 2), _images(32, 3)


def _train(watched=X_VAL, **options):
    """A tiny model trained with early stopping; ``options`` change the callback."""
    model = models.build_autoencoder([8], seed=0)
    callback = {"monitor": "val_loss", "patience": 2, "restore_best_weights": True, **options}
    stopper = keras.callbacks.EarlyStopping(**callback)
    settings_ = training.TrainingSettings(epochs=12, batch_size=16, learning_rate=0.2)
    history = training.train(model, X_TRAIN, watched, settings_, callbacks=[stopper], verbose=False)
    return stopper, history


@pytest.fixture(scope="module")
def right_run():
    stopper, history = _train()
    validation = np.asarray(history.history["val_loss"])
    best, last = int(np.argmin(validation)) + 1, len(validation)
    lowest_training = int(np.argmin(history.history["loss"])) + 1
    # The mistakes below are told apart only if these epochs differ.
    assert len({best, best - 1, last, lowest_training}) == 4, history.history
    return stopper, history, best


def check(best_epoch, stopper, history, x_val=X_VAL, x_test=X_TEST):
    return nb07.check_stopping(best_epoch, stopper, history, x_val, x_test)


def test_exercise_7_2_right(right_run):
    stopper, history, best = right_run
    for answer in (best, str(best), float(best), np.int64(best)):
        result = check(answer, stopper, history)
        assert result.passed, _text(result)
    text = _text(check(best, stopper, history.history))  # the history's dict will do
    assert "watches the validation loss" in text and "measured on the validation images" in text
    assert f"Epoch {best} of" in text


def test_exercise_7_2_names_wrong_epochs(right_run):
    stopper, history, best = right_run
    epochs = len(history.history["loss"])
    lowest_training = int(np.argmin(history.history["loss"])) + 1
    other = next(epoch for epoch in range(1, epochs + 1) if epoch not in (best, best - 1, epochs, lowest_training))
    for answer, message in [
        (best - 1, "Off by one: Keras counts epochs from 0"),
        (epochs, f"Epoch {epochs} is the last epoch trained"),
        (lowest_training, "lowest training loss"),
        (epochs + 5, f"ran {epochs} epochs, counted 1 to {epochs}"),
        (-1, "is not one of them"),
        (other, "does not have the lowest validation loss"),
        (3.5, "not a whole number"),
        (math.nan, "NaN"),
        (math.inf, "not a finite number"),
        (True, "yes/no"),
        ("first", "not a number"),
        ([best], "Give one number"),
    ]:
        result = check(answer, stopper, history)
        assert not result.passed and message in _text(result), (answer, str(result))


def test_exercise_7_2_placeholders(right_run):
    stopper, history, best = right_run
    for arguments in [(..., stopper, history), (best, ..., history), (best, stopper, ...), (..., ..., ...)]:
        assert check(*arguments).verdict == "not answered yet"


def test_exercise_7_2_names_restore_best_weights_missing(right_run):
    _, _, best = right_run
    stopper, history = _train(restore_best_weights=False)
    result = check(best, stopper, history)
    assert not result.passed
    assert "restore_best_weights=True is missing: the model kept the weights of its last epoch" in _text(result)


def test_exercise_7_2_names_the_training_loss_monitored(right_run):
    _, _, best = right_run
    stopper, history = _train(monitor="loss")
    result = check(best, stopper, history)
    assert not result.passed and "monitored the training loss (monitor='loss')" in _text(result)


def test_exercise_7_2_names_the_test_set_used_as_validation(right_run):
    stopper, history = _train(watched=X_TEST)
    best = int(np.argmin(history.history["val_loss"])) + 1
    result = check(best, stopper, history)
    assert not result.passed and "If the training watched x_test, it used the test set as validation" in _text(result)
    test_curve = {"loss": [0.5], "test_loss": [0.5]}  # what training.train(..., val_name="test") returns
    assert "test_loss: the training watched the test images" in _text(check(best, stopper, test_curve))


def test_exercise_7_2_swapped_images_are_not_called_the_test_set_as_validation(right_run):
    """Issue 26: x_val and x_test passed the other way round were called 'the test set as validation'."""
    stopper, history, best = right_run
    result = check(best, stopper, history, x_val=X_TEST, x_test=X_VAL)
    text = _text(result)
    assert not result.passed and "You used the test set" not in text
    assert "the images passed to this check as x_test, not on those passed as x_val" in text
    assert "the other way round" in text and "check_stopping(best_epoch_7_2, stop_7_2, history_7_2, x_val, x_test)" in text
    assert result.score == 0.75 and [name for name, right in result.parts.items() if not right] == ["validates on x_val"]


def test_exercise_7_2_the_same_images_twice_cannot_tell_which_were_watched(right_run):
    """Issue 26: x_val passed twice (or x_test twice, after training on it) passed as validated on x_val."""
    stopper, history, best = right_run
    on_test, test_history = _train(watched=X_TEST)
    test_best = int(np.argmin(test_history.history["val_loss"])) + 1
    for arguments in [
        (best, stopper, history, X_VAL, X_VAL.copy()),
        (test_best, on_test, test_history, X_TEST, X_TEST),
    ]:
        result = check(*arguments)
        text = _text(result)
        assert not result.passed and "x_val and x_test hold the same images" in text, text
        assert result.score == 0.75 and not result.parts["validates on x_val"]


def test_exercise_7_2_names_a_model_trained_again():
    stopper, history = _train()
    best = int(np.argmin(history.history["val_loss"])) + 1
    stopper.model.fit(X_TRAIN, X_TRAIN, epochs=2, verbose=0)
    result = check(best, stopper, history)
    assert not result.passed and "trained again afterwards" in _text(result)


def test_exercise_7_2_names_a_callback_and_history_that_do_not_belong_together(right_run):
    stopper, history, best = right_run
    curves = history.history
    shifted = {"loss": curves["loss"], "val_loss": [value + 0.1 for value in curves["val_loss"]]}
    for wrong_stopper, wrong_history, message in [
        (keras.callbacks.EarlyStopping(), history, "never took part in a training"),
        (stopper, shifted, "come from different trainings"),
        (keras.callbacks.EarlyStopping(monitor="val_los"), history, "watches 'val_los', which no training reports"),
        (history, stopper, "That is a history; pass the EarlyStopping callback second"),
        ("stopper", history, "Pass the keras.callbacks.EarlyStopping you trained with"),
        (stopper, None, "Pass the history the training returned"),
        (stopper, {"loss": [0.5]}, "The history has no val_loss"),
        (stopper, {"loss": [0.5, 0.4], "val_loss": [0.5]}, "one loss per epoch"),
        (stopper, {"loss": [], "val_loss": []}, "The history has no epochs"),
        (stopper, {"loss": [0.5, math.nan], "val_loss": [0.5, 0.4]}, "NaN or infinite"),
        (stopper, {"loss": ["a"], "val_loss": [0.5]}, "needs the loss and val_loss lists"),
        (stopper, {"val_loss": [0.5]}, "needs the loss and val_loss lists"),
    ]:
        result = check(best, wrong_stopper, wrong_history)
        assert not result.passed and message in _text(result), (message, str(result))


def test_exercise_7_2_explains_images_it_cannot_use(right_run):
    stopper, history, best = right_run
    for x_val in (None, "x_val", np.zeros((3, 5))):
        result = check(best, stopper, history, x_val=x_val)
        assert not result.passed and "could not be computed" in _text(result)


def test_exercise_7_2_each_of_its_four_parts_earns_a_quarter(right_run):
    stopper, history, best = right_run
    assert check(best, stopper, history).score == 1
    for wrong_epoch in (best - 1, "first", None):
        result = check(wrong_epoch, stopper, history)
        assert result.score == 0.75 and not result.parts["the best epoch"], (wrong_epoch, result.parts)
    assert check(best, stopper, history, x_val=None).score == 0.75  # the images validated on cannot be confirmed
    for options, part in [
        ({"restore_best_weights": False}, "restores the best weights"),
        ({"watched": X_TEST}, "validates on x_val"),
    ]:
        stopper, history = _train(**options)
        result = check(int(np.argmin(history.history["val_loss"])) + 1, stopper, history)
        assert result.score == 0.75 and [name for name, right in result.parts.items() if not right] == [part]
    assert check(best, keras.callbacks.EarlyStopping(), history).score == 0  # nothing to judge the parts on
    assert check(..., stopper, history).score == 0


@FEW
@given(best_epoch=ODD_VALUES, which=st.sampled_from(["stopper", "history", "x_val", "best_epoch"]))
def test_exercise_7_2_explains_anything(right_run, best_epoch, which):
    stopper, history, best = right_run
    arguments = {"best_epoch": best, "stopper": stopper, "history": history, "x_val": X_VAL}
    arguments[which] = best_epoch  # one argument replaced by an odd value
    result = check(arguments["best_epoch"], arguments["stopper"], arguments["history"], arguments["x_val"])
    assert isinstance(result, CheckResult) and (result.fix or result.passed)
    assert 0 <= result.score <= 1 and (result.score == 1) == result.passed
    if result.passed:  # only a number equal to the best epoch can pass
        assert which == "best_epoch" and float(best_epoch) == best


def test_exercise_7_1_a_sigmoid_code_is_not_told_about_relu():
    """Issue 22: a sigmoid code was told that 'a ReLU code can collapse to zeros'."""
    text = _text(nb07.check_fixed_model(_autoencoder(*_layers(code="sigmoid"))))
    assert "The code layer (2 units) uses 'sigmoid'" in text and "(0, 1)" in text and "ReLU" not in text
