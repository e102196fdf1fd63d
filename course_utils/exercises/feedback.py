"""What a check says: its result, the marks and colours, the reading of numbers a student types.

This module imports nothing of the course: checks and widgets both build on it.
"""

from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

RIGHT_MARK = "✓"
FIX_MARK = "✗"
RIGHT_COLOUR, WRONG_COLOUR, NOTE_COLOUR = "#1a7f37", "#b35900", "#57606a"
NOT_ANSWERED = (
    "Not answered yet: replace the ... in the exercise cell above with your answer, run that cell, then run this one again."
)
EXAMPLE = "give a number such as 1234."
LONGEST_SHOWN = 40  # characters of an answer repeated in a message
LARGEST_COUNT = 10**15
VERDICT_COLOURS = {"right": RIGHT_COLOUR, "not yet": WRONG_COLOUR, "not answered yet": NOTE_COLOUR}


@dataclass
class CheckResult:
    """What a check found: what is right, what to fix, and whether the answer passed.

    Attributes:
        title: Which exercise was checked, for example ``"Exercise 3.1"``.
        right: Things the answer gets right.
        fix: Things to change; empty when the answer is right.
        answered: False while the answer is still the ``...`` placeholder.
    """

    title: str
    right: list[str] = field(default_factory=list)
    fix: list[str] = field(default_factory=list)
    answered: bool = True

    @property
    def passed(self) -> bool:
        """True when the answer was given and nothing needs fixing."""
        return self.answered and not self.fix

    @property
    def verdict(self) -> str:
        """``"right"``, ``"not yet"`` or ``"not answered yet"``."""
        if not self.answered:
            return "not answered yet"
        return "right" if self.passed else "not yet"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = [f"{self.title}: {self.verdict}."]
        lines += [f"  {RIGHT_MARK} {line}" for line in self.right]
        lines += [f"  {FIX_MARK} {line}" for line in self.fix]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = VERDICT_COLOURS[self.verdict]
        items = [f'<li style="list-style:none">{RIGHT_MARK} {html.escape(line)}</li>' for line in self.right]
        items += [f'<li style="list-style:none">{FIX_MARK} {html.escape(line)}</li>' for line in self.fix]
        return (
            f'<div style="border-left:4px solid {colour};padding:0.3em 0.8em">'
            f'<strong style="color:{colour}">{html.escape(self.title)}: {self.verdict}.</strong>'
            f'<ul style="margin:0.3em 0;padding-left:0.5em">{"".join(items)}</ul></div>'
        )


def not_answered(title: str) -> CheckResult:
    """The result for an answer that is still the ``...`` placeholder."""
    return CheckResult(title, fix=[NOT_ANSWERED], answered=False)


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
