"""What every exercise widget shares, and the two kinds of question: numeric and multiple choice.

A notebook shows a widget by making it the last expression of a cell. Each widget then shows two
outputs:

1. a static header in plain HTML (the question, or what to do), which any notebook viewer and the
   static book render as it is. Its output metadata (:data:`STATIC_KEY`) also stores the widget as
   static text, :meth:`CourseWidget.static_html`: the question or instructions and the controls (a
   question's choices, an explorer's settings with their ranges), never an answer or a result.
   The student edition of the book shows that text where the live widget cannot run;
2. the live ipywidgets controls. Their output also carries an HTML rendering of the widget's state
   at display time, which viewers without widget support (GitHub, nbviewer) show instead of an
   empty box; the instructor edition of the book renders the widget from the state that nbclient saved.

Every handler catches bad input and shows a message inside the widget: a student never sees a
traceback. Tests drive the widgets by setting ``.value`` on the controls and calling
``button.click()``.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Mapping, Sequence

import ipywidgets
import pandas as pd
from matplotlib.figure import Figure

from course_utils.exercises.feedback import fix_html, message_html, note_html, parse_number, right_html, shown

STATIC_KEY = "course_widget"  # output metadata of a widget's header: its static text, by MIME type
LIVE_NOTE = (
    "Needs a running notebook: in a book the controls below are a snapshot. Run the notebook in JupyterLab to use them."
)


FIGURE_DPI = 72  # a 6.4-inch Matplotlib figure becomes 460 px: it fits a notebook's output area


def figure_png(figure: Figure, dpi: int = FIGURE_DPI) -> bytes:
    """A Matplotlib figure as PNG bytes, for an ipywidgets ``Image``."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def field_options(description: str) -> dict[str, object]:
    """Keyword arguments for a text, number or drop-down control: its whole description, then a box wide enough to read.

    ipywidgets cuts a description at 80 px; ``description_width="initial"`` shows all of it, and the
    box gets what is left of the control's width. A control set narrower than its description (the
    depth explorer's "hidden layers (with the code):" at 16em) leaves the box no width at all, so it
    shows no number. ``max-content`` makes the control as wide as its description plus the box's own
    width in the browser, whatever the font.
    """
    return {
        "description": description,
        "style": {"description_width": "initial"},
        "layout": ipywidgets.Layout(width="max-content"),
    }


def field_row(*controls: ipywidgets.Widget) -> ipywidgets.HBox:
    """Controls side by side, going on to the next line when the notebook is too narrow for all of them."""
    return ipywidgets.HBox(list(controls), layout=ipywidgets.Layout(flex_flow="row wrap"))


def html_text(markup: str) -> str:
    """HTML as plain text: one line per paragraph, list item or table row, without styles or tags."""
    text = re.sub(r"<style.*?</style>", "", markup, flags=re.S)
    text = re.sub(r"</t[dh]>\s*", "  ", re.sub(r"</(li|p|div)>", "\n", text))  # a table row on one line
    text = re.sub(r"<[^>]+>", "", text)
    return "\n".join(line.strip() for line in html.unescape(text).splitlines() if line.strip())


def controls_list_html(rows: Sequence[tuple[str, str]]) -> str:
    """A widget's controls as a static list: each control's label (as the widget shows it) and what it takes.

    ``rows`` pairs a label with HTML saying what the control takes and where it starts.
    """
    items = "".join(f"<li><strong>{html.escape(label.rstrip(': '))}</strong>: {what}</li>" for label, what in rows)
    return f"<p>Controls:</p><ul>{items}</ul>"


def html_table(frame: pd.DataFrame, uuid: str, right: Sequence[str] = (), formats: Mapping | None = None):
    """A pandas ``Styler`` of ``frame`` without its index, ``right`` columns right-aligned.

    ``uuid`` names the table in its CSS; call ``.to_html()`` on the result, after adding any highlights.
    """
    styles = {column: [{"selector": "td", "props": "text-align:right"}] for column in right}
    return frame.style.hide(axis="index").format(formats or {}, na_rep="").set_table_styles(styles).set_uuid(uuid)


class CourseWidget:
    """Common display logic: a static header above the live controls, with a static fallback.

    Subclasses set ``box`` (the ipywidgets container) and implement :meth:`intro_html`,
    :meth:`controls_html` and :meth:`snapshot_html`.
    """

    box: ipywidgets.Box

    def intro_html(self) -> str:
        """The question, or what the widget does and what to do with it, as static HTML."""
        raise NotImplementedError

    def controls_html(self) -> str:
        """The controls as static HTML: what a reader can choose or set, and where each stands when shown.

        Never an answer, a verdict or a result: it stands for the widget where it cannot run.
        """
        raise NotImplementedError

    def header_html(self) -> str:
        """The static header shown above the controls: the intro and a note that they need a running notebook."""
        return self.intro_html() + note_html(LIVE_NOTE)

    def static_html(self) -> str:
        """The widget as static HTML, for a page where it cannot run: its intro and its controls."""
        return self.intro_html() + self.controls_html()

    def static_text(self) -> str:
        """:meth:`static_html` as plain text."""
        return html_text(self.static_html())

    def snapshot_html(self) -> str:
        """The widget's current state as static HTML, for viewers without widget support."""
        raise NotImplementedError

    def snapshot_text(self) -> str:
        """The widget's current state as plain text."""
        return html_text(self.snapshot_html())

    def mimebundle(self) -> dict[str, object]:
        """The live widget's output: the widget view plus the static HTML and text fallbacks."""
        bundle = dict(self.box._repr_mimebundle_() or {})
        bundle["text/html"] = self.snapshot_html()
        bundle["text/plain"] = self.snapshot_text()
        return bundle

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        static = {"text/html": self.static_html(), "text/plain": self.static_text()}
        display(HTML(self.header_html()), metadata={STATIC_KEY: static})
        display(self.mimebundle(), raw=True)


class Question(CourseWidget):
    """A question with an input, a Check button and feedback; subclasses say how to assess an answer."""

    input: ipywidgets.ValueWidget

    def __init__(self, prompt: str, title: str) -> None:
        self.prompt = prompt
        self.title = title
        self.button = ipywidgets.Button(description="Check", button_style="primary", icon="check")
        self.feedback = ipywidgets.HTML()
        self.correct: bool | None = None
        self.message = ""
        self.button.on_click(self._on_check)

    def assess(self, value: object) -> tuple[bool | None, str]:
        """``(True, why)`` if right, ``(False, what to fix)`` if wrong, ``(None, what to do)`` without an answer."""
        raise NotImplementedError

    def _on_check(self, _button: ipywidgets.Button | None = None) -> None:
        self._show_assessment(self.input.value)

    def _show_assessment(self, value: object) -> None:
        """Assess ``value`` and show the verdict and its message in the widget."""
        try:
            correct, message = self.assess(value)
        except Exception as error:  # a question must never show a traceback
            correct, message = None, f"Could not check this answer ({error}); try another way of writing it."
        self.correct, self.message = correct, message
        if correct:
            self.feedback.value = right_html(f"Right. {message}")
        elif correct is False:
            self.feedback.value = fix_html(f"Not yet. {message}")
        else:
            self.feedback.value = message_html(message)

    def submit(self, value: object) -> str:
        """Enter ``value``, press Check and return the feedback as plain text.

        A value the control cannot hold (a choice that is not offered, a number or a list for the
        text box) is assessed as given, so its feedback says what to give instead; the control is
        emptied rather than left showing the previous answer.

        Args:
            value: The answer, as a student would enter it or as any Python object.

        Returns:
            str: The feedback message, also shown in the widget.
        """
        try:
            self.input.value = value
        except Exception:  # traitlets' TraitError, or an array's ambiguous comparison with the options
            self.input.value = self.input.trait_defaults("value")
            self._show_assessment(value)
            return self.message
        self.button.click()
        return self.message

    def intro_html(self) -> str:
        return f"<p><strong>{html.escape(self.title)}.</strong> {self.prompt}</p>"


class MultipleChoice(Question):
    """A multiple-choice question whose every wrong choice has its own feedback.

    Args:
        prompt: The question (may contain simple HTML such as ``<code>``).
        choices: Each choice mapped to the feedback shown when it is chosen; the right choice's
            feedback explains why it is right.
        answer: The right choice, one of ``choices``.
        title: Shown in bold before the question.
    """

    def __init__(self, prompt: str, choices: Mapping[str, str], answer: str, title: str = "Question") -> None:
        if answer not in choices:
            raise ValueError(f"the answer {answer!r} is not one of the choices {list(choices)}.")
        if len(choices) < 2:
            raise ValueError("a multiple-choice question needs at least two choices.")
        super().__init__(prompt, title)
        self.choices = dict(choices)
        self.answer = answer
        self.input = ipywidgets.RadioButtons(
            options=list(self.choices), value=None, layout=ipywidgets.Layout(width="max-content")
        )
        self.box = ipywidgets.VBox([self.input, self.button, self.feedback])

    def assess(self, value: object) -> tuple[bool | None, str]:
        if value is None:
            return None, "Choose one of the answers first, then press Check."
        if not isinstance(value, str) or value not in self.choices:
            pick = f"pick one of the {len(self.choices)} answers above, then press Check."
            return None, f"{shown(value)} is not one of the choices: {pick}"
        return value == self.answer, self.choices[value]

    def controls_html(self) -> str:
        return "<p>Choose one answer, then press <strong>Check</strong>:</p>" + self.snapshot_html()

    def snapshot_html(self) -> str:
        items = "".join(f"<li>{html.escape(choice)}</li>" for choice in self.choices)
        return f'<ul style="list-style:circle">{items}</ul>'


class NumericQuestion(Question):
    """A question with a numeric answer; known wrong answers get their own feedback.

    Args:
        prompt: The question (may contain simple HTML such as ``<code>``).
        answer: The right number.
        hint: Shown for a wrong answer that is not one of ``mistakes``.
        mistakes: Wrong answers that follow from a typical mistake, each with what to fix.
        explanation: Shown with a right answer.
        tolerance: How far from ``answer`` a number may be and still count as right.
        title: Shown in bold before the question.
    """

    def __init__(
        self,
        prompt: str,
        answer: float,
        hint: str,
        mistakes: Mapping[float, str] | None = None,
        explanation: str = "",
        tolerance: float = 0.0,
        title: str = "Question",
    ) -> None:
        super().__init__(prompt, title)
        self.answer = answer
        self.hint = hint
        self.mistakes = dict(mistakes or {})
        self.explanation = explanation
        self.tolerance = tolerance
        self.input = ipywidgets.Text(placeholder="type a number", **field_options("Answer:"))
        self.box = ipywidgets.VBox([field_row(self.input, self.button), self.feedback])

    def assess(self, value: object) -> tuple[bool | None, str]:
        if isinstance(value, str) and not value.strip():
            return None, "Type your answer in the box first, then press Check."
        number, problem = parse_number(value)
        if problem is not None or number is None:
            return None, problem or "Type a number."
        if abs(number - self.answer) <= self.tolerance:
            return True, self.explanation
        for wrong, message in self.mistakes.items():
            if abs(number - wrong) <= self.tolerance:
                return False, message
        direction = "too high" if number > self.answer else "too low"
        return False, f"{number:,g} is {direction}. {self.hint}"

    def controls_html(self) -> str:
        return "<p>Type a number in the <strong>Answer</strong> box, then press <strong>Check</strong>.</p>"

    def snapshot_html(self) -> str:
        return "<p>Answer: <code>________</code> [Check]</p>"
