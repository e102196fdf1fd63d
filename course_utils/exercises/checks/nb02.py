"""Checks of notebook 2's exercises (ex-2-*): a parameter count by hand, and the digits a kNN classifier confuses most."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

import numpy as np

from course_utils import metrics, models
from course_utils.exercises import questions
from course_utils.exercises.checks.common import read_digit
from course_utils.exercises.exercise import Call, Exercise
from course_utils.exercises.feedback import CheckResult, coached, not_answered, shown, whole_number
from course_utils.exercises.model_checks import architecture_problem

MAX_CODE_COLUMNS = 16  # more numbers per row than this are images, not codes


def _parameter_mistakes(hidden_units: Sequence[int], latent_dim: int, input_dim: int) -> dict[int, str]:
    """Counts that follow from typical mistakes, each with what to fix."""
    sizes = models.layer_sizes(hidden_units, latent_dim, input_dim)
    pairs = list(zip(sizes[:-1], sizes[1:]))
    layers = models.layer_parameters(hidden_units, latent_dim, input_dim)
    half = len(layers) // 2
    mistakes = {
        sum(a * b for a, b in pairs): "You counted the weights but not the biases: every unit also has one bias.",
        sum(layers[:half]): "That is the encoder only: the decoder mirrors it and has parameters of its own. Add them.",
        sum(layers[half:]): "That is the decoder only: add the encoder's parameters.",
        sum(a + b for a, b in pairs): (
            "You added the layer sizes; every input connects to every unit, so multiply inputs × units "
            "(and add one bias per unit)."
        ),
    }
    for name, count in models.ARTICLE_PARAMETER_COUNTS.items():
        mistakes.setdefault(count, f"That is the count of the article's {name}, a different architecture.")
    return mistakes


def check_parameter_count(
    answer: object,
    hidden_units: Sequence[int],
    latent_dim: int = models.LATENT_DIM,
    input_dim: int = models.INPUT_DIM,
    title: str = "Parameter count",
) -> CheckResult:
    """Check a predicted number of trainable parameters of a mirrored dense autoencoder.

    Args:
        answer: The student's count (a number, or text such as ``"5,491"``).
        hidden_units: The encoder's layer sizes before the code, e.g. ``[32, 10]``.
        latent_dim: Size of the code.
        input_dim: Size of a flattened image.
        title: Shown as the heading of the result.

    Returns:
        The verdict, naming the likely mistake when the count matches a typical wrong way to count.
    """
    if answer is Ellipsis:
        return not_answered(title)
    value, problem = whole_number(answer)
    problem = architecture_problem(hidden_units, latent_dim, input_dim) or problem
    if value is None or problem is not None:
        return CheckResult(title, fix=[problem or "Give a whole number."])
    expected = models.expected_parameter_count(hidden_units, latent_dim, input_dim)
    architecture = models.architecture_string(hidden_units, latent_dim, input_dim)
    if value == expected:
        sizes = models.layer_sizes(hidden_units, latent_dim, input_dim)
        terms = " + ".join(f"({a}×{b} + {b})" for a, b in zip(sizes[:-1], sizes[1:]))
        return CheckResult(title, right=[f"{architecture} has {expected:,} parameters: {terms}."])
    mistakes = _parameter_mistakes(hidden_units, latent_dim, input_dim)
    mistakes.pop(expected, None)
    if value in mistakes:
        return CheckResult(title, fix=[f"{value:,} is not it. {mistakes[value]}"])
    direction = "too high" if value > expected else "too low"
    return CheckResult(title, fix=[f"{value:,} is {direction} for {architecture}."])


@coached(
    hint="Every input of a Dense layer connects to every unit with a weight of its own, and every unit has one "
    "bias; the decoder's layer counts as well as the encoder's.",
    recipe="784 → 3 has 784 × 3 weights and 3 biases; 3 → 784 has 3 × 784 weights and 784 biases; add the four.",
)
def check_parameters_with_3d_code(answer: object) -> CheckResult:
    """Exercise 2.1: the parameters of ``784-3-784``, the one-layer model with a 3-number code."""
    return check_parameter_count(answer, (), latent_dim=3, title="Exercise 2.1")


def digit_centres(codes: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """The mean code of each digit that occurs in ``labels``."""
    return {int(digit): codes[labels == digit].mean(axis=0) for digit in np.unique(labels)}


def _digit_pair(answer: object) -> tuple[tuple[int, int] | None, str | None]:
    scalar_array = isinstance(answer, np.ndarray) and answer.ndim == 0
    if isinstance(answer, (str, bytes)) or scalar_array or not isinstance(answer, Iterable):
        return None, f"Give two digits as a pair such as (3, 8), not {shown(answer)}."
    try:
        items = list(itertools.islice(answer, 11))  # an endless iterator stops here
    except Exception:  # an iterable that fails while it is read
        return None, f"Give two digits as a pair such as (3, 8), not {shown(answer)}."
    if len(items) != 2:
        count = len(items) if len(items) <= 10 else "more than 10"
        return None, f"Give exactly two digits, such as (3, 8); you gave {count}."
    digits = [read_digit(item) for item in items]
    for item, digit in zip(items, digits):
        if digit is None:
            return None, f"{shown(item)} is not a digit from 0 to 9."
    if digits[0] == digits[1]:
        return None, f"Both digits are {digits[0]}: give a pair of two different digits."
    return (min(digits), max(digits)), None


def _numbers(values: object, name: str, hint: str) -> tuple[np.ndarray | None, str | None]:
    """``values`` as a NumPy array of real numbers, or what is wrong with them."""
    if values is None:
        return None, f"The {name} are None: {hint}."
    try:
        array = np.asarray(values)
    except Exception:  # ragged lists, and objects NumPy cannot read
        return None, f"The {name} are not a table of numbers: {hint}."
    if array.dtype.kind not in "iuf":
        return None, f"The {name} hold {array.dtype} values, not numbers: {hint}."
    return array, None


def _distances_problem(distances: dict[tuple[int, int], float], ranked: list[tuple[int, int]]) -> str | None:
    """Why these centre distances single out no closest pair, or None."""
    if not all(math.isfinite(distance) for distance in distances.values()):
        return "The codes are too large to measure distances between them: the model probably diverged; train it again."
    closest = distances[ranked[0]]
    if distances[ranked[1]] == closest:
        return (
            f"Several pairs of centres are equally close ({closest:.3g} apart), so no single pair is closest: "
            "train the model again and look at its new codes."
        )
    return None


CONFUSION_HINTS = {
    "training": "pass train_codes = encoder.predict(x_train) and y_train",
    "test": "pass codes = encoder.predict(x_test) and y_test",
}


def _labelled_codes(codes: object, labels: object, which: str) -> tuple[np.ndarray | None, np.ndarray | None, str | None]:
    """The ``which`` ("training" or "test") codes and their digits as arrays, or what is wrong with them."""
    hint = CONFUSION_HINTS[which]
    codes, problem = _numbers(codes, f"{which} codes", hint)
    if codes is None:
        return None, None, problem
    labels, problem = _numbers(labels, f"{which} labels", hint)
    if labels is None:
        return None, None, problem
    return codes, labels, _labelled_codes_problem(codes, labels, which)


def _labelled_codes_problem(codes: np.ndarray, labels: np.ndarray, which: str) -> str | None:
    """Why these codes and labels cannot train or test a kNN classifier, or None."""
    hint = CONFUSION_HINTS[which]
    if codes.ndim == 2 and codes.shape[1] > MAX_CODE_COLUMNS:
        return f"The {which} codes look like images ({codes.shape[1]} numbers each), not latent codes: {hint}."
    if codes.ndim != 2 or codes.size == 0:
        return f"The {which} codes have shape {codes.shape}; give one row of code numbers per image: {hint}."
    if not np.isfinite(codes).all():
        return f"The {which} codes contain NaN or infinite values: the model probably diverged; train it again."
    if (codes == codes[0]).all():
        return f"All {which} codes are the same point: the model collapsed; train it again."
    if labels.ndim != 1 or len(labels) != len(codes):
        return f"There are {len(codes)} {which} codes but labels of shape {labels.shape}: {hint}."
    if not np.isin(labels, np.arange(10)).all():
        return f"The {which} labels must be digits from 0 to 9: {hint}."
    if len(np.unique(labels)) < 3:
        return f"The {which} labels hold fewer than three digits: {hint}, all of them."
    return None


def _confusion_data(
    train_codes: object, y_train: object, test_codes: object, y_test: object
) -> tuple[tuple[np.ndarray, ...] | None, str | None]:
    """The four arrays a kNN confusion count needs, or what is wrong with them."""
    train, train_labels, problem = _labelled_codes(train_codes, y_train, "training")
    if problem is not None or train is None or train_labels is None:
        return None, problem
    test, test_labels, problem = _labelled_codes(test_codes, y_test, "test")
    if problem is not None or test is None or test_labels is None:
        return None, problem
    if train.shape[1] != test.shape[1]:
        return None, (
            f"The training codes have {train.shape[1]} numbers each, the test codes {test.shape[1]}: "
            "take both from the same encoder."
        )
    if len(train) < metrics.NEIGHBOURS:
        return None, f"A kNN classifier with {metrics.NEIGHBOURS} neighbours needs at least that many training codes."
    return (train, train_labels.astype(int), test, test_labels.astype(int)), None


def closest_centres(codes: np.ndarray, labels: np.ndarray) -> tuple[int, int] | None:
    """The pair of digits whose mean codes lie closest together, if one pair alone does."""
    with np.errstate(all="ignore"):
        centres = digit_centres(codes, labels)
        distances = {
            (a, b): float(np.linalg.norm(centres[a] - centres[b])) for a, b in itertools.combinations(sorted(centres), 2)
        }
    ranked = sorted(distances, key=distances.get)
    return None if _distances_problem(distances, ranked) else ranked[0]


@coached(
    hint="Overlap is what a classifier gets wrong: how often it takes a digit for another, counted both ways "
    "(a read as b and b read as a), not how close the centres of two clouds are.",
    recipe="predicted = KNeighborsClassifier(n_neighbors=5).fit(train_codes, y_train).predict(codes); "
    "m = confusion_matrix(y_test, predicted); both = m + m.T with its diagonal set to 0; the pair is the row "
    "and column of its largest entry.",
)
def check_most_confused(
    answer: object, train_codes: object, y_train: object, test_codes: object, y_test: object
) -> CheckResult:
    """Exercise 2.2: the two digits a kNN classifier on the codes confuses most often, both ways counted.

    Args:
        answer: The student's pair of digits, for example ``(4, 9)``.
        train_codes: The codes of the training images, which the classifier learns from.
        y_train: The digit of each training image.
        test_codes: The codes of the test images, which the classifier labels.
        y_test: The digit of each test image.

    Returns:
        Right for a pair with the highest count of confusions (a tie for the highest is right too);
        else how many pairs are confused more often, never which, and why close centres are not it.
    """
    title = "Exercise 2.2"
    if answer is Ellipsis:
        return not_answered(title)
    arrays, problem = _confusion_data(train_codes, y_train, test_codes, y_test)
    pair = None
    if problem is None:
        pair, problem = _digit_pair(answer)
    if problem is not None or pair is None or arrays is None:
        return CheckResult(title, fix=[problem or "Give two digits."])
    missing = set(pair) - set(arrays[1].tolist()) - set(arrays[3].tolist())
    if missing:
        return CheckResult(title, fix=[f"No image is labelled {min(missing)}; choose digits that occur in the data."])
    try:
        with np.errstate(all="ignore"):  # codes near the largest float overflow in the distances
            table = metrics.knn_confusions(*arrays).set_index(["digit_a", "digit_b"])
    except Exception:  # scikit-learn refuses such codes; the student gets a message, never a traceback
        return CheckResult(title, fix=["The codes are too large to classify: the model probably diverged; train it again."])
    return _confusion_verdict(title, pair, table, closest_centres(arrays[2], arrays[3]))


def _confusion_verdict(title: str, pair: tuple[int, int], table, closest: tuple[int, int] | None) -> CheckResult:
    """Right if no pair is confused more often than ``pair``; else how many are, and a word on centres."""
    a, b = pair
    row = table.loc[pair]
    counts = f"{row.confusions} confusions: {row.a_as_b} {a}s read as {b}, {row.b_as_a} {b}s read as {a}"
    top = int(table.confusions.max())
    if top == 0:
        return CheckResult(title, fix=["The classifier confuses no two digits at all: no pair overlaps in these codes."])
    if row.confusions == top:
        ties = int((table.confusions == top).sum()) - 1
        right = [f"{a} and {b} are the pair the kNN classifier confuses most often ({counts})."]
        if ties:
            right.append(f"{ties} other pair{'s are' if ties > 1 else ' is'} confused just as often: a tie.")
        if closest is not None and closest != pair:
            right.append("Their cluster centres are not the closest pair: close centres need not mean the most confusion.")
        return CheckResult(title, right=right)
    more = int((table.confusions > row.confusions).sum())
    fix = [f"{a} and {b} have {counts}; but {more} pair{'s are' if more > 1 else ' is'} confused more often."]
    if pair == closest:
        fix.append(
            f"{a} and {b} do have the closest cluster centres, but a centre is only a mean: how often two digits are "
            "confused depends on how widely each cloud spreads and how far the clouds overlap, so a pair with "
            "centres farther apart can overlap more."
        )
    return CheckResult(title, fix=fix)


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
        calls=(Call(check_parameters_with_3d_code, "answer_2_1"),),
        minutes=10,
        points=2,
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
        calls=(Call(check_most_confused, "pair_2_2, train_codes, y_train, codes, y_test"),),
        minutes=15,
        points=3,
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
        points=1,
    ),
)
