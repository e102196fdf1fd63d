"""The depth study: every depth for several seeds, measured, summarised, plotted and saved."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from course_utils import cache, environment, metrics, models, plots, training
from course_utils.backend import keras
from course_utils.data import MnistData, load_offline_subset

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
METRIC_NAMES = tuple(metrics.METRIC_DESCRIPTIONS)
FILES = ("runs.csv", "summary.csv", "study.png", "study.json")
# Ten seeds per model: with three, the kNN verdicts flipped between TensorFlow and JAX.
DEFAULT_SEEDS = tuple(range(10))
# The backend whose saved study the book shows, and that a student sees when their own would take long.
REFERENCE_BACKEND = "tensorflow"
SIGNIFICANCE = 0.05
# Announce and offer the saved results instead of training for longer than this.
DEFAULT_MAX_MINUTES = 2.0
CLEAR = {1: "clearly better", -1: "clearly worse"}
NOT_SHOWN = "not shown"
NOT_SETTLED = "not settled"


@dataclass(frozen=True)
class StudyConfig:
    """What the study trains: depths, seeds and the training settings shared by all runs."""

    depths: tuple[int, ...] = (1, 2, 3)
    seeds: tuple[int, ...] = DEFAULT_SEEDS
    settings: training.TrainingSettings = field(default_factory=training.TrainingSettings)

    def __post_init__(self) -> None:
        unknown = [depth for depth in self.depths if depth not in HIDDEN_UNITS_BY_DEPTH]
        if unknown or not self.depths:
            raise ValueError(f"depths must be chosen from {sorted(HIDDEN_UNITS_BY_DEPTH)}, not {list(self.depths)}.")
        if not self.seeds:
            raise ValueError("give at least one seed.")


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
    key = cache.key(training.run_key(model, x_train, x_val, settings, seed, callbacks), data.x_test, data.y_test)
    stored = cache.load_json(saved, key) if saved is not None else None
    if stored is not None:
        if verbose:
            print(f"Loaded the saved result of this exact run of {model.name}")
            print(f"from {saved}.")
        return MeasuredRun(stored["history"], stored["scores"])
    history = training.train(model, x_train, x_val, settings, seed=seed, verbose=verbose, callbacks=callbacks)
    run = MeasuredRun(history.history, metrics.measure(metrics.autoencoder_representation(model), data))
    if saved is not None:
        cache.save_json(saved, key, {"history": run.history, "scores": run.scores})
    return run


def model_name(depth: int) -> str:
    """The model of a depth, named as in the article: ``Autoencoder_<depth>``."""
    return f"Autoencoder_{depth}"


def measure_depth(depth: int, seed: int, data: MnistData, settings: training.TrainingSettings) -> dict:
    """One run of the study: train the model of ``depth`` from ``seed`` and measure it on the test images."""
    model = models.build_autoencoder(HIDDEN_UNITS_BY_DEPTH[depth], name=model_name(depth), seed=seed)
    training.train(model, data.x_train, None, settings, seed=seed, verbose=False)
    scores = metrics.measure(metrics.autoencoder_representation(model), data)
    return {"model": model.name, "depth": depth, "seed": seed, "parameters": model.count_params(), **scores}


def run_study(config: StudyConfig, data: MnistData, verbose: bool = True) -> StudyResult:
    """Train every depth for every seed, measure each run, and measure PCA once per seed."""
    runs = []
    total = len(config.depths) * len(config.seeds)
    started = time.perf_counter()
    for number, (depth, seed) in enumerate(((d, s) for d in config.depths for s in config.seeds), start=1):
        if verbose:
            elapsed = time.perf_counter() - started
            left = f", about {elapsed / (number - 1) * (total - number + 1):.0f} s left" if number > 1 else ""
            print(f"[{number}/{total}] {model_name(depth)} seed {seed} ({elapsed:.0f} s so far{left})", flush=True)
        runs.append(measure_depth(depth, seed, data, config.settings))
    pca = metrics.pca_representation(data.x_train)
    pca_scores = metrics.measure(pca, data)
    # PCA has no random start: the same numbers for every seed, a spread of exactly zero.
    runs.extend(
        {"model": PCA_NAME, "depth": 0, "seed": seed, "parameters": pca.parameters, **pca_scores} for seed in config.seeds
    )
    return StudyResult(config, runs, data.description)


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
            **{metric: f"{row[f'{metric}_mean']:.4f} ± {row[f'{metric}_sd']:.4f}" for metric in METRIC_NAMES},
        }
        for row in summary
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def study_figure(summary: Sequence[dict], title: str = "Latent quality against depth (mean ± sd over seeds)") -> Figure:
    """Each metric against depth with error bars; PCA as a dashed line (:func:`plots.plot_measures_by_depth`)."""
    return plots.plot_measures_by_depth(
        summary, METRIC_NAMES, baseline=PCA_NAME, lower_is_better=metrics.LOWER_IS_BETTER, title=title
    )


def fingerprint(config: StudyConfig, data: MnistData, versions: dict[str, str] | None = None) -> str:
    """What decides the study's numbers: settings, data, library versions (default: those in use), code version."""
    sample = data.x_train[:: max(1, len(data.x_train) // 500)]
    description = f"{data.source}:{len(data.x_train)}:{len(data.x_test)}"
    return cache.key(_config_dict(config), description, sample, versions=versions)


def _config_dict(config: StudyConfig) -> dict:
    return {"depths": list(config.depths), "seeds": list(config.seeds), "settings": asdict(config.settings)}


def save(result: StudyResult, directory: Path, key: str) -> None:
    """Write runs.csv, summary.csv, study.png and study.json (with the key) to ``directory``.

    study.json goes first and last: removed before the tables are replaced and written once they
    are, so an interrupted save leaves no key that vouches for half-written tables.
    """
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "study.json").unlink(missing_ok=True)
    cache.write_text(directory / "runs.csv", pd.DataFrame(result.runs).to_csv(index=False))
    cache.write_text(directory / "summary.csv", pd.DataFrame(result.summary()).to_csv(index=False))
    study_figure(result.summary()).savefig(directory / "study.png", dpi=110)
    meta = {
        "fingerprint": key,
        "config": _config_dict(result.config),
        "data": result.data_description,
        "made_with": {**cache.library_versions(), "processor": environment.processor()},
    }
    cache.write_text(directory / "study.json", json.dumps(meta, indent=2) + "\n")


def load(directory: Path, config: StudyConfig, key: str) -> StudyResult | None:
    """The saved study in ``directory`` if it was made with this key, else None."""
    try:
        meta = json.loads((directory / "study.json").read_text())
        runs = [_typed(row) for row in pd.read_csv(directory / "runs.csv", dtype=str).to_dict("records")]
    except (OSError, ValueError, KeyError):
        return None
    if meta.get("fingerprint") != key:
        return None
    return StudyResult(config, runs, meta["data"])


def _typed(row: dict) -> dict:
    typed: dict = {"model": row["model"]}
    for key, value in row.items():
        if key != "model":
            typed[key] = int(value) if key in ("depth", "seed", "parameters") else float(value)
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
    try:
        meta = json.loads((folder / "study.json").read_text())
        saved = meta["config"]
        config = StudyConfig(tuple(saved["depths"]), tuple(saved["seeds"]), training.TrainingSettings(**saved["settings"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return load(folder, config, meta["fingerprint"])


def estimate_seconds(config: StudyConfig, data: MnistData) -> float:
    """About how long :func:`run_study` takes here (every run timed as the deepest, an upper bound)."""
    fixed, per_image = seconds_per_epoch(max(config.depths), data.x_train, config.settings.batch_size)
    runs = len(config.depths) * len(config.seeds)
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
) -> StudyResult:
    """Load this backend's saved study if the code, settings and data that made it are unchanged; else run it.

    A study that would train for longer than ``max_minutes`` is not run: its estimate is printed
    and the saved results of the book's run are returned instead (``max_minutes=None`` runs it).
    The reference run (``environment.reference_run``) always runs a study it needs.
    """

    folder = backend_directory(directory, source=data.source)
    key = fingerprint(config, data)
    saved = load(folder, config, key)
    if saved is not None:
        if verbose:
            print(f"Loaded the saved study from {folder}")
            print("(made by this code with these settings and data).")
        return saved
    runs = len(config.depths) * len(config.seeds)
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
    print(f"No saved study for these settings in {folder}: training {runs} models, about {estimate / 60:.1f} minutes.")
    result = run_study(config, data, verbose)
    try:
        save(result, folder, key)
    except OSError as error:  # the finished study is still returned: no training is lost
        print(f"Note: the study could not be saved in {folder} ({type(error).__name__}: {error}); it is kept in memory.")
    return result


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjustment: compare each adjusted p-value with the family's significance level."""
    order = np.argsort(p_values)
    ranked = np.asarray(p_values, dtype=float)[order] * (len(p_values) - np.arange(len(p_values)))
    adjusted = np.empty(len(p_values))
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(ranked))
    return adjusted


def compare_runs(
    runs: Sequence[dict], pairs: Sequence[tuple[str, str]], metric_names: Sequence[str] = METRIC_NAMES
) -> pd.DataFrame:
    """Every (model, baseline) pair on every metric: gain, its 95% interval, Welch's t-test and Holm's verdict.

    The gain is the model's mean minus the baseline's, signed so that positive means better (lower
    is better for the losses). Welch's t-test compares the two sets of seeds without assuming equal
    spreads; its 95% confidence interval is for the gain. All comparisons of one call form one
    family: their p-values are Holm-adjusted, and a difference is "clearly better" or "clearly
    worse" only when the adjusted p-value is below 5%; otherwise it is "not shown".
    """
    frame = pd.DataFrame(runs)
    rows = []
    for model, baseline in pairs:
        for metric in metric_names:
            sign = -1.0 if metric in metrics.LOWER_IS_BETTER else 1.0
            ours = sign * frame.loc[frame["model"] == model, metric].to_numpy(float)
            theirs = sign * frame.loc[frame["model"] == baseline, metric].to_numpy(float)
            test = _welch(ours, theirs)
            interval = test.confidence_interval(0.95)
            shift = theirs.mean() if np.ptp(theirs) == 0 else 0.0
            rows.append(
                {
                    "model": model,
                    "baseline": baseline,
                    "metric": metric,
                    "gain": ours.mean() - theirs.mean(),
                    "ci_low": interval.low - shift,
                    "ci_high": interval.high - shift,
                    "p": test.pvalue,
                }
            )
    table = pd.DataFrame(rows)
    table["p_holm"] = holm(table["p"].to_numpy())
    clear = table["p_holm"] < SIGNIFICANCE
    table["verdict"] = np.where(clear, np.where(table["gain"] > 0, CLEAR[1], CLEAR[-1]), NOT_SHOWN)
    return table


def _welch(ours: np.ndarray, theirs: np.ndarray):
    """Welch's t-test; against a baseline without spread (PCA) that is the one-sample t-test on ``ours``."""
    if np.ptp(theirs) == 0:  # SciPy would warn of catastrophic cancellation on the constant sample
        return stats.ttest_1samp(ours, theirs[0])
    return stats.ttest_ind(ours, theirs, equal_var=False)


def verdicts_by_backend(
    results: dict[str, StudyResult], pairs: Sequence[tuple[str, str]], metric_names: Sequence[str] = METRIC_NAMES
) -> pd.DataFrame:
    """The verdict of every comparison on each backend's study, and the one both agree on.

    Returns:
        One row per (model, baseline, metric) with a column per backend and ``settled``: the
        common verdict, or "not settled" where the backends disagree.
    """
    columns = ["model", "baseline", "metric"]
    merged = None
    for backend, result in results.items():
        verdicts = compare_runs(result.runs, pairs, metric_names)[[*columns, "verdict"]]
        verdicts = verdicts.rename(columns={"verdict": backend})
        merged = verdicts if merged is None else merged.merge(verdicts, on=columns)
    backends = list(results)
    agree = merged[backends].nunique(axis=1) == 1
    merged["settled"] = np.where(agree, merged[backends[0]], NOT_SETTLED)
    return merged


def verdict(runs: Sequence[dict], model: str, baseline: str, metric: str) -> str:
    """The verdict on one comparison alone (a family of one): see :func:`compare_runs`."""
    return str(compare_runs(runs, [(model, baseline)], [metric])["verdict"].iloc[0])
