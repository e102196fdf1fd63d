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

from course_utils.exercises import (
    architecture_builder,
    checks,
    checks_full_size,
    checks_statistics,
    depth_explorer,
    latent_decoder,
    measure_explorer,
    questions,
)

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
        return self.function.__module__.startswith(checks.__name__)  # checks.py and checks_<notebook>.py

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
    reveals: tuple[str, ...] = ()

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
    # (marker 1: notebook 1 exercises go here, in order)
    Exercise(
        label="ex-1-1",
        number="1.1",
        title="compute the kNN accuracy yourself",
        notebook="01_introduction",
        goal="what kNN accuracy measures: fit on the training codes, score on the test codes",
        looks_at=(
            "the accuracy against the course's own `metrics.knn_accuracy` of the 2-D PCA codes (a percentage is read "
            "as one); recognises training accuracy, fitting on the test codes, swapped sets, k = 1, the error rate, "
            "kNN on the pixels"
        ),
        answer="the course's own kNN accuracy of the PCA codes (the notebook's PCA table; printed by the solution)",
        calls=(Call(checks.check_pca_knn_accuracy, "knn_1_1, mnist"),),
        minutes=10,
    ),
    Exercise(
        label="ex-1-2",
        number="1.2",
        title="predict, then measure: ten components",
        notebook="01_introduction",
        goal="predict before you run; more components reconstruct better and separate digits better",
        looks_at=(
            "a prediction recorded with `checks.record_prediction` (bce and kNN accuracy at least, 'higher'/'lower' or "
            "'better'/'worse'), and the student's measures against a 10-component PCA's; the verdict is 'recorded', "
            "and each prediction, with a neutral mark, whether it held and why; a prediction replaced after a "
            "verdict is judged by the first"
        ),
        answer="bce lower, kNN accuracy higher (each prediction is reported as held or not, never marked right)",
        calls=(Call(checks.check_pca_prediction, "prediction_1_2, scores_1_2, mnist"),),
        minutes=10,
    ),
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
        reveals=("5,491", "5491"),
    ),
    Exercise(
        label="ex-2-2",
        number="2.2",
        title="which digits does the code confuse most?",
        notebook="02_one_hidden_layer",
        goal="measure overlap in the latent space: a kNN classifier's confusions, not the distances of cluster centres",
        looks_at=(
            "the pair against the most confused pair (both directions counted) of a kNN classifier fitted on the "
            "codes passed; a tie for the most is right; a wrong pair is told how many pairs are confused more "
            "often, never which, and the closest-centres pair why close centres need not mean the most confusion"
        ),
        answer="depends on the run (printed by the solution)",
        calls=(Call(checks.check_most_confused, "pair_2_2, train_codes, y_train, codes, y_test"),),
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
        reveals=("7,872", "7872"),
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
        reveals=("33 units", "784-33-2-33-784", "width 33", "width of 33", "w = 33"),
    ),
    # (marker 3: exercise 3.3 goes here)
    Exercise(
        label="ex-3-3",
        number="3.3",
        title="compile and fit it yourself",
        notebook="03_two_hidden_layers",
        goal="the core Keras workflow: compile with an optimizer and a loss, fit with the images as their own targets",
        looks_at=(
            "a compiled Keras model and the History its fit returned: Adam with learning rate 0.001, binary "
            "cross-entropy (names MSE as working but not the course's loss, logits, categorical cross-entropy, "
            "other optimizers), a finite loss that falls over at least 2 epochs, a history from this model, 125 "
            "steps per epoch (all training images in batches of 32); a negative loss names targets that were not "
            "the images"
        ),
        answer="compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss='binary_crossentropy'); "
        "fit(x_train, x_train, batch_size=32) for the epochs the task names",
        calls=(Call(checks.check_compile_and_fit, "autoencoder_3_3, history_3_3, x_train"),),
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
        reveals=("26,254", "26254"),
    ),
    Exercise(
        label="ex-4-2",
        number="4.2",
        title="where do the parameters live?",
        notebook="04_three_hidden_layers",
        goal="almost all parameters sit next to the pixels; depth in the middle is cheap",
        looks_at=(
            "the share of `Autoencoder_3`'s parameters in its first and last layer (fraction or percentage); "
            "recognises one layer only, biases left out, the complement; a round estimate such as 0.5 is told to "
            "compute, not taken for one of those"
        ),
        answer="0.986",
        calls=(Call(checks.check_pixel_layer_share, "share_4_2"),),
        minutes=10,
        reveals=("0.986", "98.6%", "98.6 %"),
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
    # (marker 5: notebook 5 exercises go here, in order)
    Exercise(
        label="ex-5-1",
        number="5.1",
        title="predict, then measure",
        notebook="05_comparison",
        goal=(
            "commit to an expectation the notebooks have not stated (which models beat PCA on the silhouette), "
            "then learn from where the measurement differs: good neighbourhoods are not separate clusters"
        ),
        looks_at=(
            "a prediction for every model (a dictionary of True/False or a set of names) against this run's "
            "silhouettes; the verdict is 'recorded', and each model's line, with a neutral mark, says whether the "
            "prediction held and why; a prediction changed after a verdict is judged by the first"
        ),
        answer=(
            "depends on the run (in the committed run, and in all 20 runs per model of notebook 6, no model: PCA's "
            "silhouette, just above 0, is above all three)"
        ),
        calls=(Call(checks.check_prediction_beats_pca, "prediction_5_1, scores"),),
        minutes=5,
    ),
    Exercise(
        label="ex-5-2",
        number="5.2",
        title="find a 3 in the latent space",
        notebook="05_comparison",
        goal="read a latent space backwards: every point is a code the decoder turns into an image",
        looks_at=(
            "decodes the code with `Autoencoder_3` and names the digit its 5 nearest training images (by pixels) "
            "show; a code far from every training code is refused with the codes' range"
        ),
        answer="depends on the run (the solution takes the median of that digit's training codes)",
        calls=(
            Call(latent_decoder.LatentDecoder, "trained, train_codes, y_train"),
            Call(checks.check_decoded_digit, 'code_5_2, 3, trained["Autoencoder_3"], mnist'),
        ),
        minutes=15,
    ),
    # (marker 6: notebook 6 exercises go here, in order)
    Exercise(
        label="ex-6-1",
        number="6.1",
        title="make the measures disagree",
        notebook="06_measuring_latent_quality",
        goal="kNN accuracy asks about nearest neighbours, the silhouette about whole clusters",
        looks_at=(
            "the measures recomputed from the explorer's sliders: kNN accuracy at least 0.9 and silhouette below 0.1; "
            "says which of the two is missing and which slider helps"
        ),
        answer="e.g. split 0.35, spread 0.2 (a second place for each digit)",
        calls=(
            Call(measure_explorer.MeasureExplorer),
            Call(checks.check_measure_explorer, "explorer_6_1"),
        ),
        minutes=10,
    ),
    Exercise(
        label="ex-6-2",
        number="6.2",
        title="how sure is a mean over ten seeds?",
        notebook="06_measuring_latent_quality",
        goal="a 95% t confidence interval of a mean over seeds, with SciPy",
        looks_at=(
            "(low, high) or SciPy's ConfidenceInterval against `scipy.stats.t.interval` of Autoencoder_3's kNN accuracy "
            "over the study's seeds; recognises the standard deviation for the standard error, z for t, ddof=0, n "
            "degrees of freedom, 90% or 99%, another model or measure"
        ),
        answer="depends on the study (printed by the solution)",
        calls=(Call(checks.check_seed_interval, "interval_6_2, result.runs"),),
        minutes=10,
    ),
    Exercise(
        label="ex-6-3",
        number="6.3",
        title="Welch's test and Holm's correction by hand",
        notebook="06_measuring_latent_quality",
        goal="run Welch's t-test with SciPy, and adjust a few p-values for many comparisons with Holm's method yourself",
        looks_at=(
            "three p-values and their adjusted values, in the order of the comparisons, against Welch's t-test and "
            "Holm's step-down method recomputed from the study's kNN accuracies; recognises Student's t-test, the "
            "paired test, one-sided tests, t statistics, adjusted values or another measure given as p-values, and "
            "values in another order; adjusted values left unadjusted, Bonferroni's, factors the wrong way round or "
            "counted from 0, no running maximum, no cap at 1, sorted; a right adjustment of wrong p-values is said "
            "to be right"
        ),
        answer="depends on the study (printed by the solution)",
        calls=(Call(checks_statistics.check_welch_holm, "p_values_6_3, holm_6_3, result.runs"),),
        minutes=15,
    ),
    # (marker 7: notebook 7 exercises go here, in order)
    Exercise(
        label="ex-7-1",
        number="7.1",
        title="debug a broken autoencoder",
        notebook="07_going_deeper",
        goal="find a bug from a short training's evidence; why a ReLU code, a linear output, a 28 × 28 input break it",
        looks_at=(
            "a Keras model: 784 inputs, Dense 32, 10 ReLU, 2 linear, 10, 32 ReLU, 784 sigmoid; names a ReLU or "
            "sigmoid code, a wrong output activation, a wrong input shape, a missing `keras.Input`, wrong sizes; the "
            "unchanged model is told it is unchanged, with a hint to the evidence, and its linear output is named "
            "only from the second wrong answer on"
        ),
        answer="the notebook's model has a linear output: add activation='sigmoid' to the last layer (51,726 parameters)",
        calls=(Call(checks.check_fixed_model, "fixed_7_1"),),
        minutes=15,
    ),
    Exercise(
        label="ex-7-2",
        number="7.2",
        title="early stopping, and the epoch it keeps",
        notebook="07_going_deeper",
        goal="let early stopping choose the epoch on validation images, never test images, and keep the best weights",
        looks_at=(
            "the callback, its history and the epoch; names a missing `restore_best_weights`, the training loss "
            "monitored, the test set used as validation (the kept model's loss on `x_test` matches the history), an "
            "epoch counted from 0, the last epoch, the epoch of the lowest training loss"
        ),
        answer=(
            "the epoch of the lowest val_loss, counted from one: the callback's `best_epoch` plus one "
            "(depends on the patience)"
        ),
        calls=(Call(checks.check_stopping, "best_epoch_7_2, stop_7_2, history_7_2, x_val, x_test"),),
        minutes=20,
    ),
    # (marker 8: notebook 8 exercises go here, in order)
    Exercise(
        label="ex-8-1",
        number="8.1",
        title="where does depth pay?",
        notebook="08_full_size",
        goal="a verdict is a test over seeds, not a comparison of two means; read it size by size",
        looks_at=(
            "a list of training-set sizes against the study's Welch/Holm verdicts of Autoencoder_2 against PCA in kNN "
            "accuracy (its mean is higher at every size, its verdict clearly better only at some); names an answer "
            "that lists the sizes of the higher means as what the means say, not the verdicts, each size given whose "
            "difference is not shown (with its gain and adjusted p) or clearly worse, each size missing, and sizes "
            "the study does not have"
        ),
        answer="the sizes whose verdict in the study's table is clearly better (in the saved study 15,000 and 60,000)",
        calls=(Call(checks_full_size.check_sizes_where_depth_pays, "sizes_8_1, size_result"),),
        minutes=10,
    ),
    Exercise(
        label="ex-8-2",
        number="8.2",
        title="does the value of depth grow with data?",
        notebook="08_full_size",
        goal="compute a gain per size from the runs and read the trend, then let a test say which steps it shows",
        looks_at=(
            "a dict from each size to the mean kNN accuracy of Autoencoder_3 minus Autoencoder_1's; names a missing "
            "size, and, only when it gives every value of the answer, a flipped sign, medians for means, the gain "
            "over PCA instead, percentage points; and sizes the study does not have; a right answer is told which "
            "steps in size the test of the change of the gain (Welch, Holm over the steps) shows"
        ),
        answer="the gain column of the study's comparisons of the three-layer model with the one-layer model",
        calls=(Call(checks_full_size.check_depth_gain_by_size, "gains_8_2, size_result"),),
        minutes=15,
    ),
    # (marker 9: notebook 9 exercises go here, in order)
    Exercise(
        label="ex-9-1",
        number="9.1",
        title="what does each measure reward?",
        notebook="09_conclusion",
        goal="tell the five measures apart by the question each one asks",
        looks_at=(
            "a dict from each measure to one of five statements; names kNN accuracy taken for the silhouette or for "
            "trustworthiness and BCE for MSE, a letter used twice, a missing or unknown measure; never gives a letter"
        ),
        answer="bce B, mse E, knn_accuracy D, trustworthiness A, silhouette C",
        calls=(Call(checks.check_measure_rewards, "rewards_9_1"),),
        minutes=10,
    ),
    Exercise(
        label="ex-9-2",
        number="9.2",
        title="plan a fair experiment",
        notebook="09_conclusion",
        goal="design a comparison: one change, the rest fixed, several measures and seeds, choices on validation images",
        looks_at=(
            "a dict with question, changed, fixed, measures, seeds, chosen_on; names every missing field, more than "
            "one change, a setting not held fixed, no reconstruction or no latent measure, fewer than 3 or repeated "
            "seeds, choices made on the test or training images"
        ),
        answer="depends on the question; the solution plans a wider code against the article's, at the same depth",
        calls=(Call(checks.check_experiment_plan, "plan_9_2"),),
        minutes=15,
    ),
)


def all_exercises() -> tuple[Exercise, ...]:
    """Every exercise of the course, in order."""
    return EXERCISES


def exercises_in(notebook: str) -> tuple[Exercise, ...]:
    """The exercises of one notebook, given by its file stem or name (``03_two_hidden_layers(.ipynb)``)."""
    stem = notebook.rsplit("/", 1)[-1].removesuffix(".ipynb").removesuffix(".py")
    return tuple(exercise for exercise in EXERCISES if exercise.notebook == stem)


def check_names() -> frozenset[str]:
    """Every check function as a notebook calls it (``checks.check_encoder_2``, ``checks_full_size.check_...``)."""
    return frozenset(call.name for exercise in EXERCISES for call in exercise.calls if call.is_check)


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
    """The instructor guide's list of exercises, in Markdown: an item per exercise, a line per column.

    An item rather than a table row: the five columns of :data:`GUIDE_COLUMNS` (long calls,
    goals and answers) fit neither a phone nor a desktop page side by side, so each exercise's
    heading is followed by its other columns, one labelled line each.
    """
    items = []
    for exercise in EXERCISES:
        heading, *details = exercise.guide_row()
        lines = [f"- **{heading}**"]
        lines += [f"  - *{column}*: {value}" for column, value in zip(GUIDE_COLUMNS[1:], details)]
        items.append("\n".join(lines))
    return "\n".join(items)


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
