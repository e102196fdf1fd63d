"""Every check function, with right answers, typical wrong answers, nonsense and the ``...`` placeholder."""

import itertools
import re
from pathlib import Path
from types import SimpleNamespace

import jupytext
import keras
import numpy as np
import pytest

from course_utils import exercises, models
from course_utils.widgets import ExplorerRun

PROJECT_DIR = Path(__file__).resolve().parent.parent
GUIDE = PROJECT_DIR / "book" / "instructor_guide.md"
Dense, Input = keras.layers.Dense, keras.Input


def _text(result: exercises.CheckResult) -> str:
    return str(result)


# ---------------------------------------------------------------------------------------------
# The result object
# ---------------------------------------------------------------------------------------------


def test_a_result_reads_as_text_and_html():
    result = exercises.CheckResult("Exercise 9.9", right=["good <part>"], fix=["fix this"])
    assert not result and not result.passed and result.verdict == "not yet"
    assert str(result).splitlines() == ["Exercise 9.9: not yet.", "  ✓ good <part>", "  ✗ fix this"]
    assert "&lt;part&gt;" in result._repr_html_()
    assert exercises.CheckResult("x", right=["ok"]).passed


@pytest.mark.parametrize(
    "check",
    [
        exercises.check_parameters_with_3d_code,
        exercises.check_width_to_match_autoencoder_3,
        exercises.check_pixel_layer_share,
        exercises.check_encoder_2,
        exercises.check_decoder_3,
        lambda answer: exercises.check_closest_digits(answer, np.zeros((4, 2)), np.array([0, 1, 0, 1])),
        lambda answer: exercises.check_depth_experiment(answer, 1),
    ],
)
def test_the_placeholder_is_not_answered_yet(check):
    result = check(...)
    assert not result.answered and not result.passed
    assert "not answered yet" in str(result)


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer, value",
    [(5491, 5491.0), ("5,491", 5491.0), (" 5 491 ", 5491.0), ("98.6%", 0.986), (np.int64(7), 7.0), ("1e3", 1000.0)],
)
def test_numbers_are_read_in_common_spellings(answer, value):
    assert exercises.parse_number(answer)[0] == pytest.approx(value)


@pytest.mark.parametrize(
    "answer, message",
    [("abc", "not a number"), ("", "empty"), (True, "yes/no"), (None, "Give a number"), (float("nan"), "finite")],
)
def test_non_numbers_are_explained(answer, message):
    value, problem = exercises.parse_number(answer)
    assert value is None and message in problem


def test_exercise_2_1_right():
    result = exercises.check_parameters_with_3d_code(5491)
    assert result.passed and "784-3-784 has 5,491 parameters" in _text(result)
    assert exercises.check_parameters_with_3d_code("5,491").passed


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
    result = exercises.check_parameters_with_3d_code(answer)
    assert not result.passed and result.answered
    assert message in _text(result)


@pytest.mark.parametrize("hidden", [(), (10,), (32, 10), (64, 32, 10)])
def test_parameter_check_agrees_with_keras(hidden):
    count = models.build_autoencoder(hidden).count_params()
    assert exercises.check_parameter_count(count, hidden).passed
    assert not exercises.check_parameter_count(count + 1, hidden).passed


def test_exercise_3_2_right_and_wrong():
    assert exercises.smallest_width_above(51_726) == 33
    right = exercises.check_width_to_match_autoencoder_3(33)
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
        result = exercises.check_width_to_match_autoencoder_3(answer)
        assert not result.passed and message in _text(result), (answer, _text(result))


def test_exercise_4_2_right_as_fraction_or_percentage():
    share = exercises.pixel_layer_share((32, 10))
    assert share == pytest.approx((25_120 + 25_872) / 51_726)
    for answer in (share, round(share, 3), "98.6%", 98.58):
        assert exercises.check_pixel_layer_share(answer).passed, answer
    assert "percentage" in _text(exercises.check_pixel_layer_share(98.6))


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
    result = exercises.check_pixel_layer_share(answer)
    assert not result.passed and message in _text(result)


# ---------------------------------------------------------------------------------------------
# The latent plot
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def clustered_codes():
    """Ten clusters on a line, 3 and 8 closest together."""
    centres = {digit: np.array([float(digit) * 2, 0.0]) for digit in range(10)}
    centres[8] = centres[3] + np.array([0.5, 0.5])
    labels = np.repeat(np.arange(10), 20)
    noise = np.random.default_rng(0).normal(scale=0.05, size=(len(labels), 2))
    return np.array([centres[label] for label in labels]) + noise, labels


def test_exercise_2_2_right_in_any_order(clustered_codes):
    codes, labels = clustered_codes
    for answer in [(3, 8), (8, 3), [3, 8], ("3", "8"), np.array([3, 8])]:
        result = exercises.check_closest_digits(answer, codes, labels)
        assert result.passed, (answer, _text(result))
    assert "3 and 8 have the closest centres" in _text(exercises.check_closest_digits((3, 8), codes, labels))


@pytest.mark.parametrize(
    "answer, message",
    [
        ((0, 1), "other pairs are closer"),
        ((3, 3), "distance to itself"),
        ((3, 8, 9), "exactly two digits"),
        ("38", "as a pair"),
        ((3, 12), "not a digit"),
        ((3, 2.5), "not a digit"),
        (38, "as a pair"),
    ],
)
def test_exercise_2_2_wrong_answers_do_not_give_the_answer_away(clustered_codes, answer, message):
    codes, labels = clustered_codes
    result = exercises.check_closest_digits(answer, codes, labels)
    assert not result.passed and message in _text(result)
    assert "3 and 8" not in _text(result)


def test_exercise_2_2_explains_wrong_arguments(clustered_codes):
    codes, labels = clustered_codes
    assert "look like images" in _text(exercises.check_closest_digits((3, 8), np.zeros((200, 784)), labels))
    assert "5 labels" in _text(exercises.check_closest_digits((3, 8), codes, labels[:5]))
    missing = exercises.check_closest_digits((3, 8), codes[labels != 8], labels[labels != 8])
    assert "No code has the label 8" in _text(missing)


def test_exercise_2_2_rank_counts_closer_pairs(clustered_codes):
    codes, labels = clustered_codes
    centres = exercises.digit_centres(codes, labels)
    distances = {
        pair: np.linalg.norm(centres[pair[0]] - centres[pair[1]]) for pair in itertools.combinations(range(10), 2)
    }
    second = sorted(distances, key=distances.get)[1]
    assert "but 1 other pair is closer" in _text(exercises.check_closest_digits(second, codes, labels))


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
        result = exercises.check_encoder_2(model)
        assert result.passed, _text(result)
    assert "7,872 trainable parameters" in _text(exercises.check_encoder_2(sequential))


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
    result = exercises.check_encoder_2(make())
    assert not result.passed and result.answered
    assert message in _text(result), _text(result)


def test_a_right_part_is_reported_beside_a_wrong_one():
    result = exercises.check_encoder_2(_encoder(Dense(10, activation="relu"), Dense(2, activation="tanh")))
    assert "Hidden layer 1 has 10 units and a relu activation" in "\n".join(result.right)
    assert any("code layer" in line for line in result.fix)


def test_exercise_4_1_right_and_wrong():
    def decoder(last="sigmoid", first=2):
        return keras.Sequential(
            [Input((first,)), Dense(10, activation="relu"), Dense(32, activation="relu"), Dense(784, activation=last)]
        )

    right = exercises.check_decoder_3(decoder())
    assert right.passed and "26,254 trainable parameters" in _text(right)
    assert exercises.check_decoder_3(models.build_article_model("Autoencoder_3").decoder).passed
    assert "needs activation='sigmoid'" in _text(exercises.check_decoder_3(decoder(last="linear")))
    assert "keras.Input(shape=(2,))" in _text(exercises.check_decoder_3(decoder(first=784)))
    reversed_ = keras.Sequential(
        [Input((2,)), Dense(32, activation="relu"), Dense(10, activation="relu"), Dense(784, activation="sigmoid")]
    )
    assert "Dense layer 1 has 32 units; it should have 10" in _text(exercises.check_decoder_3(reversed_))


def test_a_model_that_breaks_inspection_gets_advice_not_a_traceback(monkeypatch):
    def broken(model):
        raise RuntimeError("no layers here")

    monkeypatch.setattr(exercises, "_dense_steps", broken)
    result = exercises.check_encoder_2(_encoder(Dense(10, activation="relu"), Dense(2)))
    assert not result.passed and "Could not inspect your encoder: RuntimeError: no layers here" in _text(result)


def test_a_subclassed_model_without_an_input_is_explained():
    class Custom(keras.Model):
        def call(self, inputs):
            return inputs

    assert "keras.Input(shape=(784,))" in _text(exercises.check_encoder_2(Custom()))


# ---------------------------------------------------------------------------------------------
# The depth experiment
# ---------------------------------------------------------------------------------------------


def _run(number, hidden, knn, epochs=5, activation="linear"):
    parameters = models.expected_parameter_count(hidden)
    return ExplorerRun(number, tuple(hidden), activation, epochs, parameters, {"knn_accuracy": knn})


def test_exercise_4_3_right():
    explorer = SimpleNamespace(runs=[_run(1, (), 0.40), _run(2, (32, 10), 0.55)])
    result = exercises.check_depth_experiment(explorer, 2)
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
    result = exercises.check_depth_experiment(SimpleNamespace(runs=runs), best)
    assert not result.passed and message in _text(result), _text(result)


def test_exercise_4_3_needs_the_explorer_itself():
    assert "Pass the depth explorer itself" in _text(exercises.check_depth_experiment("explorer", 1))


def test_exercise_4_3_best_run_placeholder_still_reports_the_runs():
    result = exercises.check_depth_experiment(SimpleNamespace(runs=[_run(1, (), 0.4), _run(2, (10,), 0.5)]), ...)
    assert not result.answered and "differ only in depth" in _text(result)
    empty = exercises.check_depth_experiment(SimpleNamespace(runs=[]), ...)
    assert not empty.answered and "your table has 0" in _text(empty)


# ---------------------------------------------------------------------------------------------
# The registry, the notebooks and the instructor guide
# ---------------------------------------------------------------------------------------------

EXERCISES = exercises.all_exercises()


def test_registry_labels_are_unique_and_match_numbers():
    labels = [exercise.label for exercise in EXERCISES]
    assert len(set(labels)) == len(labels)
    for exercise in EXERCISES:
        assert exercise.label == "ex-" + exercise.number.replace(".", "-")
        assert exercise.notebook.startswith(exercise.number.split(".")[0].zfill(2) + "_")
        assert exercise.goal and exercise.checks and exercise.checked_by and exercise.minutes > 0
    assert exercises.find("ex-3-1").checked_by == (exercises.check_encoder_2,)
    assert exercises.find("3.1") is not None
    with pytest.raises(KeyError, match="ex-2-1"):
        exercises.find("ex-9-9")


def test_every_model_notebook_has_exercises():
    for notebook in ("02_one_hidden_layer", "03_two_hidden_layers", "04_three_hidden_layers"):
        assert exercises.exercises_in(notebook), notebook
        assert exercises.exercises_in(f"notebooks/{notebook}.ipynb") == exercises.exercises_in(notebook)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.label)
def test_each_exercise_is_in_its_notebook_with_a_solution_and_its_check(exercise):
    notebook = jupytext.read(PROJECT_DIR / "notebooks" / f"{exercise.notebook}.py")
    cells = notebook.cells
    heading = next(
        (index for index, cell in enumerate(cells) if cell.cell_type == "markdown"
         and f"({exercise.label})=" in cell.source and f"Exercise {exercise.number}" in cell.source),
        None,
    )
    assert heading is not None, f"no markdown cell with ({exercise.label})= and 'Exercise {exercise.number}'"
    assert "Learning goal" in cells[heading].source
    following = []
    for cell in cells[heading + 1 :]:
        if cell.cell_type == "markdown" and re.search(r"^#{1,3} ", cell.source, re.M):
            break
        following.append(cell)
    code = "\n".join(cell.source for cell in following if cell.cell_type == "code")
    for name in exercise.check_names:
        assert name + "(" in code, f"{exercise.label} does not call {name}"
    if any(name.startswith("exercises.check_") for name in exercise.check_names):
        assert any("solution" in cell.metadata.get("tags", []) for cell in following), "no cell tagged solution"


def test_the_instructor_guide_lists_every_exercise_and_its_check():
    guide = GUIDE.read_text()
    for exercise in EXERCISES:
        assert f"Exercise {exercise.number}" in guide, exercise.label
        for name in exercise.check_names:
            assert name.split(".")[-1] in guide, name
    for command in ("python -m course_utils release", "pytest"):
        assert command in guide
