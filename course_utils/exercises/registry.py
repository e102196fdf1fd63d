"""Every exercise of the course in one place, and the instructor guide's exercise table made from it.

An :class:`Exercise` holds all the instructor guide shows: label, number, title, notebook, learning
goal, what the check looks at, the answer, and the calls the notebook makes (each a function of
:mod:`~course_utils.exercises.checks` or a widget, with its arguments as the notebook writes them).
:func:`write_guide_table` writes the table into ``book/instructor_guide.md``; the tests fail when
the committed guide differs from it.

This is the only module that imports the checks and the widgets together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from course_utils.exercises import architecture_builder, checks, depth_explorer, questions

GUIDE = Path(__file__).resolve().parents[2] / "book" / "instructor_guide.md"
TABLE_START, TABLE_END = "<!-- exercise-table:start -->", "<!-- exercise-table:end -->"
GUIDE_COLUMNS = ("exercise", "checked by", "learning goal", "what the check looks at", "answer")


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
        """The function as a notebook calls it: its module, a dot and its name."""
        return f"{self.function.__module__.rsplit('.', 1)[-1]}.{self.function.__qualname__}"

    @property
    def is_check(self) -> bool:
        """True for a check function, False for a widget."""
        return self.function.__module__ == checks.__name__

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

    @property
    def checked_by(self) -> tuple[Callable[..., object], ...]:
        """The functions and widgets the notebook calls to check the answer or show the widget."""
        return tuple(call.function for call in self.calls)

    @property
    def check_names(self) -> tuple[str, ...]:
        """The checking functions as a notebook calls them, e.g. ``("checks.check_encoder_2",)``."""
        return tuple(call.name for call in self.calls)

    def guide_row(self) -> tuple[str, ...]:
        """Its row of the instructor guide's table, in :data:`GUIDE_COLUMNS` order."""
        heading = f"{{ref}}`Exercise {self.number} <{self.label}>`: {self.title}"
        checked_by = ", ".join(f"`{call}`" + ("" if call.is_check else " (widget)") for call in self.calls)
        return heading, checked_by, self.goal, self.looks_at, self.answer


EXERCISES = (
    Exercise(
        label="ex-2-1",
        number="2.1",
        title="predict the parameter count",
        notebook="02_one_hidden_layer",
        goal="count a dense autoencoder's parameters by hand",
        looks_at=(
            "the count of `784-3-784`; recognises weights without biases, the encoder or decoder alone, sizes added "
            "instead of multiplied, an article model's count"
        ),
        answer="5,491",
        calls=(Call(checks.check_parameters_with_3d_code, "answer_2_1"),),
        minutes=10,
    ),
    Exercise(
        label="ex-2-2",
        number="2.2",
        title="which digits overlap?",
        notebook="02_one_hidden_layer",
        goal="read a latent plot with numbers: cluster centres and their distances",
        looks_at=(
            "the pair against the closest pair of digit centres in the codes passed; a wrong pair is told how many "
            "pairs are closer, never which"
        ),
        answer="depends on the run (printed by the solution)",
        calls=(Call(checks.check_closest_digits, "closest_digits_2_2, codes, y_test"),),
        minutes=15,
    ),
    Exercise(
        label="ex-2-3",
        number="2.3",
        title="quick questions",
        notebook="02_one_hidden_layer",
        goal="the two ideas notebook 2 rests on",
        looks_at=(
            "a numeric answer with feedback for weights-only, biases per input, added sizes; a multiple choice with "
            "feedback for every wrong choice"
        ),
        answer="25,120; one test image at its two code numbers",
        calls=(Call(questions.dense_layer_question), Call(questions.latent_point_question)),
        minutes=5,
    ),
    Exercise(
        label="ex-3-1",
        number="3.1",
        title="build the two-hidden-layer encoder",
        notebook="03_two_hidden_layers",
        goal="write a Keras encoder layer by layer",
        looks_at=(
            "a Keras model: 784 inputs, Dense 10 ReLU, Dense 2 linear; names a missing `keras.Input`, wrong sizes or "
            "order, a ReLU code, a whole autoencoder passed instead"
        ),
        answer="7,872 parameters",
        calls=(Call(checks.check_encoder_2, "my_encoder"),),
        minutes=15,
    ),
    Exercise(
        label="ex-3-2",
        number="3.2",
        title="how wide to be as big as `Autoencoder_3`?",
        notebook="03_two_hidden_layers",
        goal="parameters grow with width too: the article's deeper models are also bigger",
        looks_at=(
            "the smallest width `w` for which `784-w-2-w-784` has more than 51,726 parameters; recognises a "
            "parameter count given instead of a width, too narrow, not the smallest"
        ),
        answer="33",
        calls=(
            Call(architecture_builder.ArchitectureBuilder, "hidden_units=[10]"),
            Call(checks.check_width_to_match_autoencoder_3, "width_3_2"),
        ),
        minutes=10,
    ),
    Exercise(
        label="ex-4-1",
        number="4.1",
        title="build the three-hidden-layer decoder",
        notebook="04_three_hidden_layers",
        goal="mirror an encoder; choose the output activation for the data",
        looks_at=(
            "a Keras model: 2 inputs, Dense 10 ReLU, Dense 32 ReLU, Dense 784 sigmoid; names a missing sigmoid, "
            "reversed order, wrong sizes"
        ),
        answer="26,254 parameters",
        calls=(Call(checks.check_decoder_3, "my_decoder"),),
        minutes=15,
    ),
    Exercise(
        label="ex-4-2",
        number="4.2",
        title="where do the parameters live?",
        notebook="04_three_hidden_layers",
        goal="almost all parameters sit next to the pixels; depth in the middle is cheap",
        looks_at=(
            "the share of `Autoencoder_3`'s parameters in its first and last layer (fraction or percentage); "
            "recognises one layer only, biases left out, the complement"
        ),
        answer="0.986",
        calls=(Call(checks.check_pixel_layer_share, "share_4_2"),),
        minutes=10,
    ),
    Exercise(
        label="ex-4-3",
        number="4.3",
        title="a fair depth experiment",
        notebook="04_three_hidden_layers",
        goal="change one thing at a time; read the measures of one's own runs",
        looks_at=(
            "at least two runs that differ only in depth, and the run number with the highest kNN accuracy in the "
            "student's own table"
        ),
        answer="depends on the runs",
        calls=(
            Call(depth_explorer.DepthExplorer, "mnist, epochs=3"),
            Call(checks.check_depth_experiment, "explorer, best_run_4_3"),
        ),
        minutes=20,
    ),
)


def all_exercises() -> tuple[Exercise, ...]:
    """Every exercise of the course, in order."""
    return EXERCISES


def exercises_in(notebook: str) -> tuple[Exercise, ...]:
    """The exercises of one notebook, given by its file stem or name (``03_two_hidden_layers(.ipynb)``)."""
    stem = notebook.rsplit("/", 1)[-1].removesuffix(".ipynb").removesuffix(".py")
    return tuple(exercise for exercise in EXERCISES if exercise.notebook == stem)


def find(label: str) -> Exercise:
    """The exercise with a label such as ``"ex-3-1"`` or a number such as ``"3.1"``.

    Raises:
        KeyError: With the known labels, when there is no such exercise.
    """
    for exercise in EXERCISES:
        if label in (exercise.label, exercise.number):
            return exercise
    raise KeyError(f"no exercise {label!r}; known: {', '.join(exercise.label for exercise in EXERCISES)}")


def guide_table() -> str:
    """The instructor guide's exercise table, in Markdown, one row per exercise."""
    table = pd.DataFrame([exercise.guide_row() for exercise in EXERCISES], columns=GUIDE_COLUMNS)
    return table.to_markdown(index=False, disable_numparse=True)


def with_guide_table(text: str) -> str:
    """``text`` (the guide) with the part between the exercise-table markers replaced by :func:`guide_table`.

    Raises:
        ValueError: If the markers are missing or out of order.
    """
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(
            f"the instructor guide needs the lines {TABLE_START} and {TABLE_END}, in this order, around the "
            "exercise table; put them back and run `python -m course_utils guide` again."
        )
    return f"{text[: start + len(TABLE_START)]}\n\n{guide_table()}\n\n{text[end:]}"


def write_guide_table(path: Path = GUIDE) -> bool:
    """Rewrite the exercise table of the instructor guide at ``path`` (only between its markers).

    Returns:
        True if the file changed.

    Raises:
        ValueError: If the markers are missing (the file is then left as it was).
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    updated = with_guide_table(text)
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text
