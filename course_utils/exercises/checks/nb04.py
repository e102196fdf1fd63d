"""Checks of notebook 4's exercises (ex-4-*): a Keras decoder, where the parameters live, a fair depth experiment."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

from course_utils import metrics, models
from course_utils.exercises import depth_explorer
from course_utils.exercises.exercise import Call, Exercise
from course_utils.exercises.feedback import (
    NOT_ANSWERED,
    CheckResult,
    coached,
    not_answered,
    parse_number,
    shown,
    whole_number,
)
from course_utils.exercises.model_checks import check_decoder

PIXEL_SHARE_TOLERANCE = 0.002
METRIC_LABELS = {"knn_accuracy": "kNN accuracy", "bce": "reconstruction error (BCE)"}
RUN_FIELDS = {"number": int, "depth": int, "epochs": int, "latent_activation": str, "parameters": int, "scores": Mapping}


@coached(
    hint="A decoder runs the encoder backwards, from the 2-number code up to 784 pixels; its last layer must "
    "make each pixel, on its own, a number between 0 and 1, like the images.",
    recipe="keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(10, activation='relu'), "
    "keras.layers.Dense(32, activation='relu'), keras.layers.Dense(784, activation='sigmoid')])",
)
def check_decoder_3(model: object) -> CheckResult:
    """Exercise 4.1: the decoder of ``Autoencoder_3``, ``2 → 10 (ReLU) → 32 (ReLU) → 784 (sigmoid)``."""
    return check_decoder(model, models.ARTICLE_HIDDEN_UNITS["Autoencoder_3"], title="Exercise 4.1")


def pixel_layer_share(hidden_units: Sequence[int]) -> float:
    """Share of an autoencoder's parameters in the two layers that touch the pixels."""
    layers = models.layer_parameters(hidden_units)
    return (layers[0] + layers[-1]) / sum(layers)


def _pixel_share_mistakes(hidden_units: Sequence[int]) -> dict[float, str]:
    """Shares that follow from typical mistakes, each with what to fix."""
    layers = models.layer_parameters(hidden_units)
    sizes = models.layer_sizes(hidden_units)
    total = sum(layers)
    return {
        layers[0] / total: "That is the first layer only: add the decoder's last layer, which also touches the pixels.",
        layers[-1] / total: "That is the last layer only: add the encoder's first layer, which also touches the pixels.",
        (sizes[0] * sizes[1] + sizes[-2] * sizes[-1]) / total: "You left out the biases of those two layers.",
        1 - pixel_layer_share(hidden_units): "That is the share of all the *other* layers: take one minus it.",
    }


def _is_estimate(value: float) -> bool:
    """True for a round share such as 0.5 or 0.25, which a student estimates rather than computes."""
    return round(value, 2) == value


@coached(
    hint="A layer next to the pixels has 784 × 32 weights; a layer in the middle only 32 × 10 or 10 × 2. "
    "Count both layers that touch the pixels, each with its biases, against the whole model.",
    recipe="(784 × 32 + 32) for the encoder's first layer plus (32 × 784 + 784) for the decoder's last layer, "
    "divided by Autoencoder_3's 51,726 parameters.",
)
def check_pixel_layer_share(answer: object) -> CheckResult:
    """Exercise 4.2: the share of ``Autoencoder_3``'s parameters in its first and last layer (a fraction)."""
    title = "Exercise 4.2"
    if answer is Ellipsis:
        return not_answered(title)
    value, problem = parse_number(answer)
    if problem is not None or value is None:
        return CheckResult(title, fix=[problem or "Give a number."])
    right: list[str] = []
    if 1 < value <= 100:
        right.append(f"Read {value:g} as a percentage, {value / 100:.4f} as a fraction.")
        value /= 100
    elif value > 100 or value < 0:
        return CheckResult(title, fix=[f"{value:g} cannot be a share: give a fraction between 0 and 1, for example 0.25."])
    hidden = models.ARTICLE_HIDDEN_UNITS["Autoencoder_3"]
    expected = pixel_layer_share(hidden)
    if abs(value - expected) <= PIXEL_SHARE_TOLERANCE:
        right += [
            f"{expected:.1%} of the 51,726 parameters sit in the two layers next to the 784 pixels (25,120 + 25,872).",
            "The layers added in the middle to make the model deeper cost very few parameters.",
        ]
        return CheckResult(title, right=right)
    direction = "too high" if value > expected else "too low"
    if _is_estimate(value):  # 0.5 lies near the last layer's share, but a round number is a guess, not that mistake
        return CheckResult(
            title, right=right, fix=[f"{value:g} is {direction}; compute the share from the layer table, not by eye."]
        )
    for share, message in _pixel_share_mistakes(hidden).items():
        if abs(value - share) <= PIXEL_SHARE_TOLERANCE:
            return CheckResult(title, right=right, fix=[f"{value:.4f} is not it. {message}"])
    return CheckResult(title, right=right, fix=[f"{value:.4f} is {direction}."])


def fair_depth_pairs(runs: Sequence) -> list[tuple]:
    """Pairs of runs that differ in depth alone (same epochs, same code activation)."""
    pairs = []
    for first, second in itertools.combinations(runs, 2):
        same_rest = first.epochs == second.epochs and first.latent_activation == second.latent_activation
        if same_rest and first.depth != second.depth:
            pairs.append((first, second))
    return pairs


def _fairness(runs: Sequence, result: CheckResult) -> None:
    """Add to ``result`` whether two runs make a fair depth comparison."""
    fair = fair_depth_pairs(runs)
    if fair:
        first, second = fair[0]
        result.right.append(
            f"Runs {first.number} and {second.number} differ only in depth ({first.depth} and {second.depth} "
            f"hidden layers, both {first.epochs} epochs, {first.latent_activation} code): a fair comparison."
        )
    else:
        result.fix.append(
            "No two of your runs differ in depth alone: keep the epochs and the code activation the same and "
            "change only the number of hidden layers."
        )


def _metric_problem(runs: Sequence, metric: object) -> str | None:
    """Why ``metric`` names no measure of the runs, or None."""
    names = sorted({name for run in runs for name in run.scores if isinstance(name, str)}) or list(METRIC_LABELS)
    if isinstance(metric, str) and metric in names:
        return None
    return f"{shown(metric)} is not a measure in your table; use one of {', '.join(names)}."


def _score(run, metric: object) -> float:
    """The run's ``metric`` as a float; NaN when it is missing or not a finite number."""
    value, _ = parse_number(run.scores.get(metric))
    return math.nan if value is None else value


def _best_run_choice(runs: Sequence, best_run: object, metric: object, result: CheckResult) -> None:
    """Add to ``result`` whether ``best_run`` is the number of the run with the best ``metric``."""
    problem = _metric_problem(runs, metric)
    if problem is not None:
        result.fix.append(problem)
        return
    chosen, problem = whole_number(best_run)
    if chosen is None:
        result.fix.append(f"Give the number of a run in your table: {problem}")
        return
    by_number = {run.number: run for run in runs}
    if chosen not in by_number:
        result.fix.append(f"There is no run {chosen}; your runs are numbered {', '.join(map(str, by_number))}.")
        return
    _judge_best_run(by_number[chosen], {run.number: _score(run, metric) for run in runs}, metric, result)


def _judge_best_run(mine, scores: dict[int, float], metric: object, result: CheckResult) -> None:
    """Add to ``result`` whether run ``mine`` has the best finite score; a tie for the best is right too."""
    lower = metric in metrics.LOWER_IS_BETTER
    name, score = METRIC_LABELS.get(metric, metric), scores[mine.number]
    if not math.isfinite(score):
        result.fix.append(
            f"Run {mine.number} has no finite {name} (NaN or missing: its training probably diverged), so it cannot "
            f"be the best: read the {metric} column again."
        )
        return
    finite = [value for value in scores.values() if math.isfinite(value)]
    best = min(finite) if lower else max(finite)
    if score == best:
        result.right.append(
            f"Run {mine.number} ({mine.architecture}, {mine.parameters:,} parameters) has the "
            f"{'lowest' if lower else 'highest'} {name} in your table: {best:.3f}. Is the winner "
            "also the biggest model? Compare the parameter counts before crediting depth alone."
        )
    else:
        result.fix.append(
            f"Run {mine.number} has {name} {score:.3f}, but another run in your table scores "
            f"{'lower' if lower else 'higher'}: read the {metric} column again."
        )


def _explorer_runs(explorer: object) -> list | None:
    """The explorer's runs, or None when ``explorer`` is not a depth explorer."""
    runs = getattr(explorer, "runs", None)
    if not isinstance(runs, (list, tuple)):
        return None
    fields_fit = (isinstance(getattr(run, name, None), kind) for run in runs for name, kind in RUN_FIELDS.items())
    return list(runs) if all(fields_fit) else None


@coached(
    hint="A fair comparison changes one thing only: train runs that differ in depth and keep the epochs and the "
    "code activation the same; then read the winner from your own table, not from the notebook's.",
    recipe="In the explorer, train e.g. 1 and 3 hidden layers, both with the same epochs and a linear code; set "
    "best_run_4_3 to the number (#) of the row with the highest knn_accuracy in the explorer's table.",
)
def check_depth_experiment(explorer: object, best_run: object, metric: object = "knn_accuracy") -> CheckResult:
    """Exercise 4.3: a fair depth comparison in the depth explorer, and its best run.

    Args:
        explorer: The :class:`~course_utils.exercises.depth_explorer.DepthExplorer` the student trained with.
        best_run: The number of the run with the highest kNN accuracy in the explorer's table.
        metric: The score that decides the best run.
    """
    title = "Exercise 4.3"
    if explorer is Ellipsis:
        return not_answered(title)
    runs = _explorer_runs(explorer)
    if runs is None:
        return CheckResult(title, fix=[f"Pass the depth explorer itself (the object you displayed), not {shown(explorer)}."])
    result = CheckResult(title, answered=best_run is not Ellipsis)
    if len(runs) < 2:
        result.fix.append(f"Train at least two models (press Train once per depth); your table has {len(runs)}.")
        return result
    _fairness(runs, result)
    if best_run is Ellipsis:
        result.fix.append(NOT_ANSWERED)
    else:
        _best_run_choice(runs, best_run, metric, result)
    return result


EXERCISES = (
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
        calls=(Call(check_decoder_3, "my_decoder"),),
        minutes=15,
        points=3,
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
        calls=(Call(check_pixel_layer_share, "share_4_2"),),
        minutes=10,
        points=2,
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
            Call(check_depth_experiment, "explorer, best_run_4_3"),
        ),
        minutes=20,
        points=4,
    ),
)
