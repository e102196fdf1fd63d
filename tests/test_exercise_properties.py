"""Property tests: no check and no widget handler raises on anything a student can type or pass.

Every check returns a :class:`~course_utils.exercises.feedback.CheckResult` (every widget shows a
message), and an answer or an argument that is non-finite or degenerate never passes. The runs are
short and derandomized, so CI sees the same examples every time.
"""

import ast
import math
import os
import tempfile
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.extra import numpy as hnp

from course_utils import models
from course_utils.backend import keras
from course_utils.exercises import architecture_builder, depth_explorer, feedback, model_checks, questions
from course_utils.exercises.checks import nb02, nb03, nb04
from course_utils.exercises.feedback import CheckResult

# Hypothesis caches what it learns under .hypothesis/ in the working folder; keep the checkout clean
# (conftest points XDG_CACHE_HOME into the suite's temporary folder).
set_hypothesis_home_dir(Path(os.environ.get("XDG_CACHE_HOME", tempfile.gettempdir())) / "hypothesis")
SHORT = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(SHORT, max_examples=30)

# ---------------------------------------------------------------------------------------------
# What a student can type or pass
# ---------------------------------------------------------------------------------------------

NAN, INF = float("nan"), float("inf")
HUGE_INTEGERS = st.one_of(
    st.sampled_from([10**400, -(10**400), 2**53 + 1, 2**63, -(2**63) - 1, 10**15 + 1]),
    st.just(5000).map(lambda digits: 10**digits),  # too long for repr(), so not listed in sampled_from
)
NUMBER_TEXT = st.one_of(
    st.integers().map(str),
    st.floats().map(repr),
    st.sampled_from(
        [
            "1e400",
            "-1e400",
            "nan",
            "-inf",
            "Infinity",
            "５４９１",
            "١٠",
            "²",
            "5,491",
            "98.6%",
            "nan%",
            "1e400%",
            "%",
            "0x10",
        ]
        + ["1_000", "25,120", "  ", "", "9" * 5000, "x" * 10_000, "32,,10", "3.5", "-0", "+7", "\x00", "\ud800"]
    ),
)
DTYPES = st.sampled_from([np.float64, np.float32, np.float16, np.int64, np.uint8, np.bool_, np.complex128, np.dtype("U4")])
NUMPY_SCALARS = st.one_of(
    *(hnp.from_dtype(np.dtype(kind)) for kind in (np.float64, np.float32, np.float16, np.int64, np.uint8, np.bool_)),
    st.sampled_from([np.float32("nan"), np.float64("inf"), np.int64(5491), np.longdouble("1e4000"), np.str_("7")]),
)
NUMPY_ARRAYS = hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.just(Ellipsis),
    st.integers(),
    HUGE_INTEGERS,
    st.floats(),
    st.decimals(),
    st.sampled_from([Decimal("1e400"), Decimal("sNaN"), Decimal("-Infinity"), Fraction(10**400, 3)]),
    st.fractions(),
    st.complex_numbers(),
    st.text(max_size=20),
    NUMBER_TEXT,
    st.binary(max_size=8),
    NUMPY_SCALARS,
    NUMPY_ARRAYS,
)
ANYTHING = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=3), inner, max_size=2),
        st.sets(st.integers(0, 12), max_size=3),
    ),
    max_leaves=6,
)
NON_FINITE = st.one_of(
    st.sampled_from([NAN, INF, -INF, "nan", "inf", "-1e400", "1e400", "9" * 400, 10**400, -(10**400), Fraction(10**400)]),
    st.sampled_from(
        [np.float32("nan"), np.float16("inf"), np.array(NAN), np.array([INF]), Decimal("NaN"), Decimal("1e999")]
    ),
)


def assert_result(result: object) -> CheckResult:
    """A check's result: a CheckResult that renders as text and HTML and says what to fix unless it passed."""
    assert isinstance(result, CheckResult)
    assert str(result) and result._repr_html_()
    assert result.passed or result.fix
    assert 0 <= result.score <= 1 and (result.score == 1) == result.passed and (result.answered or result.score == 0)
    event(result.verdict)  # --hypothesis-show-statistics shows how often each verdict came up
    return result


def number_of(answer: object) -> float | None:
    return feedback.parse_number(answer)[0]


# ---------------------------------------------------------------------------------------------
# Reading numbers
# ---------------------------------------------------------------------------------------------


@SHORT
@given(ANYTHING)
def test_reading_a_number_is_total_and_finite(answer):
    value, problem = feedback.parse_number(answer)
    assert (value is None) != (problem is None)
    assert value is None or math.isfinite(value)
    assert problem is None or len(problem) < 300
    count, problem = feedback.whole_number(answer)
    assert (count is None) != (problem is None)
    assert count is None or (isinstance(count, int) and abs(count) <= feedback.LARGEST_COUNT)


@SHORT
@given(NON_FINITE)
def test_a_non_finite_number_is_never_read(answer):
    assert feedback.parse_number(answer)[0] is None and feedback.whole_number(answer)[0] is None


# ---------------------------------------------------------------------------------------------
# Numeric checks
# ---------------------------------------------------------------------------------------------

SHARE = nb04.pixel_layer_share((32, 10))
NUMERIC_CHECKS = {
    "2.1": (nb02.check_parameters_with_3d_code, lambda value: value == 5491),
    "3.2": (nb03.check_width_to_match_autoencoder_3, lambda value: value == 33),
    "4.2": (
        nb04.check_pixel_layer_share,
        lambda value: any(abs(share - SHARE) <= nb04.PIXEL_SHARE_TOLERANCE for share in (value, value / 100)),
    ),
}
RIGHT_SPELLINGS = {  # the right answers as a student may write them: each must still pass
    "2.1": [5491, "5,491", " 5 491 ", 5491.0, np.int64(5491), np.array([5491]), Decimal("5491"), Fraction(5491)],
    "3.2": [33, "33", 33.0, np.uint8(33), np.array(33), "３３"],
    "4.2": [SHARE, round(SHARE, 3), "98.6%", 98.58, np.float32(SHARE), str(SHARE)],
}


@pytest.mark.parametrize("exercise", NUMERIC_CHECKS)
@SHORT
@given(data=st.data())
def test_numeric_checks_pass_only_the_right_number(exercise, data):
    check, right = NUMERIC_CHECKS[exercise]
    answer = data.draw(
        st.one_of(ANYTHING, st.integers(0, 60_000), st.floats(0, 100), st.sampled_from(RIGHT_SPELLINGS[exercise]))
    )
    result = assert_result(check(answer))
    if result.passed:
        value = number_of(answer)
        assert value is not None and right(value), answer


@pytest.mark.parametrize("exercise", NUMERIC_CHECKS)
@SHORT
@given(answer=NON_FINITE)
def test_numeric_checks_never_pass_a_non_finite_answer(exercise, answer):
    result = assert_result(NUMERIC_CHECKS[exercise][0](answer))
    assert not result.passed and result.answered


SIZES = st.lists(st.integers(1, 64), max_size=3)


@SHORT
@given(hidden=st.one_of(SIZES, ANYTHING), latent=st.one_of(st.just(2), st.just(3), ANYTHING), data=st.data())
def test_the_parameter_check_of_any_architecture(hidden, latent, data):
    valid = model_checks.architecture_problem(hidden, latent) is None
    right = st.just(models.expected_parameter_count(hidden, latent)) if valid else st.nothing()
    answer = data.draw(st.one_of(ANYTHING, st.integers(0, 10**6), right))
    result = assert_result(nb02.check_parameter_count(answer, hidden, latent))
    if result.passed:
        assert number_of(answer) == models.expected_parameter_count(hidden, latent)


# ---------------------------------------------------------------------------------------------
# Exercises 3.1 and 4.1: Keras models
# ---------------------------------------------------------------------------------------------


def _sequential(shape, *layers):
    return keras.Sequential([keras.Input(shape), *layers])


def _nan_weights(model):
    model.set_weights([np.full_like(weight, np.nan) for weight in model.get_weights()])
    return model


def _two_inputs():
    first, second = keras.Input((784,)), keras.Input((784,))
    merged = keras.layers.Concatenate()([first, second])
    return keras.Model([first, second], keras.layers.Dense(2)(keras.layers.Dense(10, activation="relu")(merged)))


class _Subclassed(keras.Model):
    def call(self, inputs):
        return inputs


@cache
def keras_objects() -> dict[str, object]:
    """A right encoder and decoder and many wrong models and Keras objects, built once per session."""
    Dense = keras.layers.Dense
    article = models.build_article_model("Autoencoder_3")
    return {
        "right encoder": _sequential((784,), Dense(10, activation="relu"), Dense(2)),
        "right decoder": _sequential(
            (2,), Dense(10, activation="relu"), Dense(32, activation="relu"), Dense(784, activation="sigmoid")
        ),
        "NaN encoder": _nan_weights(_sequential((784,), Dense(10, activation="relu"), Dense(2))),
        "NaN decoder": _nan_weights(
            _sequential((2,), Dense(10, activation="relu"), Dense(32, activation="relu"), Dense(784, activation="sigmoid"))
        ),
        "no input": keras.Sequential([Dense(10, activation="relu"), Dense(2)]),
        "only an input": _sequential((784,)),
        "image input": _sequential((28, 28), Dense(10, activation="relu"), Dense(2)),
        "no Dense": _sequential((784,), keras.layers.Flatten()),
        "two inputs": _two_inputs(),
        "whole autoencoder": article.autoencoder,
        "course Autoencoder": article,
        "nested": keras.Sequential([keras.Input((784,)), _sequential((784,), Dense(10, activation="relu"), Dense(2))]),
        "subclassed": _Subclassed(),
        "a Dense layer": Dense(2),
        "the Sequential class": keras.Sequential,
        "a tensor": keras.ops.zeros((3, 784)),
    }


MODEL_NAMES = [
    "right encoder", "right decoder", "NaN encoder", "NaN decoder", "no input", "only an input", "image input", "no Dense",
    "two inputs", "whole autoencoder", "course Autoencoder", "nested", "subclassed", "a Dense layer",
    "the Sequential class", "a tensor",
]  # fmt: skip
MODEL_CHECKS = {
    "3.1": (nb03.check_encoder_2, ("right encoder", "nested")),  # an encoder inside a Sequential is still right
    "4.1": (nb04.check_decoder_3, ("right decoder",)),
}


def test_the_keras_objects_are_the_ones_named():
    assert sorted(keras_objects()) == sorted(MODEL_NAMES)


@pytest.mark.parametrize("exercise", MODEL_CHECKS)
@FEW
@given(name=st.sampled_from(MODEL_NAMES))
def test_model_checks_pass_only_the_right_model(exercise, name):
    check, right = MODEL_CHECKS[exercise]
    result = assert_result(check(keras_objects()[name]))
    assert result.passed is (name in right), (name, str(result))


@pytest.mark.parametrize("exercise", MODEL_CHECKS)
@SHORT
@given(model=ANYTHING)
def test_model_checks_explain_anything_that_is_not_a_model(exercise, model):
    result = assert_result(MODEL_CHECKS[exercise][0](model))
    assert not result.passed


@FEW
@given(model=st.one_of(ANYTHING, st.sampled_from(MODEL_NAMES).map(lambda name: keras_objects()[name])), hidden=ANYTHING)
def test_the_general_model_checks_explain_any_architecture(model, hidden):
    for check in (model_checks.check_encoder, model_checks.check_decoder):
        assert not assert_result(check(model, hidden)).passed or model_checks.architecture_problem(hidden) is None
    assert not assert_result(model_checks.check_dense_model(model, hidden, "Model")).passed


# ---------------------------------------------------------------------------------------------
# Exercise 4.3: the depth experiment
# ---------------------------------------------------------------------------------------------

SCORES = st.one_of(st.floats(0, 1), st.floats(0, 1), st.sampled_from([0.25, 0.5, NAN, INF, -INF]), ANYTHING)


@st.composite
def explorer_runs(draw) -> list:
    """Up to four runs, often a fair pair, with scores that may be NaN, infinite, tied or not numbers at all."""
    count = draw(st.sampled_from([2, 3, 4, 0, 1]))
    return [
        depth_explorer.ExplorerRun(
            number,
            tuple(draw(SIZES)),
            draw(st.sampled_from(["linear", "linear", "relu"])),
            draw(st.sampled_from([5, 5, 1])),
            1000,
            {name: draw(SCORES) for name in draw(st.sampled_from([("knn_accuracy", "bce"), ("knn_accuracy",), ()]))},
        )
        for number in range(1, count + 1)
    ]


EXPLORERS = st.one_of(
    ANYTHING,
    ANYTHING.map(lambda runs: SimpleNamespace(runs=runs)),
    *[explorer_runs().map(lambda runs: SimpleNamespace(runs=runs))] * 3,
)
METRICS = st.one_of(st.just("knn_accuracy"), st.just("bce"), ANYTHING)


def runs_of(explorer: object) -> list:
    runs = getattr(explorer, "runs", None)
    return [run for run in runs if isinstance(run, depth_explorer.ExplorerRun)] if isinstance(runs, list) else []


@SHORT
@given(explorer=EXPLORERS, data=st.data())
def test_exercise_4_3_passes_only_a_finite_best_run_of_a_fair_comparison(explorer, data):
    metric = data.draw(METRICS)
    best_run = data.draw(st.one_of(st.integers(-1, 5), ANYTHING, *(st.just(run.number) for run in runs_of(explorer))))
    result = assert_result(nb04.check_depth_experiment(explorer, best_run, metric))
    if result.passed:
        runs = explorer.runs
        assert nb04.fair_depth_pairs(runs)
        scores = [number_of(run.scores.get(metric)) for run in runs]
        finite = [score for score in scores if score is not None]
        chosen = scores[int(number_of(best_run)) - 1]
        assert chosen is not None and chosen == (min if metric == "bce" else max)(finite)


# ---------------------------------------------------------------------------------------------
# Widgets: the questions, the architecture builder, the depth explorer
# ---------------------------------------------------------------------------------------------


@cache
def question_widgets():
    return questions.dense_layer_question(), questions.latent_point_question()


@SHORT
@given(text=st.one_of(NUMBER_TEXT, st.text(max_size=30)))
def test_the_numeric_question_answers_any_text(text):
    numeric, _ = question_widgets()
    message = numeric.submit(text)
    assert isinstance(message, str) and numeric.feedback.value
    if numeric.correct:
        assert number_of(text) == 25_120


@SHORT
@given(value=ANYTHING)
def test_questions_assess_anything(value):
    numeric, choice = question_widgets()
    for question in (numeric, choice):
        correct, message = question.assess(value)
        assert correct in (True, False, None) and isinstance(message, str) and message
    assert not numeric.assess(value)[0] or number_of(value) == numeric.answer
    assert not choice.assess(value)[0] or value == choice.answer


TOKENS = st.one_of(
    st.integers(-5, 2000).map(str),
    st.sampled_from([str(10**100), "9" * 300, str(2**63), "-" + str(10**30)]),
    st.floats().map(repr),
    st.sampled_from(["ten", "１０", "²", "nan", "1e3", "", " ", "0x10", "784", "2"]),
)
SIZES_TEXT = st.one_of(
    st.lists(TOKENS, max_size=12).flatmap(
        lambda tokens: st.sampled_from([",", ", ", ",,", " ", ";", "-", "--"]).map(lambda separator: separator.join(tokens))
    ),
    st.text(max_size=40),
    st.sampled_from(["32,,10", "[32, 10]", "784-32-10-2-10-32-784", "9" * 5000, str(10**400)]),
)


def valid_sizes(hidden) -> bool:
    return len(hidden) < architecture_builder.MAX_DEPTH and all(
        1 <= units <= architecture_builder.MAX_UNITS for units in hidden
    )


@cache
def builder():
    return architecture_builder.ArchitectureBuilder()


@SHORT
@given(text=SIZES_TEXT, layers=st.one_of(st.integers(-3, 14), HUGE_INTEGERS))
def test_the_builder_answers_any_sizes_and_layer_count(text, layers):
    widget = builder()
    for control, value in ((widget.sizes, text), (widget.layers, layers)):
        control.value = value
        hidden = widget.hidden_units
        event("valid sizes" if hidden is not None else "impossible sizes")
        assert widget.message.value or hidden is not None
        assert hidden is None or (valid_sizes(hidden) and f"{widget.parameter_count:,} parameters" in widget.summary.value)
        assert widget.snapshot_text()


@FEW
@given(
    hidden=st.one_of(st.none(), SIZES, SIZES_TEXT, ANYTHING),
    activation=st.one_of(st.none(), st.sampled_from(depth_explorer.LATENT_ACTIVATIONS), ANYTHING),
    epochs=st.one_of(st.none(), st.integers(-2, 102), ANYTHING),
)
def test_the_explorer_answers_any_settings_and_trains_only_valid_ones(recording_explorer, hidden, activation, epochs):
    explorer = recording_explorer
    explorer.trained.clear()
    assert explorer.run(hidden, activation, epochs) is None
    assert explorer.status.value and explorer.architecture.value and explorer.runs == []
    event(f"trained {len(explorer.trained)}")
    for sizes, code, passes in explorer.trained:
        assert valid_sizes(sizes) and code in depth_explorer.LATENT_ACTIVATIONS and 1 <= passes <= depth_explorer.MAX_EPOCHS


@FEW
@given(text=SIZES_TEXT)
def test_the_explorer_sizes_box_answers_any_text(recording_explorer, text):
    explorer = recording_explorer
    explorer.trained.clear()
    explorer.sizes.value = text
    explorer.train_button.click()
    assert explorer.architecture.value and explorer.status.value
    assert all(valid_sizes(sizes) for sizes, _, _ in explorer.trained)
    assert explorer.snapshot_text()


def test_after_all_that_the_explorer_still_trains(recording_explorer):
    """One real, tiny training: the odd input above left the controls usable."""
    explorer = recording_explorer
    del explorer._train
    try:
        run = explorer.run(hidden_units=(4,), latent_activation="linear", epochs=1)
    finally:
        explorer._train = explorer.record
    assert run is not None and run.hidden_units == (4,) and math.isfinite(run.scores["knn_accuracy"])


@SHORT
@given(explorer=ANYTHING, best_run=ANYTHING)
def test_exercise_4_3_explains_any_explorer_and_best_run(explorer, best_run):
    assert not assert_result(nb04.check_depth_experiment(explorer, best_run)).passed


# ---------------------------------------------------------------------------------------------
# Every check of the registry is fed arbitrary answers somewhere
# ---------------------------------------------------------------------------------------------


def _given(function: ast.FunctionDef) -> bool:
    """Whether a test function is a Hypothesis test (decorated with ``@given(...)``)."""
    return any(
        isinstance(decorator, ast.Call) and getattr(decorator.func, "id", getattr(decorator.func, "attr", "")) == "given"
        for decorator in function.decorator_list
    )


def fed_by_hypothesis(path: Path) -> set[str]:
    """The names the Hypothesis tests of a test file use, in their bodies and decorators or through the
    file's own functions and tables they use (``NUMERIC_CHECKS``, a helper such as ``_check_2_2``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            top |= {target.id: node for target in targets if isinstance(target, ast.Name)}
    todo = [node for node in top.values() if isinstance(node, ast.FunctionDef) and _given(node)]
    seen: set[str] = set()
    while todo:
        for sub in ast.walk(todo.pop()):
            name = sub.attr if isinstance(sub, ast.Attribute) else sub.id if isinstance(sub, ast.Name) else None
            if name is not None and name not in seen:
                seen.add(name)
                todo += [top[name]] if name in top else []
    return seen


def test_every_check_of_the_registry_is_fed_arbitrary_answers():
    """A new exercise's check needs a Hypothesis test in a test file (CONTRIBUTING.md, "Add an exercise")."""
    from test_registry import where_to_test

    from course_utils.exercises import registry

    fed = set().union(*(fed_by_hypothesis(path) for path in Path(__file__).parent.glob("test_*.py")))
    missing = []
    for exercise in registry.all_exercises():
        for call in exercise.calls:
            module, name = call.function.__module__, call.function.__name__
            if call.is_check and name not in fed:
                alias = module.rpartition(".")[2]
                missing.append(
                    f"exercise {exercise.number}: {alias}.{name} is fed no arbitrary answers. Add to "
                    f"{where_to_test(module)} a Hypothesis test that passes it anything a student can, e.g.\n"
                    f"    @FEW  # FEW and ODD: from strategies import FEW, ODD (tests/strategies.py)\n"
                    f"    @given(answer=ODD)\n"
                    f"    def test_{exercise.number.replace('.', '_')}_explains_any_answer(answer):\n"
                    f"        result = {alias}.{name}(answer, ...)  # the other arguments as the notebook passes them\n"
                    f"        assert isinstance(result, CheckResult) and str(result)"
                )
    assert not missing, "\n".join(missing)
