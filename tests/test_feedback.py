"""The result of a check, its marks and messages, and the reading of numbers a student types."""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from course_utils.exercises import feedback
from course_utils.exercises.feedback import CheckResult


def test_a_result_reads_as_text_and_html():
    result = CheckResult("Exercise 9.9", right=["good <part>"], fix=["fix this"])
    assert not result and not result.passed and result.verdict == "not yet"
    assert str(result).splitlines() == ["Exercise 9.9: not yet.", "  ✓ good <part>", "  ✗ fix this"]
    assert "&lt;part&gt;" in result._repr_html_() and feedback.WRONG_COLOUR in result._repr_html_()
    assert CheckResult("x", right=["ok"]).passed
    assert feedback.RIGHT_COLOUR in CheckResult("x", right=["ok"])._repr_html_()


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
