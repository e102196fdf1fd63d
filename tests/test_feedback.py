"""The result of a check, its marks and messages, and the reading of numbers a student types."""

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
