"""Checks of notebook 1's exercises (ex-1-*): the kNN accuracy of PCA codes, and a prediction tested with ten components."""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np
from sklearn.neighbors import KNeighborsClassifier

from course_utils import metrics
from course_utils.exercises.checks.common import first_prediction
from course_utils.exercises.exercise import Call, Exercise
from course_utils.exercises.feedback import CheckResult, coached, not_answered, parse_number, shown

PCA_KNN_TOLERANCE = 0.0035  # a few test images: a PCA computed another way may flip a near tie
PIXEL_KNN_LIMIT = 5 * 10**6  # train × test images above which the check skips the kNN on pixels (slow)
MORE_COMPONENTS = 10
PREDICTED_MEASURES = ("bce", "knn_accuracy")
DIRECTION_WORDS = {"higher": 1, "up": 1, "lower": -1, "down": -1}
QUALITY_WORDS = ("better", "worse")
SCORE_TOLERANCES = {"bce": 0.001, "mse": 0.001, "knn_accuracy": 0.0035, "trustworthiness": 0.005, "silhouette": 0.005}
WHY_MORE_COMPONENTS = {
    "bce": "ten numbers per image keep more of it than two, so the decoder has more to rebuild it from",
    "mse": "ten numbers per image keep more of it than two, so the decoder has more to rebuild it from",
    "knn_accuracy": "digits that lie on top of each other along two directions are told apart by eight more",
    "trustworthiness": "ten directions keep more of the pixel-space distances, so more neighbourhoods survive",
    "silhouette": (
        "the silhouette asks whether whole clusters lie apart, a stricter question than whether nearest neighbours "
        "agree; compare how far it moved with how far kNN accuracy moved"
    ),
}
MNIST_HINT = "pass the course data: mnist = data.load_mnist()"


def _mnist_problem(data: object) -> str | None:
    """Why ``data`` is not the course's images and labels, or None."""
    arrays = [getattr(data, name, None) for name in ("x_train", "y_train", "x_test", "y_test")]
    if not all(isinstance(array, np.ndarray) for array in arrays):
        return f"{shown(data)} is not the course data: {MNIST_HINT}."
    x_train, y_train, x_test, y_test = arrays
    if x_train.ndim != 2 or x_test.ndim != 2 or x_train.shape[1] != x_test.shape[1] or len(x_test) < 10:
        return f"The images of {shown(data)} are not rows of pixels: {MNIST_HINT}."
    if len(y_train) != len(x_train) or len(y_test) != len(x_test):
        return f"The labels of {shown(data)} do not match its images: {MNIST_HINT}."
    if not (np.isfinite(x_train).all() and np.isfinite(x_test).all()):
        return f"The images contain NaN or infinite pixels: {MNIST_HINT}."
    return None


def _knn(fit_codes: np.ndarray, fit_labels: np.ndarray, codes: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Accuracy on ``codes`` of a k-nearest-neighbour classifier fitted on ``fit_codes``."""

    return float(KNeighborsClassifier(n_neighbors=k).fit(fit_codes, fit_labels).score(codes, labels))


def pca_knn_accuracies(data) -> tuple[float, list[tuple[float, str]]]:
    """The course's kNN accuracy of the 2-D PCA codes, and what typical mistakes give, each with what to fix."""
    pca = metrics.pca_representation(data.x_train)
    train, test = pca.encode(data.x_train), pca.encode(data.x_test)
    y_train, y_test, k = data.y_train, data.y_test, metrics.NEIGHBOURS
    expected = metrics.knn_accuracy(train, y_train, test, y_test)
    mistakes = [
        (_knn(train, y_train, train, y_train, k), "That is the accuracy on the training codes, which the classifier "
         "has already seen (each is its own nearest neighbour): score it on the test codes."),
        (_knn(test, y_test, test, y_test, k), "You fitted the classifier on the test codes and scored it on them too: "
         "fit on the training codes (pca.encode(x_train), y_train), score on the test codes."),
        (_knn(test, y_test, train, y_train, k), "Training and test codes are swapped: fit on the training codes, "
         "score on the test codes."),
        (_knn(train, y_train, test, y_test, 1), f"That is k = 1: use n_neighbors=metrics.NEIGHBOURS ({k})."),
        (1 - expected, "That is the error rate, one minus the accuracy: give the share of test codes classified right."),
    ]  # fmt: skip
    if len(data.x_train) * len(data.x_test) <= PIXEL_KNN_LIMIT:
        pixels = _knn(data.x_train, y_train, data.x_test, y_test, k)
        mistakes.append((pixels, "That is the kNN accuracy of the 784 pixels, not of the 2 PCA numbers: encode the "
                         "images first (pca.encode) and classify the codes."))  # fmt: skip
    return expected, mistakes


def _accuracy(answer: object) -> tuple[float | None, list[str], str | None]:
    """An accuracy from 0 to 1 read from ``answer`` (a percentage is converted), notes on the reading, or a problem."""
    if hasattr(answer, "predict") and hasattr(answer, "score"):
        return None, [], "That is the classifier itself: give its accuracy, classifier.score(test_codes, y_test)."
    value, problem = parse_number(answer)
    if value is None:
        return None, [], problem or "Give a number."
    if 1 < value <= 100:
        return value / 100, [f"Read {value:g} as a percentage, {value / 100:.3f} as a share."], None
    if not 0 <= value <= 1:
        return None, [], f"{value:g} cannot be an accuracy: give the share of test codes classified right, from 0 to 1."
    return value, [], None


@coached(
    hint="kNN accuracy is a share of test codes: a classifier learns from the training codes and their digits, "
    "then labels each test code by the vote of its nearest training codes; count how often it is right.",
    recipe="KNeighborsClassifier(n_neighbors=metrics.NEIGHBOURS).fit(pca.encode(x_train), y_train).score(pca_codes, y_test)",
)
def check_pca_knn_accuracy(answer: object, data: object) -> CheckResult:
    """Exercise 1.1: the kNN accuracy of the 2-D PCA codes, computed with scikit-learn.

    Args:
        answer: The student's accuracy (a share from 0 to 1, or a percentage).
        data: The course data (``mnist``); the check computes the course's own number from it.
    """
    title = "Exercise 1.1"
    if answer is Ellipsis:
        return not_answered(title)
    problem = _mnist_problem(data)
    value, notes, answer_problem = _accuracy(answer)
    if problem or answer_problem or value is None:
        return CheckResult(title, fix=[problem or answer_problem or "Give a number."])
    expected, mistakes = pca_knn_accuracies(data)
    if abs(value - expected) <= PCA_KNN_TOLERANCE:
        return CheckResult(
            title,
            right=[
                *notes,
                f"{value:.3f}: the course's metrics.knn_accuracy gives {expected:.3f} for the same codes.",
                f"{metrics.NEIGHBOURS} neighbours vote; {expected:.0%} of the test digits get their own label back, "
                "against 10% by guessing. The rest sit among codes of other digits.",
            ],
        )
    for mistaken, message in mistakes:
        if abs(value - mistaken) <= PCA_KNN_TOLERANCE:
            return CheckResult(title, right=notes, fix=[f"{value:.3f} is not it. {message}"])
    direction = "too high" if value > expected else "too low"
    return CheckResult(title, right=notes, fix=[f"{value:.3f} is {direction} for the kNN accuracy of these codes."])


class Prediction:
    """A prediction of the direction in which measures move, stamped with the time it was recorded.

    Attributes:
        directions: Each measure's name mapped to what the student wrote, e.g. ``{"bce": "lower"}``.
        recorded_at: Seconds since the epoch (``time.time()``) when the prediction was recorded.
    """

    def __init__(self, directions: dict[str, object], recorded_at: float) -> None:
        self.directions = dict(directions)
        self.recorded_at = recorded_at

    @property
    def when(self) -> str:
        """The local time it was recorded, e.g. ``"14:03:52"``."""

        return time.strftime("%H:%M:%S", time.localtime(self.recorded_at))

    def summary(self) -> str:
        """What was predicted, e.g. ``"bce 'lower', knn_accuracy 'higher'"``."""
        return ", ".join(f"{name} {shown(value)}" for name, value in self.directions.items()) or "nothing"

    def __repr__(self) -> str:
        lines = [f"  {name}: {shown(value)}" for name, value in self.directions.items()] or ["  nothing"]
        return "\n".join([f"Prediction recorded at {self.when}:", *lines])


def record_prediction(**directions: object) -> Prediction:
    """Record, before measuring, which way each measure will move, e.g. ``record_prediction(bce="lower")``.

    Say ``"higher"`` or ``"lower"`` (the number itself), or ``"better"`` or ``"worse"``.
    """

    return Prediction(directions, time.time())


def _direction(name: str, said: object) -> tuple[int | None, str | None]:
    """+1 for a predicted rise of measure ``name``, -1 for a fall, or what is wrong with ``said``."""
    word = said.strip().lower() if isinstance(said, str) else None
    if word in DIRECTION_WORDS:
        return DIRECTION_WORDS[word], None
    if word in QUALITY_WORDS:
        better = -1 if name in metrics.LOWER_IS_BETTER else 1
        return (better if word == "better" else -better), None
    return None, f"{name}={shown(said)}: say 'higher' or 'lower' (or 'better' or 'worse')."


def _prediction_problem(prediction: object) -> str | None:
    """Why ``prediction`` is not a complete prediction recorded with :func:`record_prediction`, or None."""
    if not isinstance(prediction, Prediction):
        return (
            f"{shown(prediction)} is not a recorded prediction: write prediction_1_2 = "
            'checks.record_prediction(bce="lower", knn_accuracy="higher") with your own words, before you measure.'
        )
    unknown = [name for name in prediction.directions if name not in metrics.METRIC_DESCRIPTIONS]
    if unknown:
        return f"{unknown[0]!r} is not a measure of the course; use {', '.join(metrics.METRIC_DESCRIPTIONS)}."
    missing = [name for name in PREDICTED_MEASURES if name not in prediction.directions]
    if missing:
        return f"Predict {' and '.join(missing)} too: record_prediction({missing[0]}='higher' or 'lower', ...)."
    problems = [_direction(name, said)[1] for name, said in prediction.directions.items()]
    return next((problem for problem in problems if problem), None)


def _scores_problem(scores: object, ten: dict[str, float], two: dict[str, float]) -> str | None:
    """Why ``scores`` are not the measures of a 10-component PCA, or None."""
    hint = f"measure metrics.pca_representation(x_train, n_components={MORE_COMPONENTS}) with metrics.measure(..., mnist)"
    if not isinstance(scores, Mapping):
        return f"{shown(scores)} are not measures: {hint}."
    values = {name: parse_number(scores.get(name))[0] for name in ten}
    if any(value is None for value in values.values()):
        missing = next(name for name, value in values.items() if value is None)
        return f"The scores have no finite {missing}: {hint}."

    def matches(reference: dict[str, float]) -> bool:
        return all(abs(values[name] - reference[name]) <= SCORE_TOLERANCES.get(name, 0.005) for name in reference)

    if matches(ten):
        return None
    if matches(two):
        return f"These are the measures of the 2-component PCA of notebook 1, not of a 10-component one: {hint}."
    return f"These scores do not match a {MORE_COMPONENTS}-component PCA measured on the test images: {hint}."


def _judged_prediction(prediction: Prediction, key: str) -> tuple[Prediction, str | None]:
    """The prediction to judge: the first one this session, if a later one replaced it after a verdict."""
    first = first_prediction(key, prediction)
    if first is prediction or first.directions == prediction.directions:
        return first, None
    return first, (
        f"You recorded a new prediction after the check had shown you what was measured. Predicting first is the "
        f"point, so the check judges your first one, recorded at {first.when}: {first.summary()}."
    )


def _prediction_verdicts(prediction: Prediction, ten: dict[str, float], two: dict[str, float]) -> list[str]:
    """One line per predicted measure: predicted, measured, held or not, and why."""
    lines = []
    for name, said in prediction.directions.items():
        predicted, _ = _direction(name, said)
        moved = int(np.sign(ten[name] - two[name]))
        held = "it held" if predicted == moved else "it did not hold"
        way = {1: "higher", -1: "lower", 0: "unchanged"}[moved]
        lines.append(
            f"{name}: you predicted {said!s}; with {MORE_COMPONENTS} components it is {way}, {ten[name]:.3f} against "
            f"{two[name]:.3f} with 2: {held}. Why: {WHY_MORE_COMPONENTS[name]}."
        )
    return lines


@coached(
    hint="Predict first, then measure: record a direction for each measure with checks.record_prediction before "
    "you run anything, then measure the 10-component PCA on the course's test images.",
    recipe='prediction_1_2 = checks.record_prediction(bce="lower", knn_accuracy="higher") (your own words); then '
    "scores_1_2 = metrics.measure(metrics.pca_representation(x_train, n_components=10), mnist)",
)
def check_pca_prediction(prediction: object, scores: object, data: object) -> CheckResult:
    """Exercise 1.2: a prediction for a 10-component PCA, recorded first, then the measures that test it.

    The exercise is done ("recorded") when a complete prediction was recorded and the scores are the
    measures of a 10-component PCA; whether each prediction held is reported with a neutral mark,
    never a tick: a wrong prediction that is tested is the lesson, but it is not right.

    Args:
        prediction: From :func:`record_prediction`, run before measuring.
        scores: ``metrics.measure`` of a 10-component PCA.
        data: The course data (``mnist``).
    """
    title = "Exercise 1.2"
    if prediction is Ellipsis or scores is Ellipsis:
        return not_answered(title)
    problem = _prediction_problem(prediction) or _mnist_problem(data)
    if problem is not None or not isinstance(prediction, Prediction):
        return CheckResult(title, fix=[problem or "Record a prediction first."])
    ten = metrics.measure(metrics.pca_representation(data.x_train, MORE_COMPONENTS), data)
    two = metrics.measure(metrics.pca_representation(data.x_train), data)
    problem = _scores_problem(scores, ten, two)
    if problem is not None:
        return CheckResult(title, fix=[problem])
    judged, replaced = _judged_prediction(prediction, title)
    notes = [f"Your prediction, recorded at {judged.when}: {judged.summary()}."] + ([replaced] if replaced else [])
    verdicts = _prediction_verdicts(judged, ten, two)
    held = sum("it did not hold" not in line for line in verdicts)
    notes.append(f"{held} of your {len(verdicts)} predictions held.")
    return CheckResult(
        title,
        right=[f"These are the measures of a {MORE_COMPONENTS}-component PCA, measured after the prediction."],
        notes=notes + verdicts,
        done="recorded",
    )


EXERCISES = (
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
        calls=(Call(check_pca_knn_accuracy, "knn_1_1, mnist"),),
        minutes=10,
        points=2,
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
        calls=(Call(check_pca_prediction, "prediction_1_2, scores_1_2, mnist"),),
        minutes=10,
        points=2,
    ),
)
