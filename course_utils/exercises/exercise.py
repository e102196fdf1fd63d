"""An exercise of the course as the notebooks and the instructor guide show it, and the calls that check it.

This module imports nothing of the course: the checks modules import it for their ``EXERCISES``,
and :mod:`~course_utils.exercises.registry` collects those.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# The package of the checks, one module per notebook (course_utils.exercises.checks), next to this module.
CHECKS_PACKAGE = f"{__name__.rpartition('.')[0]}.checks"
# How a notebook names its checks module when it imports it: ``from ...checks import nb03 as checks``.
CHECKS_NAME = CHECKS_PACKAGE.rpartition(".")[2]


def checks_module(notebook: str) -> str:
    """The checks module of a notebook, e.g. ``course_utils.exercises.checks.nb03`` for ``03_two_hidden_layers``.

    Args:
        notebook: The notebook's file stem, name or path (``notebooks/03_two_hidden_layers.py``).
    """
    stem = notebook.rsplit("/", 1)[-1]
    return f"{CHECKS_PACKAGE}.nb{stem.split('_', 1)[0]}"


@dataclass(frozen=True)
class Call:
    """A call a notebook makes in an exercise, e.g. ``checks.check_encoder_2(my_encoder)``.

    Attributes:
        function: A check function or a widget (class or factory).
        arguments: The arguments as the notebook writes them, e.g. ``"my_encoder"``.
    """

    function: Callable[..., object]
    arguments: str = ""

    @property
    def name(self) -> str:
        """The function as a notebook calls it: ``checks.`` and a check's name, or a widget's module and name."""
        module = CHECKS_NAME if self.is_check else self.function.__module__.rsplit(".", 1)[-1]
        return f"{module}.{self.function.__qualname__}"

    @property
    def is_check(self) -> bool:
        """True for a check function (of a module of the checks package), False for a widget."""
        return self.function.__module__.startswith(CHECKS_PACKAGE + ".")

    def __str__(self) -> str:
        return f"{self.name}({self.arguments})"


@dataclass(frozen=True)
class Exercise:
    """One exercise of the course, as the notebooks and the instructor guide show it.

    Attributes:
        label: The MyST target of its heading, e.g. ``"ex-3-1"``.
        number: Its number, e.g. ``"3.1"``.
        title: Its short title.
        notebook: The notebook's file stem, e.g. ``"03_two_hidden_layers"``.
        goal: The learning goal.
        looks_at: What the check looks at and which mistakes it recognises.
        answer: The right answer, as the guide gives it.
        calls: The checks and widgets the notebook calls, with their arguments.
        minutes: A typical time to solve it.
        points: What it is worth when graded (about one point per five minutes of work); a check
            may award part of them (:attr:`~course_utils.exercises.feedback.CheckResult.score`).
        reveals: Phrases that state the answer (``"5,491"``, ``"33 units"``): no student copy and no
            page of the student book may show one, in this exercise's notebook or any other.
    """

    label: str
    number: str
    title: str
    notebook: str
    goal: str
    looks_at: str
    answer: str
    calls: tuple[Call, ...]
    minutes: int
    points: int
    reveals: tuple[str, ...] = ()

    @property
    def checked_by(self) -> tuple[Callable[..., object], ...]:
        """The functions and widgets the notebook calls to check the answer or show the widget."""
        return tuple(call.function for call in self.calls)

    @property
    def checks_module(self) -> str:
        """The module that holds this exercise's checks and its entry, e.g. ``course_utils.exercises.checks.nb03``."""
        return checks_module(self.notebook)

    @property
    def check_names(self) -> tuple[str, ...]:
        """The checking functions as a notebook calls them, e.g. ``("checks.check_encoder_2",)``."""
        return tuple(call.name for call in self.calls)

    @property
    def is_checked(self) -> bool:
        """True when a check function judges it; False when only widgets do (the instructor grades it by hand)."""
        return any(call.is_check for call in self.calls)

    def guide_row(self) -> tuple[str, ...]:
        """Its row of the instructor guide's table, in :data:`~course_utils.exercises.registry.GUIDE_COLUMNS` order."""
        worth = f"{self.points} point{'' if self.points == 1 else 's'}" + ("" if self.is_checked else ", graded by hand")
        heading = f"{{ref}}`Exercise {self.number} <{self.label}>`: {self.title} ({worth})"
        checked_by = ", ".join(f"`{call}`" + ("" if call.is_check else " (widget)") for call in self.calls)
        return heading, checked_by, self.goal, self.looks_at, self.answer


@dataclass(frozen=True)
class ManualItem:
    """Work the instructor grades by hand (a project, a written answer): a gradebook row to fill in.

    Attributes:
        number: Its number, e.g. ``"9.C"``.
        title: Its short title.
        notebook: The notebook's file stem that sets it.
        points: What it is worth.
        rubric: How to award the points.
    """

    number: str
    title: str
    notebook: str
    points: int
    rubric: str
