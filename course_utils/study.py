"""The depth study: every depth for several seeds, measured, summarised, plotted and saved."""

from __future__ import annotations

import csv
import hashlib
import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from course_utils import metrics, models, training
from course_utils.data import MnistData

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


@dataclass(frozen=True)
class StudyConfig:
    """What the study trains: depths, seeds and the training settings shared by all runs."""

    depths: tuple[int, ...] = (1, 2, 3)
    seeds: tuple[int, ...] = (0, 1, 2)
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

    def table(self) -> str:
        """The summary as plain text, ``mean ± sd`` per metric."""
        return summary_text(self.summary())


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
    """Train a model, then measure it on ``data``'s test images; keep the result in ``saved``.

    When ``saved`` holds the result of an identical run (same initial weights, images, settings,
    seed, callbacks and code), it is loaded instead: only the curves and the measures are kept,
    a few kilobytes, never the weights.
    """
    key = training.run_key(model, x_train, x_val, settings, seed, callbacks)
    digest = hashlib.sha256(np.ascontiguousarray(data.x_test).tobytes())
    for module in ("metrics.py", "study.py"):
        digest.update(Path(__file__).with_name(module).read_bytes())
    path = Path(saved) / f"{key}-{digest.hexdigest()[:12]}.json" if saved is not None else None
    if path is not None and path.exists():
        try:
            stored = json.loads(path.read_text())
            if verbose:
                print(f"Loaded the saved result of this exact run of {model.name} from {path.parent}.")
            return MeasuredRun(stored["history"], stored["scores"])
        except (ValueError, KeyError) as error:
            print(f"Warning: the saved result {path} could not be read ({error}); training again.")
    history = training.train(model, x_train, x_val, settings, seed=seed, verbose=verbose, callbacks=callbacks)
    run = MeasuredRun(history.history, metrics.measure(metrics.autoencoder_representation(model), data))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"history": run.history, "scores": run.scores}))
    return run


def model_name(depth: int) -> str:
    """The model of a depth, named as in the article: ``Autoencoder_<depth>``."""
    return f"Autoencoder_{depth}"


def run_study(config: StudyConfig, data: MnistData, verbose: bool = True) -> StudyResult:
    """Train every depth for every seed, measure each run, and measure PCA once per seed."""
    runs = []
    total = len(config.depths) * len(config.seeds)
    for number, (depth, seed) in enumerate(((d, s) for d in config.depths for s in config.seeds), start=1):
        if verbose:
            print(f"[{number}/{total}] {model_name(depth)} seed {seed}", flush=True)
        model = models.build_autoencoder(HIDDEN_UNITS_BY_DEPTH[depth], name=model_name(depth), seed=seed)
        training.train(model, data.x_train, None, config.settings, seed=seed, verbose=False)
        scores = metrics.measure(metrics.autoencoder_representation(model), data)
        runs.append({"model": model.name, "depth": depth, "seed": seed, "parameters": model.count_params(), **scores})
    pca = metrics.pca_representation(data.x_train)
    pca_scores = metrics.measure(pca, data)
    # PCA has no random start: the same numbers for every seed, a spread of exactly zero.
    runs.extend(
        {"model": PCA_NAME, "depth": 0, "seed": seed, "parameters": pca.parameters, **pca_scores}
        for seed in config.seeds
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


def summary_text(summary: Sequence[dict]) -> str:
    """Plain-text table: one row per model, ``mean ± sd`` for each metric."""
    header = f"{'model':<15}{'parameters':>11}" + "".join(f"{metric:>22}" for metric in METRIC_NAMES)
    lines = [header]
    for row in summary:
        cells = "".join(f"{row[f'{m}_mean']:>13.4f} ± {row[f'{m}_sd']:.4f}" for m in METRIC_NAMES)
        lines.append(f"{row['model']:<15}{row['parameters']:>11,}{cells}")
    return "\n".join(lines)


def study_figure(summary: Sequence[dict], title: str = "Latent quality against depth (mean ± sd over seeds)") -> Figure:
    """Each metric against depth with error bars; PCA as a dashed line with its value."""
    figure = Figure(figsize=(3.2 * len(METRIC_NAMES), 3.4), layout="constrained")
    grid = figure.subplots(1, len(METRIC_NAMES))
    autoencoders = [row for row in summary if row["model"] != PCA_NAME]
    pca = next((row for row in summary if row["model"] == PCA_NAME), None)
    depths = [row["depth"] for row in autoencoders]
    for axes, metric in zip(grid, METRIC_NAMES):
        means = [row[f"{metric}_mean"] for row in autoencoders]
        spreads = [row[f"{metric}_sd"] for row in autoencoders]
        axes.errorbar(depths, means, yerr=spreads, marker="o", capsize=4, label="autoencoder")
        if pca is not None:
            axes.axhline(pca[f"{metric}_mean"], color="grey", linestyle="--", label="PCA (2-D)")
        axes.set_xticks(depths)
        axes.set_xlabel("hidden layers in the encoder")
        axes.set_ylabel(metric + (" (lower is better)" if metric in metrics.LOWER_IS_BETTER else ""))
        axes.set_title(metric)
    grid[0].legend()
    figure.suptitle(title)
    return figure


def fingerprint(config: StudyConfig, data: MnistData) -> str:
    """What decides the study's numbers: settings, data, backend and the code that trains and measures."""
    import keras

    digest = hashlib.sha256(json.dumps(_config_dict(config), sort_keys=True).encode())
    digest.update(f"{data.source}:{len(data.x_train)}:{len(data.x_test)}".encode())
    digest.update(np.ascontiguousarray(data.x_train[:: max(1, len(data.x_train) // 500)]).tobytes())
    digest.update(keras.backend.backend().encode())
    for module in ("models.py", "training.py", "metrics.py", "study.py"):
        digest.update(Path(__file__).with_name(module).read_bytes())
    return digest.hexdigest()[:20]


def _config_dict(config: StudyConfig) -> dict:
    return {"depths": list(config.depths), "seeds": list(config.seeds), "settings": asdict(config.settings)}


def save(result: StudyResult, directory: Path, key: str) -> None:
    """Write runs.csv, summary.csv, study.png and study.json (with the fingerprint) to ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    _write_csv(directory / "runs.csv", result.runs)
    _write_csv(directory / "summary.csv", result.summary())
    study_figure(result.summary()).savefig(directory / "study.png", dpi=110)
    meta = {"fingerprint": key, "config": _config_dict(result.config), "data": result.data_description}
    (directory / "study.json").write_text(json.dumps(meta, indent=2) + "\n")


def _write_csv(path: Path, rows: Sequence[dict]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def load(directory: Path, config: StudyConfig, key: str) -> StudyResult | None:
    """The saved study in ``directory`` if it was made with this fingerprint, else None."""
    try:
        meta = json.loads((directory / "study.json").read_text())
        with (directory / "runs.csv").open(newline="") as handle:
            runs = [_typed(row) for row in csv.DictReader(handle)]
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


def load_or_run(config: StudyConfig, data: MnistData, directory: Path, verbose: bool = True) -> StudyResult:
    """Load the saved study if the code, settings and data that made it are unchanged; else run and save it."""
    key = fingerprint(config, data)
    saved = load(directory, config, key)
    if saved is not None:
        if verbose:
            print(f"Loaded the saved study from {directory} (made by this code with these settings and data).")
        return saved
    if verbose:
        print(f"No saved study for these settings in {directory}: running it now.")
    result = run_study(config, data, verbose)
    save(result, directory, key)
    return result


def verdict(summary: Sequence[dict], model: str, baseline: str, metric: str) -> str:
    """Is ``model`` clearly better or worse than ``baseline`` on ``metric``, given the seed spread?

    "Clearly" means the difference of the means exceeds twice its standard error estimated from
    the two spreads, ``2 * sqrt(sd_model**2 + sd_baseline**2)``; otherwise the difference is
    "within the seed spread".
    """
    rows = {row["model"]: row for row in summary}
    gap = rows[model][f"{metric}_mean"] - rows[baseline][f"{metric}_mean"]
    if metric in metrics.LOWER_IS_BETTER:
        gap = -gap
    noise = 2 * (rows[model][f"{metric}_sd"] ** 2 + rows[baseline][f"{metric}_sd"] ** 2) ** 0.5
    if gap > noise:
        return "clearly better"
    if gap < -noise:
        return "clearly worse"
    return "within the seed spread"


def verdict_table(summary: Sequence[dict], pairs: Sequence[tuple[str, str]]) -> str:
    """One line per (model, baseline) pair: the verdict on every metric."""
    lines = [f"{'model vs baseline':<32}" + "".join(f"{metric:>24}" for metric in METRIC_NAMES)]
    for model, baseline in pairs:
        cells = "".join(f"{verdict(summary, model, baseline, metric):>24}" for metric in METRIC_NAMES)
        lines.append(f"{model + ' vs ' + baseline:<32}" + cells)
    return "\n".join(lines)
