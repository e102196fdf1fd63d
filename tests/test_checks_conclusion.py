"""The checks of notebook 9: measures against what they reward (9.1), a fair experiment's plan (9.2)."""

import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from course_utils import metrics
from course_utils.exercises.checks import nb09
from course_utils.exercises.feedback import CheckResult

RIGHT_LETTERS = {"bce": "B", "mse": "E", "knn_accuracy": "D", "trustworthiness": "A", "silhouette": "C"}
FAIR_PLAN = {
    "question": "Does a 10-number code change what depth buys?",
    "changed": "latent_dim",
    "fixed": ["depth", "epochs", "batch_size", "learning_rate", "optimizer", "data"],
    "measures": ["bce", "knn_accuracy", "trustworthiness"],
    "seeds": [0, 1, 2, 3, 4],
    "chosen_on": "validation",
}


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _plan(**changes):
    plan = dict(FAIR_PLAN)
    for name, value in changes.items():
        if value is None:
            plan.pop(name)
        else:
            plan[name] = value
    return plan


@pytest.mark.parametrize("check", [nb09.check_measure_rewards, nb09.check_experiment_plan])
def test_the_placeholder_is_not_answered_yet(check):
    result = check(...)
    assert not result.answered and not result.passed
    assert "not answered yet" in str(result)


# ---------------------------------------------------------------------------------------------
# Exercise 9.1
# ---------------------------------------------------------------------------------------------


def test_exercise_9_1_right():
    result = nb09.check_measure_rewards(RIGHT_LETTERS)
    assert result.passed, str(result)
    assert "five different questions" in str(result)


def test_exercise_9_1_reads_friendly_names_and_letters():
    answer = {"BCE": " b", "MSE": "e", "kNN accuracy": "d", "Trustworthiness": "A", "silhouette": "c"}
    assert nb09.check_measure_rewards(answer).passed


def test_the_answer_key_is_a_one_to_one_matching():
    assert sorted(nb09.MEASURE_LETTERS.values()) == sorted(nb09.MEASURE_STATEMENTS)
    assert set(nb09.MEASURE_LETTERS) == set(metrics.METRIC_DESCRIPTIONS)


@pytest.mark.parametrize(
    "swap, message",
    [
        (("knn_accuracy", "silhouette"), "whole clusters"),
        (("knn_accuracy", "trustworthiness"), "uses no labels"),
        (("bce", "mse"), "the loss the models were trained with"),
    ],
)
def test_exercise_9_1_names_each_known_confusion(swap, message):
    first, second = swap
    answer = {**RIGHT_LETTERS, first: RIGHT_LETTERS[second], second: RIGHT_LETTERS[first]}
    result = nb09.check_measure_rewards(answer)
    assert result.answered and not result.passed
    assert message in str(result)
    assert len(result.fix) == 2 and len(result.right) == 3


def test_exercise_9_1_never_gives_the_right_letter_away():
    answer = {**RIGHT_LETTERS, "mse": "C", "silhouette": "E"}
    result = nb09.check_measure_rewards(answer)
    wrong = [line for line in result.fix if line.startswith("mse")]
    assert wrong and "E" not in wrong[0].split(":", 1)[1].replace("MSE", "")


@pytest.mark.parametrize(
    "answer, message",
    [
        ({**RIGHT_LETTERS, "mse": "B"}, "B is given to bce and mse"),
        ({name: RIGHT_LETTERS[name] for name in ("bce", "mse", "silhouette")}, "missing: knn_accuracy, trustworthiness"),
        ({**RIGHT_LETTERS, "accuracy": "A"}, "'accuracy' is not one of the measures"),
        ({**RIGHT_LETTERS, "bce": ...}, "bce: not answered yet"),
        ({**RIGHT_LETTERS, "bce": "F"}, "bce: give one of the letters A, B, C, D, E"),
        ({**RIGHT_LETTERS, "bce": 2}, "bce: give one of the letters"),
        ({**RIGHT_LETTERS, "bce": math.nan}, "bce: give one of the letters"),
        ({**RIGHT_LETTERS, "BCE": "B"}, "bce appears twice"),
        ({**RIGHT_LETTERS, 3: "A"}, "3 is not one of the measures"),
        ({}, "missing: bce, mse"),
        (["B", "E", "D", "A", "C"], "Give a dict"),
        ("BEDAC", "Give a dict"),
        (None, "Give a dict"),
        (np.array([1.0, np.inf]), "Give a dict"),
    ],
)
def test_exercise_9_1_explains_any_other_answer(answer, message):
    result = nb09.check_measure_rewards(answer)
    assert not result.passed
    assert message in str(result), str(result)


@pytest.mark.parametrize(
    "changes, score",
    [
        ({}, 1.0),
        ({"bce": "E", "mse": "B"}, 3 / 5),
        ({"silhouette": "D", "knn_accuracy": "C", "bce": "A", "trustworthiness": "B"}, 1 / 5),
        ({"mse": ...}, 4 / 5),  # four given right, one not answered yet
        ({"mse": "B"}, 3 / 5),  # B twice: neither bce nor mse earns its part
        (dict.fromkeys(RIGHT_LETTERS, "A"), 0.0),  # one letter for all: no part, even trustworthiness's A
        ({"mse": "F"}, 4 / 5),
    ],
)
def test_exercise_9_1_each_measure_earns_a_fifth(changes, score):
    result = nb09.check_measure_rewards({**RIGHT_LETTERS, **changes})
    assert result.score == pytest.approx(score), str(result)
    assert set(result.parts) == set(RIGHT_LETTERS)


# ---------------------------------------------------------------------------------------------
# Exercise 9.2
# ---------------------------------------------------------------------------------------------


def test_exercise_9_2_right():
    result = nb09.check_experiment_plan(FAIR_PLAN)
    assert result.passed, str(result)
    assert "latent_dim" in str(result) and "5 seeds" in str(result)


def test_exercise_9_2_reads_other_words_for_the_same_plan():
    plan = _plan(
        changed=["Hidden layers"],
        fixed=("code size", "Epochs", "batch size", "lr", "optimizer", "training images"),
        measures=("MSE", "kNN accuracy"),
        seeds=range(10),
        chosen_on=" Validation split",
    )
    assert nb09.check_experiment_plan(plan).passed, str(nb09.check_experiment_plan(plan))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"changed": ["latent_dim", "depth"]}, "change one thing at a time; you change 2"),
        ({"changed": "seed"}, "seeds are repeats of each run"),
        ({"changed": ""}, "name the one setting you change"),
        ({"changed": 2}, "name the one setting you change"),
        ({"fixed": ["depth", "epochs"]}, "also hold batch_size, learning_rate, optimizer, data fixed"),
        ({"fixed": [*FAIR_PLAN["fixed"], "latent_dim"]}, "latent_dim cannot be both changed and held fixed"),
        ({"fixed": "everything else"}, "fixed: give a list"),
        ({"measures": ["knn_accuracy", "silhouette"]}, "add a reconstruction measure"),
        ({"measures": ["bce", "mse"]}, "add a latent measure"),
        ({"measures": ["accuracy"]}, "'accuracy' is not a measure of the course"),
        ({"measures": []}, "add a reconstruction measure"),
        ({"seeds": [42]}, "1 seed cannot show a spread"),
        ({"seeds": [0, 1]}, "2 seeds cannot show a spread"),
        ({"seeds": [0, 0, 1]}, "a seed given twice"),
        ({"seeds": 3}, "give the list of seeds"),
        ({"seeds": [0, 1, math.nan]}, "nan is not a seed"),
        ({"seeds": [0, 1, math.inf]}, "inf is not a seed"),
        ({"seeds": [0, 1, 2.5]}, "2.5 is not a seed"),
        ({"seeds": [0, 1, True]}, "True is not a seed"),
        ({"seeds": [0, 1, -2]}, "-2 is negative"),
        ({"seeds": range(10**9)}, "give the list of seeds"),
        ({"chosen_on": "test"}, "choices made on the test images"),
        ({"chosen_on": "training"}, "the training loss rewards"),
        ({"chosen_on": None}, "no field 'chosen_on'"),
        ({"chosen_on": 0.2}, "say which images decide"),
        ({"question": "depth?"}, "write the question"),
        ({"question": 42}, "write the question"),
        ({"question": ...}, "not answered yet: question"),
        ({"measure": ["bce"], "measures": None}, "'measure': not a field of the plan"),
    ],
)
def test_exercise_9_2_names_each_flaw(changes, message):
    result = nb09.check_experiment_plan(_plan(**changes))
    assert not result.passed
    assert message in str(result), str(result)


def test_exercise_9_2_names_every_flaw_at_once():
    plan = _plan(changed=["depth", "epochs"], seeds=[1], chosen_on="test", measures=["bce"])
    text = str(nb09.check_experiment_plan(plan))
    for message in ("one thing at a time", "cannot show a spread", "test images", "latent measure"):
        assert message in text


@pytest.mark.parametrize("plan", [None, [], "a plan", 3.5, math.nan, np.zeros(3), {"question", "changed"}])
def test_exercise_9_2_explains_what_is_not_a_plan(plan):
    result = nb09.check_experiment_plan(plan)
    assert not result.passed and result.answered
    assert "Give the plan as a dict" in str(result)


@pytest.mark.parametrize(
    "changes, score",
    [
        ({}, 1.0),
        ({"seeds": [1]}, 5 / 6),
        ({"seeds": [1], "chosen_on": "test"}, 4 / 6),
        ({"question": ...}, 5 / 6),  # the fields given still count
        ({"chosen_on": None}, 5 / 6),  # a missing field earns nothing
        ({"statistics": "Welch"}, 6 / 7),  # every field right, but one that is not a field: never full points
        ({name: None for name in nb09.PLAN_FIELDS}, 0.0),
    ],
)
def test_exercise_9_2_each_field_earns_a_sixth(changes, score):
    result = nb09.check_experiment_plan(_plan(**changes))
    assert result.score == pytest.approx(score), str(result)
    assert set(result.parts) == set(nb09.PLAN_FIELDS)


def test_an_empty_plan_names_every_field():
    text = str(nb09.check_experiment_plan({}))
    for name in nb09.PLAN_FIELDS:
        assert f"no field '{name}'" in text


# ---------------------------------------------------------------------------------------------
# Anything a student can pass (tests/test_exercise_properties.py does the same for the other checks)
# ---------------------------------------------------------------------------------------------

# As in test_exercise_properties.py: Hypothesis keeps its files out of the checkout.
set_hypothesis_home_dir(Path(os.environ.get("XDG_CACHE_HOME", tempfile.gettempdir())) / "hypothesis")
SHORT = settings(max_examples=150, deadline=None, derandomize=True, database=None)
ODD = st.one_of(
    st.none(),
    st.just(Ellipsis),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(["\ud800", "nan", "", "  ", "x" * 500, b"bce", 1j, math.inf, -math.inf]),
    st.sampled_from([np.float64("nan"), np.array([math.inf]), np.zeros((2, 2)), np.str_("B")]),
)
ODD_COLLECTIONS = st.one_of(ODD, st.lists(ODD, max_size=4), st.tuples(ODD, ODD), st.sets(st.integers(-3, 12), max_size=5))
MEASURE_KEYS = st.one_of(st.sampled_from([*RIGHT_LETTERS, "kNN accuracy", "BCE", "accuracy"]), ODD.filter(_hashable))
LETTERS = st.one_of(st.sampled_from([*"ABCDEabcde", " b", "F"]), ODD)
PLAN_VALUES = {
    "question": st.one_of(st.just(FAIR_PLAN["question"]), ODD),
    "changed": st.one_of(st.sampled_from(["latent_dim", "depth", "seed", "width", ["depth"], ["depth", "epochs"]]), ODD),
    "fixed": st.one_of(
        st.just(FAIR_PLAN["fixed"]),
        st.lists(st.sampled_from([*nb09.HELD_SETTINGS, "latent_dim", "lr", "code size"]), max_size=8),
        ODD_COLLECTIONS,
    ),
    "measures": st.one_of(
        st.lists(st.sampled_from([*RIGHT_LETTERS, "knn", "MSE", "accuracy"]), max_size=4), ODD_COLLECTIONS
    ),
    "seeds": st.one_of(
        st.lists(st.integers(-2, 20), max_size=6), st.sampled_from([range(5), range(10**9)]), ODD_COLLECTIONS
    ),
    "chosen_on": st.one_of(st.sampled_from(["validation", "Validation split", "test", "training", "val"]), ODD),
}


def _passes_by_hand(plan: dict) -> bool:
    """An independent reading of a fair plan, for the property test."""
    seeds = plan.get("seeds")
    if not isinstance(seeds, (list, tuple, set, range)) or len(seeds) > 1000:
        return False
    seed_values = [seed for seed in seeds if type(seed) is int and seed >= 0]
    measures = plan.get("measures")
    named = (
        {str(measure).lower().replace(" ", "_") for measure in measures} if isinstance(measures, (list, tuple)) else set()
    )
    return (
        set(plan) == set(nb09.PLAN_FIELDS)
        and len(seed_values) == len(set(seed_values)) == len(seeds) >= 3
        and bool(named & {"bce", "mse"})
        and bool(named & {"knn", "knn_accuracy", "trustworthiness", "silhouette"})
        and isinstance(plan["chosen_on"], str)
        and plan["chosen_on"].strip().lower().startswith("val")
    )


def _assert_result(result: object) -> CheckResult:
    assert isinstance(result, CheckResult)
    assert str(result) and result._repr_html_()
    assert result.passed or result.fix
    assert 0 <= result.score <= 1 and (result.score == 1) == result.passed
    event(result.verdict)
    return result


@st.composite
def near_right(draw, right: dict, values: dict) -> dict:
    """A right answer with some of its entries dropped or replaced by what ``values`` draws."""
    answer = dict(right)
    for name in draw(st.lists(st.sampled_from(sorted(values)), max_size=3, unique=True)):
        if draw(st.booleans()):
            answer.pop(name, None)
        else:
            answer[name] = draw(values[name])
    return answer


@SHORT
@given(
    answer=st.one_of(
        st.dictionaries(MEASURE_KEYS, LETTERS, max_size=7),
        near_right(RIGHT_LETTERS, dict.fromkeys(RIGHT_LETTERS, LETTERS)),
        ODD_COLLECTIONS,
    )
)
def test_exercise_9_1_answers_anything_and_passes_only_the_matching(answer):
    result = _assert_result(nb09.check_measure_rewards(answer))
    if result.passed:
        letters = {str(key).strip().lower().replace(" ", "_"): value.strip().upper() for key, value in answer.items()}
        assert {nb09._measure_name(key): value for key, value in letters.items()} == RIGHT_LETTERS


@SHORT
@given(
    plan=st.one_of(st.fixed_dictionaries({}, optional=PLAN_VALUES), near_right(FAIR_PLAN, PLAN_VALUES)),
    extra=st.booleans(),
)
def test_exercise_9_2_answers_anything_and_passes_only_a_fair_plan(plan, extra):
    if extra:
        plan["statistics"] = "Welch"
    result = _assert_result(nb09.check_experiment_plan(plan))
    if result.passed:
        assert _passes_by_hand(plan), plan
