"""The question widgets, driven as a student would: set values, press buttons, read the feedback."""

import math
import re
from pathlib import Path

import numpy as np
import pytest

from course_utils.exercises import feedback, questions, widgets

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


# ---------------------------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def numeric():
    return questions.dense_layer_question()


@pytest.fixture
def choice():
    return questions.latent_point_question()


def test_numeric_question_right_answer(numeric):
    numeric.input.value = "25,120"
    numeric.button.click()
    assert numeric.correct is True
    assert "Right." in numeric.feedback.value and "784 × 32 weights + 32 biases" in numeric.feedback.value
    assert numeric.submit("25120") and numeric.correct


@pytest.mark.parametrize(
    "answer, message",
    [
        ("25088", "weights only"),
        ("25872", "one bias per unit (32), not one per input"),
        ("816", "multiply 784 × 32"),
        ("25905", "not (784 + 1) × (32 + 1)"),
        ("30000", "too high. Each of the 32 units"),
        ("100", "too low"),
    ],
)
def test_numeric_question_wrong_answers_get_specific_feedback(numeric, answer, message):
    assert message in numeric.submit(answer)
    assert numeric.correct is False
    assert "Not yet." in numeric.feedback.value and feedback.WRONG_COLOUR in numeric.feedback.value


@pytest.mark.parametrize(
    "answer, message", [("", "Type your answer"), ("   ", "Type your answer"), ("lots", "not a number")]
)
def test_numeric_question_bad_input_is_a_message(numeric, answer, message):
    assert message in numeric.submit(answer)
    assert numeric.correct is None and "Not yet" not in numeric.feedback.value


def test_a_failing_check_is_a_message_not_a_traceback(numeric, monkeypatch):
    def broken(value):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(numeric, "assess", broken)
    numeric.submit("1")
    assert "Could not check this answer (boom)" in numeric.feedback.value


def test_multiple_choice_needs_a_choice_first(choice):
    choice.button.click()
    assert choice.correct is None and "Choose one of the answers first" in choice.feedback.value


def test_multiple_choice_every_choice_has_its_own_feedback(choice):
    messages = set()
    for option in choice.choices:
        messages.add(choice.submit(option))
        assert choice.correct is (option == choice.answer)
    assert len(messages) == len(choice.choices)
    choice.submit("One pixel of an image")
    assert "one of the 784 inputs" in choice.feedback.value
    choice.submit(choice.answer)
    assert "Right." in choice.feedback.value and "never saw" in choice.feedback.value


def test_multiple_choice_refuses_an_answer_that_is_not_a_choice():
    with pytest.raises(ValueError, match="not one of the choices"):
        widgets.MultipleChoice("?", {"a": "", "b": ""}, answer="c")
    with pytest.raises(ValueError, match="at least two"):
        widgets.MultipleChoice("?", {"a": ""}, answer="a")


def test_questions_render_statically(numeric, choice):
    assert "784 inputs to 32 units" in numeric.header_html() and "Exercise 2.3a" in numeric.header_html()
    for question in (numeric, choice):
        bundle = question.mimebundle()
        assert WIDGET_VIEW in bundle and bundle["text/html"] and bundle["text/plain"]
    assert all(option in choice.mimebundle()["text/html"] for option in choice.choices)
    assert "what is one point" in choice.header_html()


def test_display_shows_a_static_header_beside_the_live_widget(choice):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as captured:
        display(choice)
    header, live = captured.outputs
    assert "what is one point" in header.data["text/html"] and WIDGET_VIEW not in header.data
    assert WIDGET_VIEW in live.data and "One pixel of an image" in live.data["text/html"]


@pytest.mark.parametrize(
    "value",
    [[1], {}, {"a": 1}, pytest.param(np.array([1, 2]), id="array"), set(), b"x", pytest.param(10**400, id="10**400"), ...],
)
def test_multiple_choice_explains_any_value(choice, value):
    correct, message = choice.assess(value)
    assert correct is None and "not one of the choices" in message and len(message) < 200


@pytest.mark.parametrize(
    "value",
    ["nope", "one pixel of an image", 3, 2.5, True, ["One pixel of an image"], pytest.param(np.array([1, 2]), id="array")],
)
def test_multiple_choice_submit_of_a_value_that_is_not_a_choice_is_a_message(choice, value):
    choice.submit(choice.answer)
    message = choice.submit(value)
    assert "not one of the choices" in message and f"one of the {len(choice.choices)} answers" in message
    assert choice.correct is None and message in widgets.html_text(choice.feedback.value)
    assert "Not yet" not in choice.feedback.value and "Right" not in choice.feedback.value
    assert choice.input.value is None  # the control does not go on showing the previous answer


@pytest.mark.parametrize(
    "value, message",
    [
        (float("nan"), "NaN"),
        (math.inf, "not a finite number"),
        ([25120], "not the list"),
        (None, "not NoneType"),
        (True, "yes/no value"),
        pytest.param(np.array([25120, 1]), "an array of shape (2,)", id="array"),
    ],
)
def test_numeric_question_submit_of_a_value_that_is_not_text_is_a_message(numeric, value, message):
    numeric.submit("25120")
    answer = numeric.submit(value)
    assert message in answer and numeric.correct is None and answer in widgets.html_text(numeric.feedback.value)
    assert numeric.input.value == ""  # the box does not go on showing the previous answer


@pytest.mark.parametrize("value", [25120, 25120.0, np.int64(25120)])
def test_numeric_question_submit_of_a_number_checks_it(numeric, value):
    assert "784 × 32 weights" in numeric.submit(value) and numeric.correct is True
    assert "weights only" in numeric.submit(value - 32) and numeric.correct is False


@pytest.mark.parametrize(
    "text, message",
    [
        (str(10**400), "too large"),
        ("1e400", "too large"),
        ("-1e400", "too large"),
        ("9" * 5000, "too large"),
        ("inf", "not a finite number"),
        ("nan", "NaN"),
        ("x" * 10**5, "not a number"),
    ],
    ids=["10**400", "1e400", "-1e400", "5000 nines", "inf", "nan", "long text"],
)
def test_numeric_question_explains_huge_and_non_finite_text(numeric, text, message):
    assert message in numeric.submit(text)
    assert numeric.correct is None and "Not yet" not in numeric.feedback.value
    assert len(numeric.feedback.value) < 300


@pytest.mark.parametrize(
    "value", [pytest.param(10**400, id="10**400"), np.array([25120, 1]), [25120], None, b"25120", complex(25120)]
)
def test_numeric_question_assess_explains_values_that_are_not_text(numeric, value):
    correct, message = numeric.assess(value)
    assert correct is None and message


def test_questions_give_their_question_and_choices_as_static_text_without_the_answer(numeric, choice):
    text, markup = choice.static_text(), choice.static_html()
    assert text.startswith("Exercise 2.3b. In the latent-space plot") and "Check" in text
    assert re.findall(r"<li>(.*?)</li>", markup) == list(choice.choices)  # every choice, none marked
    assert not any(feedback in text for feedback in choice.choices.values()) and "Right" not in text
    assert "784 inputs to 32 units" in numeric.static_text() and "Answer" in numeric.static_text()
    assert "25,120" not in numeric.static_text() and numeric.hint not in numeric.static_text()
    assert widgets.LIVE_NOTE not in markup and widgets.LIVE_NOTE in choice.header_html()


def test_static_text_does_not_change_with_an_answer(numeric, choice):
    before = numeric.static_html(), choice.static_html()
    numeric.submit("25120")
    choice.submit(choice.answer)
    assert (numeric.static_html(), choice.static_html()) == before


def test_display_stores_the_static_text_with_the_header(choice):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as captured:
        display(choice)
    header, live = captured.outputs
    stored = {"text/html": choice.static_html(), "text/plain": choice.static_text()}
    assert header.metadata == {widgets.STATIC_KEY: stored} and widgets.STATIC_KEY not in live.metadata


def test_the_student_book_shows_the_stored_text_and_one_note_instead_of_the_widget(choice):
    import importlib.util

    import nbformat
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    extension = Path(__file__).resolve().parents[1] / "book" / "_ext" / "course_book.py"
    spec = importlib.util.spec_from_file_location("course_book", extension)
    course_book = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course_book)
    InteractiveShell.instance()
    with capture_output() as captured:
        display(choice)
    outputs = [nbformat.v4.new_output("display_data", data=out.data, metadata=out.metadata) for out in captured.outputs]
    cell = nbformat.v4.new_code_cell("questions.latent_point_question()", outputs=outputs)
    (shown,) = course_book.student_view(nbformat.v4.new_notebook(cells=[cell])).cells[0].outputs
    page = shown.data["text/html"]
    assert WIDGET_VIEW not in shown.data and widgets.STATIC_KEY not in shown.metadata
    assert page.startswith(choice.static_html()) and page.count("course-widget-note") == 1
    assert widgets.LIVE_NOTE not in page and all(option in page for option in choice.choices)


def test_controls_list_names_each_control_once():
    markup = widgets.controls_list_html([("epochs:", "from 1 to 100"), ("code activation:", "one of <code>relu</code>")])
    assert widgets.html_text(markup).splitlines() == ["Controls:", "epochs: from 1 to 100", "code activation: one of relu"]
