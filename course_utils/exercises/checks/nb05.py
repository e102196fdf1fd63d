"""Checks of notebook 5's exercises (ex-5-*): which models beat PCA, predicted first, and a code that decodes to a digit."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.neighbors import KNeighborsClassifier

from course_utils import metrics, models, training
from course_utils.exercises import latent_decoder
from course_utils.exercises.checks.common import first_prediction, read_digit
from course_utils.exercises.exercise import Call, Exercise
from course_utils.exercises.feedback import CheckResult, coached, not_answered, parse_number, shown

PCA_PREFIX = "PCA"  # the baseline's row in the scores, e.g. "PCA (2-D)"
SCORES_HINT = "pass the scores dictionary of the cell that measures the models (scores)"
PREDICTION_EXAMPLE = '{"Autoencoder_1": False, "Autoencoder_2": True, "Autoencoder_3": True}'
PREDICTED_METRIC = "silhouette"
METRIC_RANGES = {"silhouette": (-1.0, 1.0), "knn_accuracy": (0.0, 1.0), "trustworthiness": (0.0, 1.0)}

# Why each article model's silhouette lands where it does against PCA's, from the latent plots of notebooks 2 to 5
# (in the depth study of notebook 6, PCA's silhouette is above every autoencoder's in all 20 runs of each model).
BEATS_PCA_REASONS = {
    "Autoencoder_1": (
        "Its codes pile most digits on top of each other (notebook 2's plot): a code is about as close to other "
        "digits as to its own, so its silhouette is below 0."
    ),
    "Autoencoder_2": (
        "Ten ReLU units start to give some digits arms of their own, but the arms are long and meet near the "
        "centre: much of a digit lies farther from the rest of its own codes than from another digit's."
    ),
    "Autoencoder_3": (
        "Its neighbourhoods are the purest of the three (notebook 4: kNN accuracy above PCA's), yet its digits lie "
        "along long arms that meet at a shared centre: a code far out on an arm is far from much of its own digit. "
        "The silhouette asks about whole clusters, kNN accuracy about the 5 nearest codes: different questions."
    ),
}
PCA_SILHOUETTE_REASON = (
    "PCA's projection draws round clouds that overlap: mixed neighbourhoods, but compact clusters, which the "
    "silhouette scores a little higher."
)
OTHER_MODEL_REASON = "Depth, width and training all decide where a model lands against PCA."


def _measure_by_model(scores: object, metric: str) -> tuple[str | None, dict[str, float], str | None]:
    """``(PCA's name, {name: measure}, None)`` from the measured scores, or ``(..., what is wrong)``."""
    if hasattr(scores, "to_dict") and hasattr(scores, "index") and not isinstance(scores, Mapping):
        try:
            scores = scores.to_dict(orient="index")  # metrics.score_table(scores) passed instead
        except Exception:  # a pandas object of another shape
            return None, {}, f"These are not the measured scores: {SCORES_HINT}."
    if not isinstance(scores, Mapping) or not scores:
        return None, {}, f"{shown(scores)} is not the measured scores: {SCORES_HINT}."
    low, high = METRIC_RANGES.get(metric, (-math.inf, math.inf))
    measured: dict[str, float] = {}
    for name, row in scores.items():
        value, _ = parse_number(row.get(metric) if isinstance(row, Mapping) else None)
        if not isinstance(name, str) or value is None or not low <= value <= high:
            return None, {}, f"The scores of {shown(name)} have no {metric} from {low:g} to {high:g}: {SCORES_HINT}."
        measured[name] = value
    baselines = [name for name in measured if name.startswith(PCA_PREFIX)]
    if len(baselines) != 1 or len(measured) < 2:
        return None, {}, f"The scores need one PCA row and at least one autoencoder: {SCORES_HINT}."
    return baselines[0], measured, None


def _predicted_winners(prediction: object, models_named: Sequence[str]) -> tuple[set[str] | None, str | None]:
    """The models predicted to beat PCA, from a dict of yes/no or a set of names; or what is wrong."""
    names = ", ".join(models_named)
    if isinstance(prediction, Mapping):
        unknown = [key for key in prediction if key not in models_named]
        if unknown:
            return None, f"There is no model {shown(unknown[0])} in the scores; the models are {names}."
        missing = [name for name in models_named if name not in prediction]
        if missing:
            return None, f"Say True or False for every model; {', '.join(missing)} is missing."
        for name, beats in prediction.items():
            if not isinstance(beats, (bool, np.bool_)):
                return None, f"Say True (beats PCA) or False for {name}, not {shown(beats)}."
        return {name for name, beats in prediction.items() if beats}, None
    if isinstance(prediction, (set, frozenset, list, tuple)):
        chosen = list(prediction)
        for item in chosen:
            if not isinstance(item, str) or item not in models_named:
                return None, f"{shown(item)} is not a model in the scores; the models are {names}."
        return set(chosen), None
    return None, (
        f"Give a dictionary of True/False per model, such as {PREDICTION_EXAMPLE}, or the set of the models "
        f"that beat PCA, not {type(prediction).__name__} {' '.join(shown(prediction).split())}."
    )


def _beats_pca_line(name: str, predicted: bool, measured: dict[str, float], baseline: str, metric: str) -> str:
    """What was predicted and measured for one model against PCA, whether the prediction held, and why."""
    value, baseline_value = measured[name], measured[baseline]
    beats = value > baseline_value
    reason = BEATS_PCA_REASONS.get(name, OTHER_MODEL_REASON) if metric == PREDICTED_METRIC else OTHER_MODEL_REASON
    return (
        f"{name}: you predicted it {'would' if predicted else 'would not'} beat {baseline}; in this run its "
        f"{metric} is {value:+.3f} against {baseline_value:+.3f}, so it {'does' if beats else 'does not'}: "
        f"{'it held' if predicted == beats else 'it did not hold'}. Why: {reason}"
    )


@coached(
    hint="Commit to a prediction first: for each model, True if you expect its silhouette above PCA's, else "
    "False. Any honest guess counts; the check then says whether it held.",
    recipe='prediction_5_1 = {"Autoencoder_1": False, "Autoencoder_2": False, "Autoencoder_3": True} with your '
    "own True/False per model (or the set of the models you expect to beat PCA, set() for none); then "
    "checks.check_prediction_beats_pca(prediction_5_1, scores) after the measuring cell.",
)
def check_prediction_beats_pca(prediction: object, scores: object, metric: str = PREDICTED_METRIC) -> CheckResult:
    """Exercise 5.1: which of the article's models beat PCA on the silhouette, predicted before the run.

    The prediction is recorded, not marked: the result is "recorded" once a prediction for every
    model is given and the scores are measured scores, and each model's line says, with a neutral
    mark, whether the prediction held in this run and why. A prediction changed after the check has
    shown the measurement is judged by the first one (in this session).

    Args:
        prediction: True/False per model (``{"Autoencoder_1": False, ...}``) or the set of the
            models predicted to beat PCA.
        scores: The measured scores, model name to :func:`course_utils.metrics.measure`'s results,
            with one row whose name starts with "PCA".
        metric: The measure predicted.
    """
    title = "Exercise 5.1"
    if prediction is Ellipsis:
        return not_answered(title)
    baseline, measured, problem = _measure_by_model(scores, metric)
    if problem is not None or baseline is None:
        return CheckResult(title, fix=[problem or f"No PCA row in the scores: {SCORES_HINT}."])
    models_named = [name for name in measured if name != baseline]
    winners, problem = _predicted_winners(prediction, models_named)
    if problem is not None or winners is None:
        return CheckResult(title, fix=[problem or "Give your prediction."])
    first = first_prediction(title, frozenset(winners))
    notes = []
    if first != winners:
        judged = ", ".join(sorted(first)) or "none"
        notes.append(
            "You changed your prediction after the check had shown you the measurement. Predicting first is the "
            f"point, so the check judges your first one (predicted to beat PCA: {judged})."
        )
    lines = [_beats_pca_line(name, name in first, measured, baseline, metric) for name in models_named]
    held = sum("it did not hold" not in line for line in lines)
    notes += lines + [f"{held} of your {len(lines)} predictions held."]
    if metric == PREDICTED_METRIC:
        notes.append(PCA_SILHOUETTE_REASON)
    right = [f"A prediction for every model, judged against the {metric} measured in this run."]
    return CheckResult(title, right=right, notes=notes, done="recorded")


FAR_SHARE = 0.1  # a code farther than this share of the codes' span from every training code is far outside
CODE_EXAMPLE = "two numbers such as (1.5, -3.0)"


def _two_numbers(code: object) -> tuple[np.ndarray | None, str | None]:
    """A code as an array of two finite numbers, or what is wrong with it."""
    if isinstance(code, np.ndarray) and code.shape == (1, 2):
        code = code[0]  # one row of codes, as the encoder returns it
    flat_array = isinstance(code, np.ndarray) and code.ndim == 1
    if isinstance(code, (str, bytes, Mapping)) or not (isinstance(code, Sequence) or flat_array):
        return None, f"Give the code as {CODE_EXAMPLE}, not {shown(code)}."
    if len(code) != 2:
        return None, f"A code of this latent space has 2 numbers, such as (1.5, -3.0); you gave {len(code)}."
    values = []
    for item in code:
        value, _ = parse_number(item)
        if value is None:
            return None, f"{shown(item)} is not a finite number: give the code as {CODE_EXAMPLE}."
        values.append(value)
    return np.array(values), None


def _course_autoencoder(model: object) -> models.Autoencoder | None:
    """The course autoencoder in ``model`` (itself, or a trained model's ``.autoencoder``), or None."""
    autoencoder = getattr(model, "autoencoder", None) if not isinstance(model, models.Autoencoder) else model
    return autoencoder if isinstance(autoencoder, models.Autoencoder) else None


def _training_images(data: object) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The training images and their digits, when ``data`` is the course data; else ``(None, None)``."""
    images, labels = getattr(data, "x_train", None), getattr(data, "y_train", None)
    if not isinstance(images, np.ndarray) or not isinstance(labels, np.ndarray):
        return None, None
    if images.ndim != 2 or labels.shape != (len(images),) or len(images) < metrics.NEIGHBOURS:
        return None, None
    return images, labels


def _far_outside(code: np.ndarray, train_codes: np.ndarray) -> str | None:
    """Why ``code`` is far from every training code, or None when training codes lie near it."""
    nearest = float(np.min(np.linalg.norm(train_codes - code, axis=1)))
    span = float(np.linalg.norm(train_codes.max(axis=0) - train_codes.min(axis=0)))
    if nearest <= FAR_SHARE * span:
        return None
    low, high = train_codes.min(axis=0), train_codes.max(axis=0)
    return (
        f"({code[0]:.2f}, {code[1]:.2f}) is far outside the training codes: the nearest is {nearest:.3g} away, "
        f"more than a tenth of their span ({span:.3g}). They run from {low[0]:.3g} to {high[0]:.3g} in dimension 1 "
        f"and from {low[1]:.3g} to {high[1]:.3g} in dimension 2. No training image has a code there, so the "
        "decoder never learned what to make of it: pick a point among the codes of the latent plot."
    )


def _looks_like(image: np.ndarray, images: np.ndarray, labels: np.ndarray) -> tuple[int, int]:
    """The digit a decoded image looks like, by its nearest training images' pixels, and their votes for it."""

    classifier = KNeighborsClassifier(n_neighbors=metrics.NEIGHBOURS).fit(images, labels)
    digit = int(classifier.predict(image)[0])
    neighbours = classifier.kneighbors(image, return_distance=False)[0]
    return digit, int(np.sum(labels[neighbours] == digit))


@coached(
    hint="Every point of the latent plane is a code the decoder turns into an image; the 3s' training codes lie "
    "where the 3s are drawn in the latent plot.",
    recipe='code_5_2 = tuple(plots.digit_medians(train_codes["Autoencoder_3"], y_train)[3]): the centre '
    "(median) of the 3s' training codes, the bold 3 of the plot.",
)
def check_decoded_digit(code: object, digit: object, model: object, data: object) -> CheckResult:
    """Exercise 5.2: a 2-number code that the model's decoder turns into an image of ``digit``.

    The decoded image counts as a ``digit`` when most of its 5 nearest training images (by their
    pixels, a k-nearest-neighbour classifier of scikit-learn) show that digit.

    Args:
        code: The student's code, two numbers such as ``(1.5, -3.0)``.
        digit: The digit the code should decode to.
        model: The trained autoencoder (``trained["Autoencoder_3"]`` or its ``.autoencoder``).
        data: The course data, for the training images and their digits.
    """
    title = "Exercise 5.2"
    if code is Ellipsis:
        return not_answered(title)
    autoencoder, (images, labels), target = _course_autoencoder(model), _training_images(data), read_digit(digit)
    if autoencoder is None or images is None or labels is None or target is None:
        call = 'check_decoded_digit(code_5_2, 3, trained["Autoencoder_3"], mnist)'
        return CheckResult(title, fix=[f"Call the check as in the notebook: {call}."])
    point, problem = _two_numbers(code)
    if point is None:
        return CheckResult(title, fix=[problem or f"Give the code as {CODE_EXAMPLE}."])
    with np.errstate(all="ignore"):
        train_codes = training.encode(autoencoder, images)
        image = training.decode(autoencoder, point[None, :].astype("float32"))
    if not np.isfinite(train_codes).all() or not np.isfinite(image).all():
        return CheckResult(title, fix=["The model gives NaN or infinite values: it diverged; train it again."])
    looks_like, votes = _looks_like(image, images, labels)
    seen = (
        f"({point[0]:.2f}, {point[1]:.2f}) decodes to an image that looks like a {looks_like}: "
        f"{votes} of its {metrics.NEIGHBOURS} nearest training images (by pixels) are {looks_like}s."
    )
    far = _far_outside(point, train_codes)
    if far is not None:
        drawn = f"The decoder still draws something there (a {looks_like}, by pixels), but nothing it learned."
        return CheckResult(title, fix=[far, drawn])
    if looks_like != target:
        return CheckResult(
            title, fix=[f"{seen} Move towards the {target}s: the bold {target} in the latent plot marks their centre."]
        )
    return CheckResult(
        title,
        right=[
            seen,
            "The decoder turns every code into an image, also codes that no training image has: this one it "
            f"draws as a {target}.",
        ],
    )


EXERCISES = (
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
        calls=(Call(check_prediction_beats_pca, "prediction_5_1, scores"),),
        minutes=5,
        points=1,
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
            Call(check_decoded_digit, 'code_5_2, 3, trained["Autoencoder_3"], mnist'),
        ),
        minutes=15,
        points=3,
    ),
)
