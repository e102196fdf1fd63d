"""What the checks of more than one notebook share: reading a digit, and the first prediction of a session."""

from __future__ import annotations

import numbers
from typing import TypeVar, cast

Judged = TypeVar("Judged")

# Exercise title -> the prediction its check judged first in this session (exercises 1.2 and 5.1).
FIRST_PREDICTIONS: dict[str, object] = {}


def read_digit(item: object) -> int | None:
    """A digit from 0 to 9 given as a number or as text such as ``"3"``, or None."""
    if isinstance(item, str) and item.strip().isdecimal() and len(item.strip()) <= 3:
        item = int(item)
    if isinstance(item, bool) or not isinstance(item, numbers.Integral) or not 0 <= item <= 9:
        return None
    return int(item)


def first_prediction(exercise: str, prediction: Judged) -> Judged:
    """The prediction to judge in ``exercise``: the first one judged in this session, else ``prediction``.

    Predicting first is the point of exercises 1.2 and 5.1, so a prediction changed after a verdict
    is judged by the first one.
    """
    return cast(Judged, FIRST_PREDICTIONS.setdefault(exercise, prediction))


def forget_predictions() -> None:
    """Forget the predictions judged so far (exercises 1.2 and 5.1), as a new kernel would."""
    FIRST_PREDICTIONS.clear()
