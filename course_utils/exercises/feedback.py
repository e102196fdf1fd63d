"""What a check says: its result, the marks and colours, the reading of numbers a student types.

This module imports nothing of the course: checks and widgets both build on it.
"""

from __future__ import annotations

import functools
import html
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ParamSpec

import numpy as np

RIGHT_MARK = "✓"
FIX_MARK = "✗"
NOTE_MARK = "•"  # neutral: recorded, not judged (a prediction and whether it held)
HINT_PREFIX = "Hint: "
RECIPE_PREFIX = "How to do it: "
RECIPE_LATER = "Still stuck after another try? The next check also shows how to do it, step by step."
RIGHT_COLOUR, WRONG_COLOUR, NOTE_COLOUR = "#1a7f37", "#b35900", "#57606a"
NOT_ANSWERED = (
    "Not answered yet: replace the ... in the exercise cell above with your answer, run that cell, then run this one again."
)
EXAMPLE = "give a number such as 1234."
LONGEST_SHOWN = 40  # characters of an answer repeated in a message
LARGEST_COUNT = 10**15
VERDICT_COLOURS = {"right": RIGHT_COLOUR, "not yet": WRONG_COLOUR, "not answered yet": NOTE_COLOUR}
_WRONG_ATTEMPTS: dict[str, int] = {}  # exercise title -> wrong answers its check has seen in this kernel
P = ParamSpec("P")


@dataclass
class CheckResult:
    """What a check found: what is right, what to fix, and whether the answer passed.

    Attributes:
        title: Which exercise was checked, for example ``"Exercise 3.1"``.
        right: Things the answer gets right.
        fix: Things to change; empty when the answer is right.
        answered: False while the answer is still the ``...`` placeholder.
        notes: Neutral lines, neither right nor wrong: a recorded prediction and whether it held.
        hint: One conceptual hint, shown with what to fix (see :func:`coach`).
        recipe: The full recipe, shown from the second wrong answer on (see :func:`coach`).
        done: The verdict of a passed result: ``"right"``, or ``"recorded"`` for a prediction.
        parts: The sub-checks a check declared (see :meth:`part`), each named, True when the answer
            got it right: what :attr:`score` gives partial credit for. Empty for a check that
            judges the answer as a whole. The lines a student reads say nothing of them.
    """

    title: str
    right: list[str] = field(default_factory=list)
    fix: list[str] = field(default_factory=list)
    answered: bool = True
    notes: list[str] = field(default_factory=list)
    hint: str = ""
    recipe: str = ""
    done: str = "right"
    parts: dict[str, bool] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when the answer was given and nothing needs fixing."""
        return self.answered and not self.fix

    def part(self, name: str, right: bool) -> bool:
        """Declare a sub-check of the answer, e.g. ``result.part("p-values", p_right)``, for partial credit.

        A check declares each independent part of an exercise it judges (a field of a plan, a
        setting of a callback), whatever its messages say about it; a part declared twice keeps
        its last verdict.

        Args:
            name: What the part judges, unique within the check.
            right: Whether the answer got it right.

        Returns:
            ``right`` as a bool, so that a check can go on from it.
        """
        self.parts[name] = bool(right)
        return self.parts[name]

    @property
    def score(self) -> float:
        """The fraction of the exercise's points earned, from 0 to 1: 1 exactly when the answer passed.

        0 for an answer not given, or not passed by a check that declared no :attr:`parts`;
        otherwise the fraction of the declared parts that are right. A result that has not
        passed while every declared part is right has something wrong outside them (its
        ``fix`` says what), which counts as one more wrong part: it never scores 1.
        """
        if self.passed:
            return 1.0
        if not self.answered or not self.parts:
            return 0.0
        right = sum(self.parts.values())
        return right / (len(self.parts) + (right == len(self.parts)))

    @property
    def verdict(self) -> str:
        """``"right"`` (or what ``done`` says), ``"not yet"`` or ``"not answered yet"``."""
        if not self.answered:
            return "not answered yet"
        return self.done if self.passed else "not yet"

    def __bool__(self) -> bool:
        return self.passed

    def _marked_lines(self) -> list[tuple[str, str]]:
        """Every line after the verdict with its mark: right, neutral, to fix, then the hint and the recipe."""
        lines = [(RIGHT_MARK, line) for line in self.right] + [(NOTE_MARK, line) for line in self.notes]
        lines += [(FIX_MARK, line) for line in self.fix]
        if self.hint and not self.passed:
            lines.append(("→", HINT_PREFIX + self.hint))
        if self.recipe and not self.passed:
            lines.append(("→", RECIPE_PREFIX + self.recipe))
        elif self.hint and not self.passed:
            lines.append(("→", RECIPE_LATER))
        return lines

    def __str__(self) -> str:
        lines = [f"{self.title}: {self.verdict}."]
        lines += [f"  {mark} {line}" for mark, line in self._marked_lines()]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = VERDICT_COLOURS.get(self.verdict, NOTE_COLOUR)
        items = [f'<li style="list-style:none">{mark} {html.escape(line)}</li>' for mark, line in self._marked_lines()]
        return (
            f'<div style="border-left:4px solid {colour};padding:0.3em 0.8em">'
            f'<strong style="color:{colour}">{html.escape(self.title)}: {self.verdict}.</strong>'
            f'<ul style="margin:0.3em 0;padding-left:0.5em">{"".join(items)}</ul></div>'
        )


def not_answered(title: str) -> CheckResult:
    """The result for an answer that is still the ``...`` placeholder."""
    return CheckResult(title, fix=[NOT_ANSWERED], answered=False)


def coach(result: CheckResult, hint: str, recipe: str) -> CheckResult:
    """Count a wrong answer to ``result``'s exercise and add a hint; from the second one on, the recipe too.

    A right answer and an answer not given yet (``...``) are not counted and get neither. The count
    is kept per exercise title for as long as the kernel runs (:func:`forget_attempts` clears it).

    Args:
        result: What the check found.
        hint: One conceptual hint: what to think about, not what to type.
        recipe: The full recipe: the steps, or the code, that give the answer.

    Returns:
        ``result`` itself, with ``hint`` (and from the second wrong answer on ``recipe``) set.
    """
    if result.passed or not result.answered:
        return result
    count = _WRONG_ATTEMPTS[result.title] = _WRONG_ATTEMPTS.get(result.title, 0) + 1
    result.hint = hint
    if count >= 2:
        result.recipe = recipe
    return result


def coached(hint: str, recipe: str) -> Callable[[Callable[P, CheckResult]], Callable[P, CheckResult]]:
    """Make a check :func:`coach` its wrong answers with ``hint``, then ``recipe``; its name and module are kept."""

    def decorate(check: Callable[P, CheckResult]) -> Callable[P, CheckResult]:
        @functools.wraps(check)
        def coached_check(*args: P.args, **kwargs: P.kwargs) -> CheckResult:
            return coach(check(*args, **kwargs), hint, recipe)

        coached_check.hint, coached_check.recipe = hint, recipe  # type: ignore[attr-defined]
        return coached_check

    return decorate


def wrong_attempts(title: str) -> int:
    """How many wrong answers the check of exercise ``title`` has seen in this kernel."""
    return _WRONG_ATTEMPTS.get(title, 0)


def forget_attempts(title: str | None = None) -> None:
    """Forget the wrong answers counted for exercise ``title``, or for every exercise."""
    if title is None:
        _WRONG_ATTEMPTS.clear()
    else:
        _WRONG_ATTEMPTS.pop(title, None)


def shown(answer: object) -> str:
    """``repr(answer)`` cut to a readable length, for a message; it never raises."""
    try:
        text = repr(answer)
    except Exception:  # an int of thousands of digits, or an object whose repr fails
        text = "a number with thousands of digits" if isinstance(answer, int) else f"a {type(answer).__name__}"
    if isinstance(answer, int) and len(text) > LONGEST_SHOWN and text[-1].isdigit():
        return f"a {len(text.lstrip('-')):,}-digit number"
    return text if len(text) <= LONGEST_SHOWN else text[: LONGEST_SHOWN - 1] + "…"


def parse_number(answer: object) -> tuple[float | None, str | None]:
    """Read a number, or text such as ``"25,120"`` or ``"98.6%"``, as ``(value, None)`` or ``(None, problem)``.

    The value is always finite; anything else (NaN, infinity, a number too large for a float, an
    array of several numbers, bytes, ...) gives a problem that says what to type instead.
    """
    if isinstance(answer, (bool, np.bool_)):
        return None, f"{shown(answer)} is a yes/no value, not a number: {EXAMPLE}"
    if isinstance(answer, str):
        return _parse_text(answer)
    if isinstance(answer, np.ndarray):
        return _parse_array(answer)
    if isinstance(answer, (numbers.Real, Decimal)):
        return _parse_real(answer)
    if isinstance(answer, numbers.Complex):
        return None, f"{shown(answer)} is a complex number: give a real number such as 1234."
    if isinstance(answer, (bytes, bytearray)):
        return None, f"{shown(answer)} is bytes, not a number: type the number itself, such as 1234."
    if isinstance(answer, (list, tuple)):
        return None, f"Give one number such as 1234, not the {type(answer).__name__} {shown(answer)}."
    return None, f"Give a number such as 1234, not {type(answer).__name__} {shown(answer)}."


def _finite(value: float, answer: object, says_infinite: bool) -> tuple[float | None, str | None]:
    """``(value, None)`` for a finite value, else what is wrong with ``answer``."""
    if math.isnan(value):
        return None, f"{shown(answer)} is not a finite number (NaN): {EXAMPLE}"
    if math.isinf(value) and says_infinite:
        return None, f"{shown(answer)} is not a finite number: {EXAMPLE}"
    if math.isinf(value):
        return None, f"{shown(answer)} is too large to work with: {EXAMPLE}"
    return value, None


def _parse_real(answer: numbers.Real | Decimal) -> tuple[float | None, str | None]:
    if isinstance(answer, Decimal) and answer.is_nan():  # float() refuses a signalling NaN
        return _finite(math.nan, answer, False)
    try:
        value = float(answer)
    except OverflowError:  # an int or a fraction beyond the largest float
        value = math.inf
    except (TypeError, ValueError):
        return None, f"Give a number such as 1234, not {type(answer).__name__} {shown(answer)}."
    infinite = isinstance(answer, (float, np.floating)) or (isinstance(answer, Decimal) and answer.is_infinite())
    return _finite(value, answer, infinite)


def _parse_text(answer: str) -> tuple[float | None, str | None]:
    cleaned = answer.strip().replace(",", "").replace("_", "").replace(" ", "").replace("\u202f", "")
    if not cleaned:
        return None, "The answer is empty: type a number such as 1234."
    scale = 1.0
    if cleaned.endswith("%"):
        cleaned, scale = cleaned[:-1], 0.01
    try:
        value = float(cleaned) * scale
    except ValueError:
        return None, f"{shown(answer)} is not a number: use digits only, for example 1234 or 0.25."
    return _finite(value, answer, "inf" in cleaned.lower())


def _parse_array(answer: np.ndarray) -> tuple[float | None, str | None]:
    """A NumPy array holding one number, such as ``np.array([5491])``, read as that number."""
    if answer.size != 1:
        return None, f"Give one number such as 1234, not an array of shape {answer.shape}."
    item = answer.reshape(-1)[0]
    if isinstance(item, np.ndarray):  # an object array that holds an array (or itself)
        return None, f"Give a number such as 1234, not an array inside an array {shown(answer)}."
    return parse_number(item)


def whole_number(answer: object) -> tuple[int | None, str | None]:
    """Read a count (a number, or text such as ``"5,491"``) as ``(value, None)`` or ``(None, problem)``.

    Counts above 10**15 are refused: no count of this course comes near, and above it a float
    no longer holds every whole number exactly.
    """
    value, problem = parse_number(answer)
    if value is None:
        return None, problem or "Give a whole number such as 1234."
    if abs(value) > LARGEST_COUNT:
        return None, f"{shown(answer)} is too large for a count: give a whole number such as 1234."
    if not value.is_integer():
        return None, f"{shown(answer)} is not a whole number: a count has no fraction."
    return int(value), None


def message_html(text: str, colour: str = NOTE_COLOUR, mark: str = "") -> str:
    """A one-line coloured message, escaped."""
    prefix = f"{mark} " if mark else ""
    return f'<div style="color:{colour}">{prefix}{html.escape(text, quote=False)}</div>'


def right_html(text: str) -> str:
    """A message in green with the right mark."""
    return message_html(text, RIGHT_COLOUR, RIGHT_MARK)


def fix_html(text: str) -> str:
    """A message in orange with the fix mark."""
    return message_html(text, WRONG_COLOUR, FIX_MARK)


def note_html(text: str) -> str:
    """A small grey note in italics, escaped."""
    return f'<p style="color:{NOTE_COLOUR};font-size:0.9em"><em>{html.escape(text, quote=False)}</em></p>'


def study_runs(runs: object, missing: str | None = None) -> tuple[list[Mapping] | None, str | None]:
    """A study's runs as a list of rows, each with a ``model``, or what is wrong with ``runs``.

    Accepts ``result.runs``, the ``StudyResult`` itself or a pandas table of the runs. An empty
    study (one handed out without its ``results/`` folder) gets ``missing`` when given.
    """
    runs = getattr(runs, "runs", runs)
    if callable(getattr(runs, "to_dict", None)):  # a pandas table of the runs, e.g. read from runs.csv
        try:
            runs = runs.to_dict("records")
        except Exception:  # not a table after all
            runs = None
    if missing is not None and isinstance(runs, (list, tuple)) and not runs:
        return None, missing
    rows = list(runs) if isinstance(runs, (list, tuple)) else []
    if not rows or not all(isinstance(row, Mapping) and isinstance(row.get("model"), str) for row in rows):
        return None, f"{shown(runs)} are not the study's runs: pass result.runs."
    return rows, None
