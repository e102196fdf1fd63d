"""The depth study: every depth for several seeds, measured, summarised, plotted and saved."""

from __future__ import annotations

import collections
import contextlib
import functools
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from course_utils import environment, metrics, models, plots, results, training
from course_utils.backend import keras
from course_utils.data import MnistData, load_offline_subset, split_validation

PCA_NAME = "PCA (2-D)"
# Depth = encoder layers including the 2-unit code. Depths 1-3 are the article's models; deeper
# ones add a layer on the image side, about doubling the width, so every step still compresses.
HIDDEN_UNITS_BY_DEPTH: dict[int, tuple[int, ...]] = {
    1: (),
    2: (10,),
    3: (32, 10),
    4: (64, 32, 10),
    5: (128, 64, 32, 10),
}


@dataclass(frozen=True)
class ControlModel:
    """A model of one depth built to the size of an article model of another depth."""

    name: str
    hidden_units: tuple[int, ...]
    matches: str  # the article model whose parameter count it matches

    @property
    def depth(self) -> int:
        """Encoder layers including the 2-unit code, as in :data:`HIDDEN_UNITS_BY_DEPTH`."""
        return len(self.hidden_units) + 1


# In the article's models depth and size grow together (3,922 -> 16,526 -> 51,726 parameters), so
# a gain could come from either. Each control keeps one and changes the other: a two-layer model the
# size of Autoencoder_3 (52,728 parameters) and a three-layer model the size of Autoencoder_2 (16,746).
CONTROLS = {
    control.name: control
    for control in (
        ControlModel("Autoencoder_2_wide", (33,), "Autoencoder_3"),
        ControlModel("Autoencoder_3_narrow", (10, 10), "Autoencoder_2"),
    )
}
# A control counts as the same size when its parameters are within this fraction of the model it matches.
SIZE_TOLERANCE = 0.02
# The controlled comparisons, as (model, baseline): one more layer at (about) the same size ...
DEPTH_AT_EQUAL_SIZE = (("Autoencoder_3", "Autoencoder_2_wide"), ("Autoencoder_3_narrow", "Autoencoder_2"))
# ... and about three times the parameters at the same depth.
SIZE_AT_EQUAL_DEPTH = (("Autoencoder_2_wide", "Autoencoder_2"), ("Autoencoder_3", "Autoencoder_3_narrow"))
CONTROL_COMPARISONS = DEPTH_AT_EQUAL_SIZE + SIZE_AT_EQUAL_DEPTH
METRIC_NAMES = tuple(metrics.METRIC_DESCRIPTIONS)
FILES = ("runs.csv", "summary.csv", "figure.png", results.MANIFEST)
# Ten seeds per model: with three, the kNN verdicts flipped between TensorFlow and JAX.
DEFAULT_SEEDS = tuple(range(10))
# The backend whose saved study the book shows, and that a student sees when their own would take long.
REFERENCE_BACKEND = "tensorflow"
# Announce and offer the saved results instead of training for longer than this.
DEFAULT_MAX_MINUTES = 2.0


@dataclass(frozen=True)
class StudyConfig:
    """What the study trains: depths, seeds, the training settings shared by all runs, and control models.

    ``controls`` names models of :data:`CONTROLS` trained beside the depths (the course's study,
    :data:`DEPTH_STUDY`, has them all; a quick study may have none). With ``patience``, every run
    holds out a validation split of its training images (:func:`data.split_validation`) and stops
    once the validation loss has not fallen for that many epochs, keeping its best weights; the
    settings' ``epochs`` is then the most it may train (:data:`CONVERGED_STUDY`).
    """

    depths: tuple[int, ...] = (1, 2, 3)
    seeds: tuple[int, ...] = DEFAULT_SEEDS
    settings: training.TrainingSettings = field(default_factory=training.TrainingSettings)
    controls: tuple[str, ...] = ()
    patience: int | None = None

    def __post_init__(self) -> None:
        unknown = [depth for depth in self.depths if depth not in HIDDEN_UNITS_BY_DEPTH]
        if unknown or not self.depths:
            raise ValueError(f"depths must be chosen from {sorted(HIDDEN_UNITS_BY_DEPTH)}, not {list(self.depths)}.")
        if not self.seeds:
            raise ValueError("give at least one seed.")
        if self.patience is not None and (isinstance(self.patience, bool) or not isinstance(self.patience, int)):
            raise ValueError(f"patience must be a whole number of epochs, or None, not {self.patience!r}.")
        if self.patience is not None and not 1 <= self.patience < self.settings.epochs:
            raise ValueError(f"patience must lie between 1 and the epochs ({self.settings.epochs}), not {self.patience}.")
        strangers = [name for name in self.controls if name not in CONTROLS]
        if strangers:
            raise ValueError(f"controls must be chosen from {sorted(CONTROLS)}, not {strangers}.")

    def models(self) -> list[tuple[str, tuple[int, ...]]]:
        """Every model the study trains, as (name, hidden units): the depths, then the controls."""
        depths = [(model_name(depth), HIDDEN_UNITS_BY_DEPTH[depth]) for depth in self.depths]
        return depths + [(name, CONTROLS[name].hidden_units) for name in self.controls]


# The course's depth study (notebook 6, ``python -m course_utils study``): the article's three
# models and the controls, ten seeds each, with the course's training settings.
DEPTH_STUDY = StudyConfig(controls=tuple(CONTROLS))
# Is a model worse than PCA only because 30 epochs are too few for it? The article's models trained
# until their validation loss stops falling (at most MAX_EPOCHS), ten seeds each.
MAX_EPOCHS = 300
CONVERGED_STUDY = StudyConfig(settings=training.TrainingSettings(epochs=MAX_EPOCHS), patience=10)


@dataclass(frozen=True)
class StudyResult:
    """One row per run, and the summary of each model over its seeds."""

    config: StudyConfig
    runs: list[dict]
    data_description: str

    def summary(self) -> list[dict]:
        """Per model: parameters, and each metric's mean and standard deviation over seeds."""
        return summarise(self.runs)

    def table(self) -> pd.DataFrame:
        """The summary, ``mean ± sd`` per metric."""
        return summary_table(self.summary())

    def mean(self, model: str, metric: str) -> float:
        """The mean of ``metric`` over the seeds of ``model``."""
        return statistics.fmean(run[metric] for run in self.runs if run["model"] == model)


@dataclass(frozen=True)
class MeasuredRun:
    """The loss curves and the test measures of one training run."""

    history: dict[str, list[float]]
    scores: dict[str, float]


def train_and_measure(
    model: models.Autoencoder,
    x_train: np.ndarray,
    x_val: np.ndarray | None,
    data: MnistData,
    settings: training.TrainingSettings,
    seed: int,
    callbacks: Sequence = (),
    saved: Path | None = None,
    verbose: bool = True,
) -> MeasuredRun:
    """Train a model, then measure it on ``data``'s test images; keep the result in the file ``saved``.

    When ``saved`` (a ``.json`` file) holds the result of an identical run (same initial weights,
    images, settings, seed, callbacks, library and code versions), it is loaded instead; otherwise
    the new result replaces it. Only the curves and the measures are kept, a few kilobytes.
    """
    key = results.key(training.run_key(model, x_train, x_val, settings, seed, callbacks), data.x_test, data.y_test)
    stored = results.load_json(saved, key) if saved is not None else None
    if stored is not None:
        if verbose:
            print(f"Loaded the saved result of this exact run of {model.name}")
            print(f"from {saved}.")
        return MeasuredRun(stored["history"], stored["scores"])
    if saved is not None:
        holds = "holds another run (other code, data, settings or library versions)" if saved.exists() else "is missing"
        print(f"The saved result {saved} {holds}: training {model.name}.", flush=True)
    history = training.train(model, x_train, x_val, settings, seed=seed, verbose=verbose, callbacks=callbacks)
    run = MeasuredRun(history.history, metrics.measure(metrics.autoencoder_representation(model), data))
    if saved is not None:
        results.save_json(saved, key, {"history": run.history, "scores": run.scores})
    return run


def model_name(depth: int) -> str:
    """The model of a depth, named as in the article: ``Autoencoder_<depth>``."""
    return f"Autoencoder_{depth}"


def measure_depth(depth: int, seed: int, data: MnistData, settings: training.TrainingSettings) -> dict:
    """One run of the study: train the model of ``depth`` from ``seed`` and measure it on the test images."""
    return measure_model(model_name(depth), HIDDEN_UNITS_BY_DEPTH[depth], seed, data, settings)


def measure_model(
    name: str,
    hidden_units: Sequence[int],
    seed: int,
    data: MnistData,
    settings: training.TrainingSettings,
    patience: int | None = None,
) -> dict:
    """One run of the study: train the model ``name`` from ``seed`` and measure it on the test images.

    With ``patience`` it trains on a part of the training images and stops by the validation loss
    of the rest (see :class:`StudyConfig`); the row then says after how many epochs (``epochs``).
    """
    model = models.build_autoencoder(hidden_units, name=name, seed=seed)
    if patience is None:
        training.train(model, data.x_train, None, settings, seed=seed, verbose=False)
        stopped = {}
    else:
        x_fit, _, x_val, _ = split_validation(data.x_train, data.y_train)
        stop = keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)
        history = training.train(model, x_fit, x_val, settings, seed=seed, verbose=False, callbacks=[stop])
        stopped = {"epochs": len(history.history["loss"]), "best_epoch": int(np.argmin(history.history["val_loss"])) + 1}
    scores = metrics.measure(metrics.autoencoder_representation(model), data)
    depth = len(hidden_units) + 1
    return {"model": model.name, "depth": depth, "seed": seed, "parameters": model.count_params(), **stopped, **scores}


def run_study(config: StudyConfig, data: MnistData, verbose: bool = True, runner: Runner | None = None) -> StudyResult:
    """Train every model (depths and controls) for every seed, measure each run, and measure PCA once per seed.

    Args:
        config: Depths, seeds and training settings.
        data: Training and test images.
        verbose: Print a line per run.
        runner: Runs the trainings: :func:`run_one_by_one` (the default) or one that trains them in
            worker processes or on a Dask cluster (``python -m course_utils study --jobs N``). The
            numbers are the same whatever the runner.
    """
    tasks = [
        (name, units, seed, data, config.settings, config.patience)
        for name, units in config.models()
        for seed in config.seeds
    ]
    run = runner or functools.partial(run_one_by_one, verbose=verbose)
    runs = run(measure_model, tasks, lambda task: f"{task[0]} seed {task[2]}")
    pca = metrics.pca_representation(data.x_train)
    pca_scores = metrics.measure(pca, data)
    # PCA has no random start: the same numbers for every seed, a spread of exactly zero.
    runs.extend(
        {"model": PCA_NAME, "depth": 0, "seed": seed, "parameters": pca.parameters, **pca_scores} for seed in config.seeds
    )
    return StudyResult(config, runs, data.description)


Runner = Callable[[Callable[..., dict], Sequence[tuple], Callable[[tuple], str]], list[dict]]
# Given a study's estimated seconds (one run after another) and its number of runs before it
# trains; raises to stop it (see load_or_run).
Approval = Callable[[float, int], None]


def run_one_by_one(
    function: Callable[..., dict], tasks: Sequence[tuple], describe: Callable[[tuple], str], verbose: bool = True
) -> list[dict]:
    """``function(*task)`` for every task, one after another in this process, with a progress line each.

    This is the runner of :func:`run_study`; ``python -m course_utils study --jobs N`` passes one
    that trains in worker processes instead (``course_utils/maintain/parallel.py``).
    """
    progress = progress_printer(len(tasks), describe, verbose)
    results = []
    for number, task in enumerate(tasks, start=1):
        progress(number, task, "")
        results.append(function(*task))
    return results


def progress_printer(total: int, describe: Callable[[tuple], str], verbose: bool) -> Callable[[int, tuple, str], None]:
    """A function that prints ``[number/total] <task> (seconds so far, about how many left)``, when ``verbose``."""
    started = time.perf_counter()

    def progress(number: int, task: tuple, done: str) -> None:
        if verbose:
            elapsed = time.perf_counter() - started
            finished = number if done else number - 1
            left = f", about {elapsed / finished * (total - finished):.0f} s left" if finished and finished < total else ""
            print(f"[{number}/{total}] {done}{describe(task)} ({elapsed:.0f} s so far{left})", flush=True)

    return progress


def summarise(runs: Sequence[dict]) -> list[dict]:
    """Group runs by model; report mean and standard deviation (n-1) of every metric."""
    groups: dict[str, list[dict]] = {}
    for run in runs:
        groups.setdefault(run["model"], []).append(run)
    summary = []
    for name, members in groups.items():
        row = {
            "model": name,
            "depth": members[0]["depth"],
            "parameters": members[0]["parameters"],
            "seeds": len(members),
        }
        if "epochs" in members[0]:  # a study that stops by the validation loss (StudyConfig.patience)
            row["epochs_mean"] = statistics.fmean(member["epochs"] for member in members)
        for metric in METRIC_NAMES:
            values = [float(member[metric]) for member in members if metric in member]
            row[f"{metric}_mean"] = statistics.fmean(values)
            row[f"{metric}_sd"] = statistics.stdev(values) if len(values) > 1 else 0.0
        summary.append(row)
    return summary


def summary_table(summary: Sequence[dict]) -> pd.DataFrame:
    """One row per model: its parameters and ``mean ± sd`` of each measure over the seeds."""
    rows = {
        row["model"]: {
            "parameters": row["parameters"],
            **{metric: _mean_and_spread(row, metric) for metric in METRIC_NAMES},
        }
        for row in summary
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def _mean_and_spread(row: dict, metric: str) -> str:
    """``mean ± sd``; one seed has no spread to show (its 0 would read as "the same for every seed")."""
    mean = f"{row[f'{metric}_mean']:.4f}"
    return f"{mean} (one seed)" if row["seeds"] < 2 else f"{mean} ± {row[f'{metric}_sd']:.4f}"


def study_figure(summary: Sequence[dict], title: str = "Latent quality against depth (mean ± sd over seeds)") -> Figure:
    """Each metric against depth with error bars, the controls left out; PCA as a dashed line.

    See :func:`plots.plot_measures_by_depth`; :func:`control_figure` shows the controls.
    """
    return plots.plot_measures_by_depth(
        [row for row in summary if row["model"] not in CONTROLS],
        METRIC_NAMES,
        baseline=PCA_NAME,
        lower_is_better=metrics.LOWER_IS_BETTER,
        title=title,
    )


def control_table(summary: Sequence[dict]) -> pd.DataFrame:
    """One row per control model of a study: its encoder, its size, and the article model whose size it matches."""
    sizes = {row["model"]: row["parameters"] for row in summary}
    rows = {
        name: {
            "encoder": "-".join(map(str, models.layer_sizes(control.hidden_units)[: control.depth + 1])),
            "parameters": sizes[name],
            "matches": f"{control.matches} ({sizes[control.matches]:,})",
            "size difference": f"{sizes[name] / sizes[control.matches] - 1:+.1%}",
        }
        for name, control in CONTROLS.items()
        if name in sizes and control.matches in sizes
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def control_figure(summary: Sequence[dict], title: str = "Depth or size? (mean ± sd over seeds)") -> Figure:
    """Each metric against the number of parameters, one line per depth: the controls beside the article's models.

    Points of one depth share a line, so a line's slope is what size does at equal depth, and the
    gap between lines at the same size is what depth does (:func:`plots.plot_measures_by_size`).
    """
    return plots.plot_measures_by_size(
        summary, METRIC_NAMES, baseline=PCA_NAME, lower_is_better=metrics.LOWER_IS_BETTER, title=title
    )


def fingerprint(config: StudyConfig, data: MnistData, versions: dict[str, str] | None = None) -> str:
    """What decides the study's numbers: settings, data, library versions (default: those in use), code version."""
    sample = data.x_train[:: max(1, len(data.x_train) // 500)]
    description = f"{data.source}:{len(data.x_train)}:{len(data.x_test)}"
    return results.key(_config_dict(config), description, sample, versions=versions)


def _config_dict(config: StudyConfig) -> dict:
    saved = {"depths": list(config.depths), "seeds": list(config.seeds), "settings": asdict(config.settings)}
    if config.controls:  # only then: a study without controls keeps the fingerprint it had before they existed
        saved["controls"] = {name: list(CONTROLS[name].hidden_units) for name in config.controls}
    if config.patience is not None:
        saved["patience"] = config.patience
    return saved


def save(result: StudyResult, directory: Path, key: str) -> None:
    """Write the study to ``directory`` (:func:`course_utils.results.save_folder`): runs, summary, figure, manifest."""
    meta = {"config": _config_dict(result.config), "data": result.data_description, "made_with": made_with()}
    tables = {"runs": pd.DataFrame(result.runs), "summary": pd.DataFrame(result.summary())}
    results.save_folder(directory, key, meta, tables, study_figure(result.summary()))


def load(directory: Path, config: StudyConfig, key: str | None) -> StudyResult | None:
    """The study saved in ``directory`` if made with this key (None: any), intact, and with every run of ``config``."""
    saved = results.load_folder(directory, key)
    if saved is None or "runs" not in saved.tables:
        return None
    runs = [_typed(row) for row in saved.tables["runs"].to_dict("records")]
    names = [name for name, _ in config.models()] + [PCA_NAME]
    expected = [f"{name} seed {seed}" for name in names for seed in config.seeds]
    problem = runs_problem([f"{run['model']} seed {run['seed']}" for run in runs], expected)
    if problem:
        print(f"Note: the saved study in {directory} {problem}: it is not used.")
        return None
    return StudyResult(config, runs, saved.meta["data"])


def made_with() -> dict[str, str]:
    """What made a result here: Keras, its backend and that backend's version, and the processor."""
    return {**results.library_versions(), "processor": environment.processor()}


def runs_problem(found: Sequence[str], expected: Sequence[str]) -> str:
    """How the runs of a saved study (each named, e.g. "Autoencoder_2 seed 3") differ from its configuration's.

    Returns:
        What is missing, held twice or not of the configuration, named (three at most of each);
        empty when each expected run is there once and there is no other.
    """
    counts = collections.Counter(found)
    wanted = set(expected)
    kinds = {
        "lacks": [name for name in expected if name not in counts],
        "holds twice": [name for name, count in counts.items() if count > 1],
        "holds runs its configuration does not make:": [name for name in counts if name not in wanted],
    }
    return "; ".join(f"{kind} {_first_three(names)}" for kind, names in kinds.items() if names)


def _first_three(names: Sequence[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


WHOLE_NUMBER_COLUMNS = ("depth", "seed", "parameters", "epochs", "best_epoch")


def _typed(row: dict) -> dict:
    typed: dict = {"model": row["model"]}
    for key, value in row.items():
        if key != "model" and not pd.isna(value):  # PCA's rows have no epochs
            typed[key] = int(float(value)) if key in WHOLE_NUMBER_COLUMNS else float(value)
    return typed


def backend_directory(directory: Path, backend: str | None = None, source: str = "subset") -> Path:
    """The folder of one backend's saved study on one data source inside ``directory``.

    Each backend draws its own numbers, so each keeps its own study; a study on other data than
    the course's subset gets a folder of its own and never replaces the book's.
    """
    name = backend or keras.backend.backend()
    return Path(directory) / (name if source == "subset" else f"{name}-{source}")


def load_saved(directory: Path, backend: str = REFERENCE_BACKEND) -> StudyResult | None:
    """The study saved for ``backend`` in ``directory``, whatever code or data made it (its text says which)."""
    folder = backend_directory(directory, backend)
    saved = results.load_folder(folder)
    if saved is None:
        return None
    try:
        config = _config_from_dict(saved.meta["config"])
    except (KeyError, TypeError, ValueError):
        return None
    return load(folder, config, None)


def _config_from_dict(saved: dict) -> StudyConfig:
    settings = training.TrainingSettings(**saved["settings"])
    controls = tuple(saved.get("controls", ()))
    return StudyConfig(tuple(saved["depths"]), tuple(saved["seeds"]), settings, controls, saved.get("patience"))


def saved_runs(directory: Path, model: str, backends: Sequence[str] = ("tensorflow", "jax")) -> list[dict]:
    """Every run of ``model`` in the studies saved for ``backends`` in ``directory`` (a missing study adds none)."""
    studies = [load_saved(directory, backend) for backend in backends]
    return [run for result in studies if result is not None for run in result.runs if run["model"] == model]


def saved_study(directory: Path, backend: str = REFERENCE_BACKEND) -> StudyResult:
    """The study saved for ``backend`` in ``directory``; if there is none, an empty study, after one sentence.

    An empty study has no runs, so the tables made from it are empty and the cells that read it
    still run: a notebook handed out without its ``results/`` folder goes on to its exercises.
    """
    saved = load_saved(directory, backend)
    if saved is not None:
        return saved
    folder = backend_directory(directory, backend)
    print(
        f"No saved {backend} study in {folder}: its tables stay empty. Copy the course's results/ folder next to "
        "this notebook (`python -m course_utils release` writes it beside the student copies)."
    )
    return StudyResult(StudyConfig(), [], f"no saved study in {folder}")


def saved_histories(folder: Path) -> dict[str, dict[str, list[float]]]:
    """The loss curves of the runs :func:`train_and_measure` saved in ``folder``, by file name (no ``.json``).

    A missing folder, or one with no readable run, gives an empty dict after one sentence.
    """
    histories = {}
    for path in sorted(Path(folder).glob("*.json")):
        with contextlib.suppress(KeyError, TypeError, ValueError):
            histories[path.stem] = dict((results.load_json(path, None) or {})["history"])
    if not histories:
        print(
            f"No saved runs in {folder}: the verdicts that read them stay empty. Run notebook 7 first, or copy the "
            "course's results/ folder next to this notebook."
        )
    return histories


def estimate_seconds(config: StudyConfig, data: MnistData) -> float:
    """About how long :func:`run_study` takes here (every run timed as the deepest, an upper bound)."""
    fixed, per_image = seconds_per_epoch(max(config.depths), data.x_train, config.settings.batch_size)
    runs = len(config.models()) * len(config.seeds)
    return (fixed + per_image * len(data.x_train)) * config.settings.epochs * runs


def seconds_per_epoch(depth: int, images: np.ndarray, batch_size: int = 32, sample: int = 2_000) -> tuple[float, float]:
    """What an epoch of a ``depth`` model costs here: fixed seconds per epoch, and seconds per image.

    Times an epoch on ``sample`` images and on a tenth of them (each time the second of two epochs,
    as the first also compiles), so that short runs of many epochs are not underestimated.
    """
    large = images[:sample]
    small = large[: max(batch_size, len(large) // 10)]
    times = []
    for subset in (large, small):
        model = models.build_autoencoder(HIDDEN_UNITS_BY_DEPTH[depth], name="timing", seed=0)
        seconds: list[float] = []
        timing = training.TrainingSettings(epochs=2, batch_size=batch_size)
        training.train(model, subset, None, timing, seed=0, verbose=False, callbacks=[_EpochTimer(seconds)])
        times.append(seconds[-1])
    per_image = max(times[0] - times[1], 0.0) / max(len(large) - len(small), 1)
    return max(times[1] - per_image * len(small), 0.0), per_image


def affordable_data(
    data: MnistData, runs: Sequence[tuple[int, int, int]], max_minutes: float | None = DEFAULT_MAX_MINUTES
) -> MnistData:
    """``data`` when a notebook's training runs on it take at most ``max_minutes`` here, else the course's subset.

    Args:
        data: The data the student loaded.
        runs: ``(depth, training images, epochs)`` of every run the notebook trains.
        max_minutes: The longest a notebook may train unasked; ``None`` always keeps ``data``.

    Returns:
        ``data``; or, after a message with the estimate that says how to train anyway, the
        course's subset, whose runs are saved with the course (the book's results).
    """
    if max_minutes is None or data.source == "subset" or environment.reference_run():
        return data
    fixed, per_image = seconds_per_epoch(max(run[0] for run in runs), data.x_train)  # the deepest: an upper bound
    estimate = sum((fixed + per_image * images) * epochs for _, images, epochs in runs)
    if estimate <= 60 * max_minutes:
        return data
    print(
        f"Training this notebook's {len(runs)} models on your data would take about {estimate / 60:.0f} minutes "
        "here. It uses the course's subset instead, whose runs are saved (the book's results); pass "
        "max_minutes=None to train on your data."
    )
    return load_offline_subset("the book's saved runs")


class _EpochTimer(keras.callbacks.Callback):
    def __init__(self, seconds: list[float]) -> None:
        super().__init__()
        self.seconds, self.started = seconds, 0.0

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.seconds.append(time.perf_counter() - self.started)


def load_or_run(
    config: StudyConfig,
    data: MnistData,
    directory: Path,
    verbose: bool = True,
    max_minutes: float | None = DEFAULT_MAX_MINUTES,
    runner: Runner | None = None,
    approve: Approval | None = None,
) -> StudyResult:
    """Load this backend's saved study if the code, settings and data that made it are unchanged; else run it.

    A study that would train for longer than ``max_minutes`` is not run: its estimate is printed
    and the saved results of the book's run are returned instead (``max_minutes=None`` runs it).
    The reference run (``environment.reference_run``) always runs a study it needs. ``runner``
    says where the runs train (:func:`run_study`); it does not change the numbers. ``approve`` is
    given the estimate in seconds and the number of runs before anything trains, and raises to
    stop (the command line's ``--yes``).
    """

    folder = backend_directory(directory, source=data.source)
    key = fingerprint(config, data)
    saved = load(folder, config, key)
    if saved is not None:
        if verbose:
            print(f"Loaded the saved study from {folder}")
            print("(made by this code with these settings and data).")
        return saved
    runs = len(config.models()) * len(config.seeds)
    estimate = estimate_seconds(config, data)
    reference = load_saved(directory)
    too_long = max_minutes is not None and estimate > 60 * max_minutes and not environment.reference_run()
    if too_long and reference is not None:
        print(
            f"Running this study on your data and backend would train {runs} models for about {estimate / 60:.0f} "
            f"minutes. Showing the saved results of the book's run instead ({REFERENCE_BACKEND}, the course's "
            "subset of 5,000 digits). To run it yourself, pass max_minutes=None."
        )
        return reference
    print(
        f"No saved study for these settings in {folder}: training {runs} models, about {estimate / 60:.1f} minutes "
        "one after another."
    )
    if approve is not None:
        approve(estimate, runs)
    result = run_study(config, data, verbose, runner)
    try:
        save(result, folder, key)
    except OSError as error:  # the finished study is still returned: no training is lost
        print(f"Note: the study could not be saved in {folder} ({type(error).__name__}: {error}); it is kept in memory.")
    return result
