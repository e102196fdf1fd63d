"""The result of a check, its marks and messages, and the reading of numbers a student types."""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import FEW

from course_utils.exercises import feedback
from course_utils.exercises.feedback import CheckResult


def test_a_result_reads_as_text_and_html():
    result = CheckResult("Exercise 9.9", right=["good <part>"], fix=["fix this"])
    assert not result and not result.passed and result.verdict == "not yet"
    assert str(result).splitlines() == ["Exercise 9.9: not yet.", "  ✓ good <part>", "  ✗ fix this"]
    assert "&lt;part&gt;" in result._repr_html_() and feedback.WRONG_COLOUR in result._repr_html_()
    assert CheckResult("x", right=["ok"]).passed
    assert feedback.RIGHT_COLOUR in CheckResult("x", right=["ok"])._repr_html_()


def test_partial_credit_is_the_fraction_of_the_declared_parts_right():
    result = CheckResult("Exercise 9.9", fix=["the seeds: give three"])
    assert result.score == 0.0, "a check that declares no parts gives no partial credit"
    assert result.part("the seeds", False) is False and result.part("the measures", True) is True
    assert result.part("the question", 1) is True
    assert result.parts == {"the seeds": False, "the measures": True, "the question": True}
    assert result.score == pytest.approx(2 / 3)
    result.part("the seeds", True)  # a part declared again keeps its last verdict
    assert result.score == pytest.approx(3 / 4), "a fix outside the declared parts counts as one more wrong part"
    assert str(result).splitlines() == ["Exercise 9.9: not yet.", "  ✗ the seeds: give three"], "parts are never shown"
    assert CheckResult("x", right=["ok"], parts={"a": True, "b": True}).score == 1.0
    assert feedback.not_answered("x").score == 0.0


@FEW
@given(
    right=st.lists(st.just("ok"), max_size=2),
    fix=st.lists(st.just("fix it"), max_size=2),
    answered=st.booleans(),
    done=st.sampled_from(["right", "recorded"]),
    parts=st.dictionaries(st.text(max_size=3), st.booleans(), max_size=6),
)
def test_the_score_is_one_exactly_when_passed_zero_when_not_answered_and_within_0_and_1(right, fix, answered, done, parts):
    result = CheckResult("Exercise 9.9", right=right, fix=fix, answered=answered, done=done, parts=parts)
    assert 0.0 <= result.score <= 1.0 and isinstance(result.score, float)
    assert (result.score == 1.0) == result.passed
    if not answered:
        assert result.score == 0.0
    elif not result.passed and parts and not all(parts.values()):
        assert result.score == pytest.approx(sum(parts.values()) / len(parts))


def test_an_unanswered_result_says_so():
    result = feedback.not_answered("Exercise 9.9")
    assert not result.answered and not result.passed and result.verdict == "not answered yet"
    assert feedback.NOT_ANSWERED in str(result) and feedback.NOTE_COLOUR in result._repr_html_()


@pytest.mark.parametrize(
    "answer, value",
    [(5491, 5491.0), ("5,491", 5491.0), (" 5 491 ", 5491.0), ("98.6%", 0.986), (np.int64(7), 7.0), ("1e3", 1000.0)],
)
def test_numbers_are_read_in_common_spellings(answer, value):
    assert feedback.parse_number(answer)[0] == pytest.approx(value)


@pytest.mark.parametrize(
    "answer, message",
    [("abc", "not a number"), ("", "empty"), (True, "yes/no"), (None, "Give a number"), (float("nan"), "finite")],
)
def test_non_numbers_are_explained(answer, message):
    value, problem = feedback.parse_number(answer)
    assert value is None and message in problem


@pytest.mark.parametrize("answer, value, message", [("5,491", 5491, None), (3.0, 3, None), (2.5, None, "whole")])
def test_whole_numbers(answer, value, message):
    number, problem = feedback.whole_number(answer)
    assert number == value and (message is None) == (problem is None)
    assert message is None or message in problem


def test_messages_are_escaped_and_coloured():
    assert feedback.right_html("a < b").startswith(f'<div style="color:{feedback.RIGHT_COLOUR}">✓ a &lt; b')
    assert feedback.fix_html("x") == f'<div style="color:{feedback.WRONG_COLOUR}">✗ x</div>'
    assert feedback.message_html("note") == f'<div style="color:{feedback.NOTE_COLOUR}">note</div>'
    assert "<em>a &amp; b</em>" in feedback.note_html("a & b")


@pytest.mark.parametrize(
    "answer, message",
    [
        pytest.param(10**400, "too large", id="10**400"),
        pytest.param(-(10**400), "too large", id="-10**400"),
        pytest.param(10**5000, "too large", id="10**5000"),
        (Fraction(10**400, 3), "too large"),
        ("1e400", "too large"),
        pytest.param("9" * 5000, "too large", id="5000 nines"),
        (Decimal("1e400"), "too large"),
        (float("inf"), "not a finite number"),
        ("-inf", "not a finite number"),
        (Decimal("Infinity"), "not a finite number"),
        (float("nan"), "NaN"),
        ("nan", "NaN"),
        (np.float32("nan"), "NaN"),
        (Decimal("NaN"), "NaN"),
        (Decimal("sNaN"), "NaN"),
        (np.array([np.nan]), "NaN"),
        (complex(1, 2), "complex"),
        (np.complex128(5491), "complex"),
        (np.bool_(True), "yes/no"),
        (b"5491", "bytes"),
        (np.array([1, 2]), "one number"),
        (np.empty((0,)), "one number"),
        ([5491], "one number"),
        pytest.param("x" * 10**6, "not a number", id="a million x"),
    ],
)
def test_every_odd_number_is_explained_briefly(answer, message):
    value, problem = feedback.parse_number(answer)
    assert value is None and message in problem
    assert len(problem) < 200, "a message never repeats a huge answer in full"
    number, whole_problem = feedback.whole_number(answer)
    assert number is None and whole_problem


@pytest.mark.parametrize(
    "answer, value",
    [
        (Decimal("5491"), 5491.0),
        (Fraction(5491, 1), 5491.0),
        (np.int64(5491), 5491.0),
        (np.float32(0.5), 0.5),
        (np.array(5491), 5491.0),
        (np.array([5491]), 5491.0),
        (np.array([["98.6%"]]), 0.986),
        ("１０", 10.0),
    ],
)
def test_numbers_in_numpy_and_the_standard_library_are_read(answer, value):
    assert feedback.parse_number(answer) == (pytest.approx(value), None)


def test_a_count_too_large_for_exact_arithmetic_is_refused():
    number, problem = feedback.whole_number(2**53 + 1)
    assert number is None and "too large" in problem
    assert feedback.whole_number(10**15) == (10**15, None)


def test_an_array_that_holds_itself_is_explained():
    array = np.empty(1, dtype=object)
    array[0] = array
    value, problem = feedback.parse_number(array)
    assert value is None and "Give a number" in problem


def test_a_result_with_notes_and_another_done_word_is_neutral():
    result = CheckResult(
        "Exercise 9.9", right=["measured"], notes=["you predicted higher: it did not hold"], done="recorded"
    )
    assert result.passed and result.verdict == "recorded"
    assert str(result).splitlines() == [
        "Exercise 9.9: recorded.",
        "  ✓ measured",
        f"  {feedback.NOTE_MARK} you predicted higher: it did not hold",
    ]
    assert feedback.NOTE_COLOUR in result._repr_html_() and feedback.RIGHT_COLOUR not in result._repr_html_()


def _wrong(title: str = "Exercise 9.9") -> CheckResult:
    return CheckResult(title, fix=["3 is too low."])


def test_the_first_wrong_answer_gets_a_hint_the_second_the_recipe_too():
    feedback.forget_attempts()
    first = feedback.coach(_wrong(), "think of biases", "add 3 + 4")
    assert (first.hint, first.recipe) == ("think of biases", "")
    assert str(first).splitlines()[1:] == [
        "  ✗ 3 is too low.",
        "  → Hint: think of biases",
        f"  → {feedback.RECIPE_LATER}",
    ]
    second = feedback.coach(_wrong(), "think of biases", "add 3 + 4")
    assert second.recipe == "add 3 + 4" and str(second).splitlines()[-1] == "  → How to do it: add 3 + 4"
    assert feedback.wrong_attempts("Exercise 9.9") == 2
    assert "How to do it: add 3 + 4" in second._repr_html_()


def test_right_and_unanswered_results_are_not_counted_and_get_no_hint():
    feedback.forget_attempts()
    right = feedback.coach(CheckResult("Exercise 9.9", right=["ok"]), "hint", "recipe")
    unanswered = feedback.coach(feedback.not_answered("Exercise 9.9"), "hint", "recipe")
    assert not right.hint and not unanswered.hint and "Hint" not in str(right) + str(unanswered)
    assert feedback.wrong_attempts("Exercise 9.9") == 0
    feedback.coach(_wrong(), "hint", "recipe")
    feedback.coach(CheckResult("Exercise 9.9", right=["ok"]), "hint", "recipe")
    assert feedback.coach(_wrong(), "hint", "recipe").recipe == "recipe", "a right answer in between resets nothing"


def test_attempts_are_counted_per_exercise_and_can_be_forgotten():
    feedback.forget_attempts()
    feedback.coach(_wrong("Exercise 1.1"), "hint", "recipe")
    assert not feedback.coach(_wrong("Exercise 2.1"), "hint", "recipe").recipe
    feedback.forget_attempts("Exercise 1.1")
    assert feedback.wrong_attempts("Exercise 1.1") == 0 and feedback.wrong_attempts("Exercise 2.1") == 1


def test_a_coached_check_keeps_its_name_and_counts_its_wrong_answers():
    feedback.forget_attempts()

    @feedback.coached("hint", "recipe")
    def check_something(answer: object) -> CheckResult:
        """A check."""
        return CheckResult("Exercise 9.8", right=["ok"]) if answer == 1 else _wrong("Exercise 9.8")

    assert check_something.__name__ == "check_something" and check_something.__doc__ == "A check."
    assert (check_something.hint, check_something.recipe) == ("hint", "recipe")
    assert check_something(2).hint == "hint" and check_something(2).recipe == "recipe"
    assert check_something(1).passed
