"""Every check function, with right answers, typical wrong answers, nonsense and the ``...`` placeholder."""

from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

from course_utils import models
from course_utils.backend import keras
from course_utils.exercises import model_checks
from course_utils.exercises.checks import nb02, nb03, nb04, nb07
from course_utils.exercises.depth_explorer import ExplorerRun

pytestmark = pytest.mark.backend

Dense, Input = keras.layers.Dense, keras.Input


def _text(result) -> str:
    return str(result)


@pytest.mark.parametrize(
    "check",
    [
        nb02.check_parameters_with_3d_code,
        nb03.check_width_to_match_autoencoder_3,
        nb04.check_pixel_layer_share,
        nb03.check_encoder_2,
        nb04.check_decoder_3,
        lambda answer: nb04.check_depth_experiment(answer, 1),
    ],
)
def test_the_placeholder_is_not_answered_yet(check):
    result = check(...)
    assert not result.answered and not result.passed
    assert "not answered yet" in str(result)


# ---------------------------------------------------------------------------------------------
# Parameter counts
# ---------------------------------------------------------------------------------------------


def test_exercise_2_1_right():
    result = nb02.check_parameters_with_3d_code(5491)
    assert result.passed and "784-3-784 has 5,491 parameters" in _text(result)
    assert nb02.check_parameters_with_3d_code("5,491").passed


@pytest.mark.parametrize(
    "answer, message",
    [
        (784 * 3 * 2, "weights but not the biases"),
        (2355, "encoder only"),
        (3136, "decoder only"),
        (784 + 3 + 3 + 784, "multiply"),
        (3922, "Autoencoder_1"),
        (5000, "too low"),
        (9999, "too high"),
        (5491.5, "not a whole number"),
        ("five thousand", "not a number"),
    ],
)
def test_exercise_2_1_wrong_answers_get_specific_feedback(answer, message):
    result = nb02.check_parameters_with_3d_code(answer)
    assert not result.passed and result.answered
    assert message in _text(result)


@pytest.mark.parametrize("hidden", [(), (10,), (32, 10), (64, 32, 10)])
def test_parameter_check_agrees_with_keras(hidden):
    count = models.build_autoencoder(hidden).count_params()
    assert nb02.check_parameter_count(count, hidden).passed
    assert not nb02.check_parameter_count(count + 1, hidden).passed


def test_exercise_3_2_right_and_wrong():
    assert nb03.smallest_width_above(51_726) == 33
    right = nb03.check_width_to_match_autoencoder_3(33)
    assert right.passed and "52,728" in _text(right) and "51,154" in _text(right)
    for answer, message in [
        (32, "not more than"),
        (40, "smallest width"),
        (51_726, "looks like a parameter count"),
        (0, "at least 1 unit"),
        (-3, "at least 1 unit"),
        ([33], "not the list"),
        ("wide", "not a number"),
        (33.5, "not a whole number"),
    ]:
        result = nb03.check_width_to_match_autoencoder_3(answer)
        assert not result.passed and message in _text(result), (answer, _text(result))


def test_exercise_4_2_right_as_fraction_or_percentage():
    share = nb04.pixel_layer_share((32, 10))
    assert share == pytest.approx((25_120 + 25_872) / 51_726)
    for answer in (share, round(share, 3), "98.6%", 98.58):
        assert nb04.check_pixel_layer_share(answer).passed, answer
    assert "percentage" in _text(nb04.check_pixel_layer_share(98.6))


@pytest.mark.parametrize(
    "answer, message",
    [
        (25_120 / 51_726, "first layer only"),
        (25_872 / 51_726, "last layer only"),
        ((25_088 + 25_088) / 51_726, "left out the biases"),
        (1 - (25_120 + 25_872) / 51_726, "one minus"),
        (0.7, "too low"),
        (150, "cannot be a share"),
        (-0.2, "cannot be a share"),
        ("most", "not a number"),
    ],
)
def test_exercise_4_2_wrong_answers(answer, message):
    result = nb04.check_pixel_layer_share(answer)
    assert not result.passed and message in _text(result)


# ---------------------------------------------------------------------------------------------
# Keras models
# ---------------------------------------------------------------------------------------------


def _encoder(*layers, shape=(784,)):
    return keras.Sequential([Input(shape), *layers])


def test_exercise_3_1_accepts_every_correct_encoder():
    sequential = _encoder(Dense(10, activation="relu"), Dense(2))
    inputs = Input((784,))
    functional = keras.Model(inputs, Dense(2, activation="linear")(Dense(10, activation="relu")(inputs)))
    separate = _encoder(Dense(10), keras.layers.ReLU(), Dense(2))
    with_dropout = _encoder(Dense(10, activation="relu"), keras.layers.Dropout(0.1), Dense(2))
    article = models.build_article_model("Autoencoder_2").encoder
    for model in (sequential, functional, separate, with_dropout, article):
        result = nb03.check_encoder_2(model)
        assert result.passed, _text(result)
    assert "7,872 trainable parameters" in _text(nb03.check_encoder_2(sequential))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: _encoder(Dense(10, activation="relu"), Dense(2, activation="relu")), "keep the code linear"),
        (lambda: _encoder(Dense(10), Dense(2)), "hidden layers use activation='relu'"),
        (lambda: keras.Sequential([Dense(10, activation="relu"), Dense(2)]), "keras.Input(shape=(784,))"),
        (lambda: _encoder(Dense(2, activation="relu"), Dense(10)), "reverse order"),
        (lambda: _encoder(Dense(16, activation="relu"), Dense(2)), "Dense layer 1 has 16 units; it should have 10"),
        (lambda: _encoder(Dense(32, activation="relu"), Dense(10, activation="relu"), Dense(2)), "has 2: 784"),
        (lambda: _encoder(Dense(10, activation="relu", use_bias=False), Dense(2)), "use_bias=False"),
        (lambda: _encoder(Dense(10, activation="relu"), Dense(2), shape=(28, 28)), "inputs of shape (28, 28)"),
        (lambda: models.build_article_model("Autoencoder_2").autoencoder, "whole autoencoder"),
        (lambda: models.build_article_model("Autoencoder_2"), "whole course_utils Autoencoder"),
        (lambda: keras.Sequential, "is a class"),
        (lambda: "my_encoder", "got str"),
        (lambda: None, "Got None"),
        (lambda: _encoder(keras.layers.Flatten()), "no Dense layer"),
    ],
)
def test_exercise_3_1_names_what_to_fix(make, message):
    result = nb03.check_encoder_2(make())
    assert not result.passed and result.answered
    assert message in _text(result), _text(result)


def test_a_right_part_is_reported_beside_a_wrong_one():
    result = nb03.check_encoder_2(_encoder(Dense(10, activation="relu"), Dense(2, activation="tanh")))
    assert "Hidden layer 1 has 10 units and a relu activation" in "\n".join(result.right)
    assert any("code layer" in line for line in result.fix)


def test_exercise_4_1_right_and_wrong():
    def decoder(last="sigmoid", first=2):
        return keras.Sequential(
            [Input((first,)), Dense(10, activation="relu"), Dense(32, activation="relu"), Dense(784, activation=last)]
        )

    right = nb04.check_decoder_3(decoder())
    assert right.passed and "26,254 trainable parameters" in _text(right)
    assert nb04.check_decoder_3(models.build_article_model("Autoencoder_3").decoder).passed
    assert "needs activation='sigmoid'" in _text(nb04.check_decoder_3(decoder(last="linear")))
    assert "keras.Input(shape=(2,))" in _text(nb04.check_decoder_3(decoder(first=784)))
    reversed_ = keras.Sequential(
        [Input((2,)), Dense(32, activation="relu"), Dense(10, activation="relu"), Dense(784, activation="sigmoid")]
    )
    assert "Dense layer 1 has 32 units; it should have 10" in _text(nb04.check_decoder_3(reversed_))


def test_a_model_that_breaks_inspection_gets_advice_not_a_traceback(monkeypatch):
    def broken(model):
        raise RuntimeError("no layers here")

    monkeypatch.setattr(model_checks, "dense_steps", broken)
    result = nb03.check_encoder_2(_encoder(Dense(10, activation="relu"), Dense(2)))
    assert not result.passed and "Could not inspect your encoder: RuntimeError: no layers here" in _text(result)


def test_a_subclassed_model_without_an_input_is_explained():
    class Custom(keras.Model):
        def call(self, inputs):
            return inputs

    assert "keras.Input(shape=(784,))" in _text(nb03.check_encoder_2(Custom()))


# ---------------------------------------------------------------------------------------------
# The depth experiment
# ---------------------------------------------------------------------------------------------


def _run(number, hidden, score, epochs=5, activation="linear", metric="knn_accuracy"):
    parameters = models.expected_parameter_count(hidden)
    return ExplorerRun(number, tuple(hidden), activation, epochs, parameters, {metric: score})


def test_exercise_4_3_right():
    explorer = SimpleNamespace(runs=[_run(1, (), 0.40), _run(2, (32, 10), 0.55)])
    result = nb04.check_depth_experiment(explorer, 2)
    assert result.passed, _text(result)
    assert "Runs 1 and 2 differ only in depth" in _text(result) and "0.550" in _text(result)


@pytest.mark.parametrize(
    "runs, best, message",
    [
        ([], 1, "your table has 0"),
        ([_run(1, (), 0.4)], 1, "your table has 1"),
        ([_run(1, (), 0.4), _run(2, (32, 10), 0.5, epochs=9)], 2, "differ in depth alone"),
        ([_run(1, (), 0.4), _run(2, (32, 10), 0.5, activation="relu")], 2, "differ in depth alone"),
        ([_run(1, (10,), 0.4), _run(2, (32,), 0.5)], 2, "differ in depth alone"),
        ([_run(1, (), 0.4), _run(2, (32, 10), 0.5)], 1, "another run in your table scores higher"),
        ([_run(1, (), 0.4), _run(2, (32, 10), 0.5)], 7, "There is no run 7"),
        ([_run(1, (), 0.4), _run(2, (32, 10), 0.5)], "two", "not a number"),
    ],
)
def test_exercise_4_3_wrong(runs, best, message):
    result = nb04.check_depth_experiment(SimpleNamespace(runs=runs), best)
    assert not result.passed and message in _text(result), _text(result)


def test_exercise_4_3_needs_the_explorer_itself():
    assert "Pass the depth explorer itself" in _text(nb04.check_depth_experiment("explorer", 1))


def test_exercise_4_3_best_run_placeholder_still_reports_the_runs():
    result = nb04.check_depth_experiment(SimpleNamespace(runs=[_run(1, (), 0.4), _run(2, (10,), 0.5)]), ...)
    assert not result.answered and "differ only in depth" in _text(result)
    empty = nb04.check_depth_experiment(SimpleNamespace(runs=[]), ...)
    assert not empty.answered and "your table has 0" in _text(empty)


def test_exercise_4_3_a_lower_is_better_metric_picks_the_lowest():
    runs = [_run(1, (), 0.30, metric="bce"), _run(2, (32, 10), 0.20, metric="bce")]
    right = nb04.check_depth_experiment(SimpleNamespace(runs=runs), 2, metric="bce")
    assert right.passed and "lowest reconstruction error (BCE)" in _text(right)
    wrong = nb04.check_depth_experiment(SimpleNamespace(runs=runs), 1, metric="bce")
    assert "scores lower" in _text(wrong)


# ---------------------------------------------------------------------------------------------
# Odd answers and arguments: a message, never a traceback, never a pass
# ---------------------------------------------------------------------------------------------


HUGE_ANSWERS = [
    pytest.param(10**400, id="10**400"),
    pytest.param(-(10**400), id="-10**400"),
    pytest.param(Fraction(10**400, 7), id="huge fraction"),
    float("inf"),
    float("nan"),
    "1e400",
    np.float32("nan"),
    Decimal("sNaN"),
    complex(5491, 0),
    b"5491",
    pytest.param("9" * 5000, id="5000 nines"),
]


@pytest.mark.parametrize(
    "check",
    [
        nb02.check_parameters_with_3d_code,
        nb03.check_width_to_match_autoencoder_3,
        nb04.check_pixel_layer_share,
        lambda answer: nb04.check_depth_experiment(SimpleNamespace(runs=[_run(1, (), 0.4), _run(2, (10,), 0.5)]), answer),
    ],
    ids=["2.1", "3.2", "4.2", "4.3"],
)
@pytest.mark.parametrize("answer", HUGE_ANSWERS)
def test_numeric_checks_explain_huge_and_non_finite_answers(check, answer):
    result = check(answer)
    assert not result.passed and result.answered and result.fix
    assert all(len(line) < 400 for line in result.fix), "a message never repeats a huge answer in full"


def test_numbers_from_numpy_and_the_standard_library_are_read_as_answers():
    for answer in (np.int64(5491), np.array(5491), np.array([5491]), Decimal("5491"), Fraction(5491)):
        assert nb02.check_parameters_with_3d_code(answer).passed, answer
    assert nb03.check_width_to_match_autoencoder_3(np.array([33])).passed


@pytest.mark.parametrize(
    "hidden, message",
    [(None, "list of layer sizes"), ([0], "at least 1 unit"), (["ten"], "not 'ten'"), ([10**400], "far wider")],
    ids=["None", "zero", "text", "huge"],
)
def test_a_parameter_check_of_an_impossible_architecture_is_explained(hidden, message):
    result = nb02.check_parameter_count(5491, hidden)
    assert not result.passed and message in _text(result)


def test_an_encoder_with_nan_weights_does_not_pass():
    encoder = _encoder(Dense(10, activation="relu"), Dense(2))
    encoder.set_weights([np.full_like(weight, np.nan) for weight in encoder.get_weights()])
    result = nb03.check_encoder_2(encoder)
    assert not result.passed and "NaN" in _text(result)


@pytest.mark.parametrize(
    "hidden, message",
    [(None, "list of layer sizes"), (["ten"], "not 'ten'")],
)
def test_a_model_check_of_an_impossible_architecture_is_explained(hidden, message):
    result = model_checks.check_encoder(_encoder(Dense(10, activation="relu"), Dense(2)), hidden)
    assert not result.passed and message in _text(result)
    result = model_checks.check_decoder(_encoder(Dense(10, activation="relu"), Dense(2)), hidden)
    assert not result.passed and message in _text(result)


def test_exercise_4_3_explains_odd_explorers_and_metrics():
    two = [_run(1, (), 0.4), _run(2, (10,), 0.5)]
    for explorer in (SimpleNamespace(runs=5), SimpleNamespace(runs=[1, 2]), SimpleNamespace(runs=None)):
        assert "Pass the depth explorer itself" in _text(nb04.check_depth_experiment(explorer, 2))
    for metric in (np.array(["knn_accuracy"]), ["knn_accuracy"], None, "accuracy"):
        result = nb04.check_depth_experiment(SimpleNamespace(runs=two), 2, metric=metric)
        assert not result.passed and "knn_accuracy" in _text(result), _text(result)


def test_exercise_4_3_a_diverged_run_is_never_the_best():
    runs = [_run(1, (), float("nan")), _run(2, (10,), 0.5)]
    result = nb04.check_depth_experiment(SimpleNamespace(runs=runs), 1)
    assert not result.passed and "NaN" in _text(result)
    assert nb04.check_depth_experiment(SimpleNamespace(runs=runs), 2).passed
    no_scores = [_run(1, (), float("nan")), _run(2, (10,), float("nan"))]
    assert not nb04.check_depth_experiment(SimpleNamespace(runs=no_scores), 2).passed


def test_exercise_4_3_two_runs_tied_for_best_are_both_right():
    runs = [_run(1, (), 0.5), _run(2, (10,), 0.5)]
    assert nb04.check_depth_experiment(SimpleNamespace(runs=runs), 2).passed
    assert nb04.check_depth_experiment(SimpleNamespace(runs=runs), 1).passed


# ---------------------------------------------------------------------------------------------
# Issue 22: diagnoses that were false, and a hint before the recipe
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [0.5, "50%", 0.25, 0.49])
def test_exercise_4_2_a_round_estimate_is_not_called_a_mistake_it_is_not(answer):
    """0.5, the task's own example, lies within the tolerance of the last layer's share (0.5002)."""
    text = _text(nb04.check_pixel_layer_share(answer))
    assert "last layer only" not in text and "first layer only" not in text
    assert "too low" in text and "not by eye" in text


def test_exercise_4_2_a_computed_mistake_is_still_named():
    assert "last layer only" in _text(nb04.check_pixel_layer_share(round(25_872 / 51_726, 4)))


def test_exercise_4_1_a_softmax_output_is_told_why_softmax_is_wrong():
    """Softmax outputs do lie in [0, 1]: the message must not say the sigmoid is needed for that."""
    decoder = keras.Sequential(
        [Input((2,)), Dense(10, activation="relu"), Dense(32, activation="relu"), Dense(784, activation="softmax")]
    )
    text = _text(nb04.check_decoder_3(decoder))
    assert "share a total of 1" in text and "its own ink-or-not probability" in text
    assert "so every pixel lies in [0, 1]" not in text


@pytest.fixture
def clustered_codes():
    """Ten clusters on a line, 3 and 8 closest together."""
    centres = {digit: np.array([float(digit) * 2, 0.0]) for digit in range(10)}
    centres[8] = centres[3] + np.array([0.5, 0.5])
    labels = np.repeat(np.arange(10), 20)
    noise = np.random.default_rng(0).normal(scale=0.05, size=(len(labels), 2))
    return np.array([centres[label] for label in labels]) + noise, labels


def test_exercise_2_2_the_same_digit_twice_is_not_about_distances(clustered_codes):
    codes, labels = clustered_codes
    text = _text(nb02.check_most_confused((3, 3), codes, labels, codes, labels))
    assert "two different digits" in text and "distance" not in text


def test_a_check_gives_a_hint_first_and_the_recipe_from_the_second_wrong_answer():
    first = nb02.check_parameters_with_3d_code(6000)
    assert "6,000 is too high" in first.fix[0] and "Dense layer" in first.hint and not first.recipe
    assert "784 × 3 weights" not in _text(first) and "next check also shows" in _text(first)
    second = nb02.check_parameters_with_3d_code(6000)
    assert "784 × 3 weights" in second.recipe and "How to do it: 784 → 3" in _text(second)
    assert not nb02.check_parameters_with_3d_code(5491).hint, "a right answer gets no hint"


def test_a_placeholder_is_never_counted_as_a_wrong_answer():
    for _ in range(3):
        assert not nb03.check_width_to_match_autoencoder_3(...).answered
    assert not nb03.check_width_to_match_autoencoder_3(20).recipe
    assert nb03.check_width_to_match_autoencoder_3(20).recipe


def test_every_check_of_the_registry_coaches_with_a_hint_and_a_recipe():
    from course_utils.exercises import registry

    for exercise in registry.all_exercises():
        for call in exercise.calls:
            if call.is_check:
                hint, recipe = getattr(call.function, "hint", ""), getattr(call.function, "recipe", "")
                if call.function is nb07.check_fixed_model:
                    hint, recipe = nb07.FIXED_MODEL_HINT, nb07.FIXED_MODEL_RECIPE
                assert len(hint) > 40 and len(recipe) > 40 and hint != recipe, exercise.number
