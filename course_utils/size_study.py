"""The data-size study: depths and PCA trained on ever more images, each size with the same number of updates.

For every training-set size and seed, a stratified subset of that many training images is drawn
with that seed (the whole set at its full size); every depth and PCA learn from that same subset,
so the models are compared in pairs, and all are measured on the full test set. Every size gets
the same number of gradient updates as the given settings make on the largest size, so that the amount
of training stays the same while the images change: ``epochs = max(1, round(updates * batch_size / size))``.
The runs go through a runner (:func:`course_utils.study.run_one_by_one` unless another is given).
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from course_utils import data as datasets
from course_utils import metrics, models, plots, results, significance, study, training
from course_utils.data import MnistData

# The largest size trains with the full-size settings; smaller ones get as many updates (SizeStudyConfig.epochs_for).
SIZE_STUDY_SETTINGS = training.FULL_SIZE_SETTINGS
# The backend whose saved study the book shows (60 trainings: about three times faster than TensorFlow here).
REFERENCE_BACKEND = "jax"
DEFAULT_DEPTHS = (1, 2, 3)
DEFAULT_SEEDS = tuple(range(5))
SAVED_SIZES = (1_000, 4_000, 15_000, 60_000)  # the sizes of the study saved with the course (notebook 8)
MIN_SIZE = 10  # one image per digit
CONFIDENCE = 0.95
FILES = ("runs.csv", "summary.csv", "figure.png", results.MANIFEST)
DEPENDS_ON_SIZE = "depends on size"
ID_COLUMNS = ("train_size", "model", "depth", "seed", "epochs", "updates", "parameters")


@dataclass(frozen=True)
class SizeStudyConfig:
    """What the size study trains: training-set sizes, depths, seeds and the settings of the largest size."""

    sizes: tuple[int, ...]
    depths: tuple[int, ...] = DEFAULT_DEPTHS
    seeds: tuple[int, ...] = DEFAULT_SEEDS
    settings: training.TrainingSettings = field(default_factory=lambda: SIZE_STUDY_SETTINGS)

    def __post_init__(self) -> None:
        study.StudyConfig(self.depths, self.seeds, self.settings)  # the same checks of depths and seeds
        if not self.sizes:
            raise ValueError("give at least one training-set size.")
        small = [size for size in self.sizes if isinstance(size, bool) or not isinstance(size, int) or size < MIN_SIZE]
        if small:
            raise ValueError(f"training-set sizes must be whole numbers of at least {MIN_SIZE}, not {small}.")
        if len(set(self.sizes)) != len(self.sizes):
            raise ValueError(f"each training-set size once, please: {list(self.sizes)}.")

    @property
    def updates(self) -> int:
        """Gradient updates of every run: what ``settings`` make on the largest size."""
        return self.settings.updates(max(self.sizes))

    def epochs_for(self, size: int) -> int:
        """Epochs on ``size`` images that make about :attr:`updates` updates (at least one epoch).

        A set smaller than a batch makes one update per epoch, so it trains :attr:`updates` epochs.
        """
        if size < self.settings.batch_size:
            return self.updates
        return max(1, round(self.updates * self.settings.batch_size / size))


@dataclass(frozen=True)
class SizeStudyResult:
    """One row per run (PCA included), and the summary per size and model."""

    config: SizeStudyConfig
    runs: list[dict]
    data_description: str

    def summary(self) -> list[dict]:
        """Per size and model: each measure's mean, sd and 95% t interval over the seeds."""
        return summarise(self.runs)


def check_sizes(sizes: Sequence[int], data: MnistData) -> None:
    """Refuse sizes ``data`` cannot give: all its training images, or a stratified subset of them.

    The subset's limits are :func:`course_utils.data.subset_size_range`'s: at least one image per
    class, and at least one per class left out.
    """
    available = len(data.x_train)
    smallest, largest = datasets.subset_size_range(data.y_train)
    wrong = [size for size in sizes if size != available and not smallest <= size <= largest]
    if wrong:
        listed = ", ".join(f"{size:,}" for size in wrong)
        raise ValueError(
            f"training-set sizes must lie between {smallest} and {largest:,}, or be {available:,}, the number of "
            f"training images of {_data_name(data)} (a smaller set is drawn keeping every class's share, so it "
            f"leaves out at least one image of each class); {listed} do{'es' if len(wrong) == 1 else ''} not."
        )


def _data_name(data: MnistData) -> str:
    names = {"subset": "the course's MNIST subset", "full": "full MNIST", "fashion": "Fashion-MNIST"}
    return names.get(data.source, f"the {data.source} data")


def training_subset(data: MnistData, size: int, seed: int) -> MnistData:
    """``size`` training images drawn stratified with ``seed`` (all of them at the full size), the full test set."""
    if size == len(data.x_train):
        return data
    x_train, y_train = datasets.stratified_subset(data.x_train, data.y_train, size, seed=seed)
    return MnistData(x_train, y_train, data.x_test, data.y_test, data.source, data.reason)


def measure_size(size: int, depth: int, seed: int, data: MnistData, settings: training.TrainingSettings) -> dict:
    """One run: the model of ``depth`` (0: PCA, fitted) learnt from ``seed``'s subset of ``size``, measured on the test set.

    ``settings`` hold the epochs of this size (:meth:`SizeStudyConfig.epochs_for`).
    """
    subset = training_subset(data, size, seed)
    if depth == 0:
        pca = metrics.pca_representation(subset.x_train)
        row = {"model": study.PCA_NAME, "depth": 0, "epochs": 0, "updates": 0, "parameters": pca.parameters}
        return {"train_size": size, "seed": seed, **row, **metrics.measure(pca, subset)}
    model = models.build_autoencoder(study.HIDDEN_UNITS_BY_DEPTH[depth], name=study.model_name(depth), seed=seed)
    training.train(model, subset.x_train, None, settings, seed=seed, verbose=False)
    updates = settings.updates(size)
    scores = metrics.measure(metrics.autoencoder_representation(model), subset)
    row = {"model": model.name, "depth": depth, "epochs": settings.epochs, "updates": updates}
    return {"train_size": size, "seed": seed, **row, "parameters": model.count_params(), **scores}


def tasks(config: SizeStudyConfig, data: MnistData) -> list[tuple]:
    """The arguments of every autoencoder run of :func:`measure_size`, by size, then depth, then seed."""
    return [
        (size, depth, seed, data, replace(config.settings, epochs=config.epochs_for(size)))
        for size in sorted(config.sizes)
        for depth in config.depths
        for seed in config.seeds
    ]


def run_size_study(
    config: SizeStudyConfig,
    data: MnistData,
    verbose: bool = True,
    runner: study.Runner | None = None,
) -> SizeStudyResult:
    """Every depth and PCA, for every size and seed, measured on the full test set.

    Args:
        config: Sizes, depths, seeds and the settings of the largest size.
        data: The training images to draw from, and the test images.
        verbose: A line per run.
        runner: Runs the trainings (see :func:`course_utils.study.run_study`); it does not change the numbers.
    """
    check_sizes(config.sizes, data)
    work = tasks(config, data)

    def describe(task: tuple) -> str:
        name = study.model_name(task[1]) if task[1] else study.PCA_NAME
        return f"{task[0]:,} images, {name} seed {task[2]}"

    run = runner or functools.partial(study.run_one_by_one, verbose=verbose)
    trained = run(measure_size, work, describe)
    # PCA here, in this process: its SVD rounds differently with another number of BLAS threads, and
    # it takes seconds. The full set is the same subset for every seed: fitted once.
    full = {}
    if len(data.x_train) in config.sizes:
        full = measure_size(len(data.x_train), 0, config.seeds[0], data, config.settings)
    runs = []
    for size in sorted(config.sizes):
        runs += [run for run in trained if run["train_size"] == size]
        for seed in config.seeds:
            pca = {**full, "seed": seed} if full and size == len(data.x_train) else None
            runs.append(pca or measure_size(size, 0, seed, data, config.settings))
    return SizeStudyResult(config, runs, data.description)


def estimate_seconds(config: SizeStudyConfig, data: MnistData) -> float:
    """About how long the autoencoder runs take one after another here (each timed as the deepest)."""
    fixed, per_image = study.seconds_per_epoch(max(config.depths), data.x_train, config.settings.batch_size)
    per_seed = sum((fixed + per_image * size) * config.epochs_for(size) for size in config.sizes)
    return per_seed * len(config.depths) * len(config.seeds)


def describe_work(config: SizeStudyConfig) -> str:
    """What the study trains, e.g. "training 60 models of 14,070 to 14,408 updates each (1,801 epochs on 1,000 ...)".

    The updates are counted as training makes them, a last partial batch included: a size just
    above a whole number of batches makes more than the largest size (up to twice as many).
    """
    sizes = sorted(config.sizes)
    ends = [sizes[0]] if len(sizes) == 1 else [sizes[0], sizes[-1]]
    epochs = " to ".join(f"{config.epochs_for(size):,} epochs on {size:,} images" for size in ends)
    updates = sorted({replace(config.settings, epochs=config.epochs_for(size)).updates(size) for size in sizes})
    each = f"{updates[0]:,}" if len(updates) == 1 else f"{updates[0]:,} to {updates[-1]:,}"
    runs = len(config.sizes) * len(config.depths) * len(config.seeds)
    return f"training {runs} models of {each} updates each ({epochs})"


def summarise(runs: Sequence[dict], confidence: float = CONFIDENCE) -> list[dict]:
    """Per (train_size, model): epochs, updates, and each measure's mean, sd (n-1) and t interval over seeds.

    The interval is ``mean ± t(n-1) * sd / sqrt(n)``; with one seed it is unknown (NaN).
    """
    groups: dict[tuple[int, str], list[dict]] = {}
    for run in runs:
        groups.setdefault((run["train_size"], run["model"]), []).append(run)
    summary = []
    for (size, name), members in groups.items():
        first = members[0]
        row = {
            "train_size": size,
            "model": name,
            "depth": first["depth"],
            "parameters": first["parameters"],
            "epochs": first["epochs"],
            "updates": first["updates"],
            "seeds": len(members),
        }
        for metric in study.METRIC_NAMES:
            values = [float(member[metric]) for member in members if metric in member]
            mean = statistics.fmean(values)
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            half = significance.interval_half_width(values, confidence)
            row |= {
                f"{metric}_mean": mean,
                f"{metric}_sd": sd,
                f"{metric}_ci_low": mean - half,
                f"{metric}_ci_high": mean + half,
            }
        summary.append(row)
    return summary


@plots.styled
def size_figure(
    summary: Sequence[dict], title: str = "Latent quality against training-set size (mean, 95% interval)"
) -> Figure | None:
    """Each measure against the training-set size (log scale), a line per model with its 95% band; PCA dashed."""
    if not summary:  # an empty study (see load_saved): nothing to draw
        return None
    frame = pd.DataFrame(summary).sort_values(["depth", "train_size"])
    measures = study.METRIC_NAMES
    figure, panels, spare = plots._panel_grid(len(measures), 2, (3.3, 2.9))
    models_in_order = [name for name in frame.sort_values("depth", key=lambda d: d.replace(0, 99))["model"].unique()]
    for axes, measure in zip(panels, measures):
        for name in models_in_order:
            rows = frame[frame["model"] == name]
            style = {"linestyle": "--", "color": "grey"} if name == study.PCA_NAME else {"marker": "o"}
            (line,) = axes.plot(rows["train_size"], rows[f"{measure}_mean"], label=name, **style)
            low, high = rows[f"{measure}_ci_low"], rows[f"{measure}_ci_high"]
            axes.fill_between(rows["train_size"], low, high, color=line.get_color(), alpha=0.2, linewidth=0)
        axes.set_xscale("log")
        axes.set_xlabel("training images")
    return plots.finish_measure_panels(figure, panels, spare, measures, metrics.LOWER_IS_BETTER, title)


def comparison_pairs(depths: Sequence[int]) -> list[tuple[str, str]]:
    """Each depth against PCA, and each deeper one against depth 1 (when depth 1 is studied)."""
    pairs = [(study.model_name(depth), study.PCA_NAME) for depth in depths]
    if 1 in depths:
        pairs += [(study.model_name(depth), study.model_name(1)) for depth in depths if depth != 1]
    return pairs


def verdicts_by_size(result: SizeStudyResult, metric_names: Sequence[str] = study.METRIC_NAMES) -> pd.DataFrame:
    """Every comparison of :func:`comparison_pairs` at every size (Welch and Holm, a family per size).

    Returns:
        One row per (train_size, model, baseline, metric) with the gain, its interval, the
        p-values and the verdict.
    """
    pairs = comparison_pairs(result.config.depths)
    if not result.runs:  # an empty study (see load_saved)
        return pd.DataFrame(columns=["train_size", *significance.COMPARISON_COLUMNS])
    tables = []
    for size in sorted(result.config.sizes):
        runs = [run for run in result.runs if run["train_size"] == size]
        table = significance.compare_runs(runs, pairs, metric_names)
        tables.append(table.assign(train_size=size))
    table = pd.concat(tables, ignore_index=True)
    return table[["train_size", *(column for column in table.columns if column != "train_size")]]


def verdict_table(result: SizeStudyResult, metric_names: Sequence[str] = study.METRIC_NAMES) -> pd.DataFrame:
    """The verdicts side by side: a row per (model, baseline, metric), a column per size, and ``every size``.

    ``every size`` holds the verdict when it is the same at every size, else "depends on size".
    """
    long = verdicts_by_size(result, metric_names)
    keys = ["model", "baseline", "metric"]
    if long.empty:
        return pd.DataFrame(columns=[*keys, *sorted(result.config.sizes), "every size"])
    wide = long.pivot(index=keys, columns="train_size", values="verdict")
    order = long.drop_duplicates(keys)[keys].apply(tuple, axis=1)
    wide = wide.loc[list(order)].reset_index()
    sizes = sorted(result.config.sizes)
    wide.columns = [*keys, *sizes]
    same = wide[sizes].nunique(axis=1) == 1
    wide["every size"] = np.where(same, wide[sizes[0]], DEPENDS_ON_SIZE)
    return wide


def fingerprint(config: SizeStudyConfig, data: MnistData, versions: dict[str, str] | None = None) -> str:
    """What decides the study's numbers: sizes, depths, seeds, settings, data, library and code versions."""
    sample = data.x_train[:: max(1, len(data.x_train) // 500)]
    description = f"{data.source}:{len(data.x_train)}:{len(data.x_test)}"
    return results.key("size study", _config_dict(config), description, sample, versions=versions)


def _config_dict(config: SizeStudyConfig) -> dict:
    return {
        "sizes": list(config.sizes),
        "depths": list(config.depths),
        "seeds": list(config.seeds),
        "settings": asdict(config.settings),
    }


def save(result: SizeStudyResult, directory: Path, key: str) -> None:
    """Write the size study to ``directory`` (:func:`course_utils.results.save_folder`): runs, summary, figure, manifest."""
    meta = {
        "config": _config_dict(result.config),
        "updates": result.config.updates,
        "data": result.data_description,
        "made_with": study.made_with(),
    }
    tables = {"runs": pd.DataFrame(result.runs), "summary": pd.DataFrame(result.summary())}
    results.save_folder(directory, key, meta, tables, size_figure(result.summary()))


def load(directory: Path, config: SizeStudyConfig, key: str | None) -> SizeStudyResult | None:
    """The size study saved in ``directory`` if it was made with this key (None: any) and is intact, else None."""
    saved = results.load_folder(directory, key)
    if saved is None or "runs" not in saved.tables:
        return None
    runs = [_typed(row) for row in saved.tables["runs"].to_dict("records")]
    names = [study.model_name(depth) for depth in config.depths] + [study.PCA_NAME]
    expected = [_run_name(size, name, seed) for size in config.sizes for name in names for seed in config.seeds]
    problem = study.runs_problem([_run_name(run["train_size"], run["model"], run["seed"]) for run in runs], expected)
    if problem:
        print(f"Note: the saved size study in {directory} {problem}: it is not used.")
        return None
    return SizeStudyResult(config, runs, saved.meta["data"])


def _run_name(size: int, model: str, seed: int) -> str:
    return f"{size:,} images {model} seed {seed}"


def _config_from_dict(saved: dict) -> SizeStudyConfig:
    settings = training.TrainingSettings(**saved["settings"])
    return SizeStudyConfig(tuple(saved["sizes"]), tuple(saved["depths"]), tuple(saved["seeds"]), settings)


def _typed(row: dict) -> dict:
    return {
        key: value if key == "model" else int(value) if key in ID_COLUMNS else float(value) for key, value in row.items()
    }


def load_or_run(
    config: SizeStudyConfig,
    data: MnistData,
    directory: Path,
    verbose: bool = True,
    runner: study.Runner | None = None,
    approve: study.Approval | None = None,
) -> SizeStudyResult:
    """The size study saved for this backend and data in ``directory`` if nothing that decides it changed; else run it.

    Before it trains, it prints its estimate, and ``approve`` (if given) is given the estimate in
    seconds and the number of runs, and raises to stop (the command line's ``--yes``).
    """
    folder = study.backend_directory(directory, source=data.source)
    key = fingerprint(config, data)
    saved = load(folder, config, key)
    if saved is not None:
        if verbose:
            print(f"Loaded the saved size study from {folder}")
            print("(made by this code with these settings and data).")
        return saved
    check_sizes(config.sizes, data)
    estimate = estimate_seconds(config, data)
    if verbose:
        print(f"No saved size study in {folder}: {describe_work(config)}, about {estimate / 60:.1f} minutes in all.")
    if approve is not None:
        approve(estimate, len(config.sizes) * len(config.depths) * len(config.seeds))
    result = run_size_study(config, data, verbose, runner)
    try:
        save(result, folder, key)
    except OSError as error:  # the finished study is still returned: no training is lost
        print(f"Note: the study could not be saved in {folder} ({type(error).__name__}: {error}); it is kept in memory.")
    return result


def load_saved(directory: Path, backend: str = REFERENCE_BACKEND, source: str = "fashion") -> SizeStudyResult:
    """The size study saved for ``backend`` and ``source`` in ``directory``, whatever code made it (its text says which).

    If there is none (or it is damaged), one sentence says so and how to get it, and an empty
    study (no runs) is returned: its figure and tables stay empty and the checks say why, so the
    notebook goes on.
    """
    folder = study.backend_directory(directory, backend, source)
    saved = results.load_folder(folder)
    try:
        result = None if saved is None else load(folder, _config_from_dict(saved.meta["config"]), None)
    except (KeyError, TypeError, ValueError):
        result = None
    if result is None:
        print(
            f"No saved size study in {folder} (or a damaged one): its figure and tables stay empty. Copy the course's "
            "results/ folder next to this notebook (`python -m course_utils release` writes it beside the student "
            "copies), or make it with: python -m course_utils study --dataset fashion-mnist --train-sizes "
            f"{' '.join(map(str, SAVED_SIZES))} --seeds {' '.join(map(str, DEFAULT_SEEDS))} --jobs 2"
        )
        return SizeStudyResult(SizeStudyConfig(SAVED_SIZES), [], f"no saved size study in {folder}")
    return result


def verdicts_beside(
    result: SizeStudyResult,
    other_runs: Sequence[dict],
    other_pairs: Sequence[tuple[str, str]],
    label: str,
    metric_names: Sequence[str] = study.METRIC_NAMES,
) -> pd.DataFrame:
    """Another study's verdicts (``label``, e.g. notebook 6's) beside this one's at every size, where both compare.

    The other study's verdicts come from its own family (``other_pairs`` on ``metric_names``), as
    its notebook shows them. The column ``same at <largest>`` says whether the verdict at the
    largest size is the other study's.
    """
    keys = ["model", "baseline", "metric"]
    theirs = significance.compare_runs(other_runs, other_pairs, metric_names)[[*keys, "verdict"]].rename(
        columns={"verdict": label}
    )
    merged = theirs.merge(verdict_table(result, metric_names), on=keys)
    largest = max(result.config.sizes)
    merged[f"same at {largest:,}"] = np.where(merged[label] == merged[largest], "yes", "no")
    return merged


GAIN_CHANGE_COLUMNS = (
    "model", "baseline", "metric", "from_size", "to_size", "gain_from", "gain_to", "change", "ci_low", "ci_high",
    "p", "p_holm", "verdict",
)  # fmt: skip
GAIN_CHANGE_VERDICTS = {1: "clearly larger", -1: "clearly smaller"}


def seed_gains(result: SizeStudyResult, model: str, baseline: str, metric: str) -> pd.DataFrame:
    """``model``'s gain over ``baseline`` per seed: a row per seed, a column per size (positive: ``model`` is better).

    At a size both models learn from the same seed's subset, so a seed's gain is the difference of
    a pair of runs. A seed without a run of both models at a size has no gain there (NaN).

    Raises:
        ValueError: If the study has no runs of ``model`` or ``baseline``, or no measure ``metric``.
    """
    frame = pd.DataFrame(result.runs)
    if frame.empty:
        return pd.DataFrame()
    if metric not in frame.columns:
        raise ValueError(f"the study has no measure {metric!r}; it has {', '.join(study.METRIC_NAMES)}.")
    missing = [name for name in (model, baseline) if name not in set(frame["model"])]
    if missing:
        raise ValueError(f"the study has no runs of {', '.join(missing)}; it has {', '.join(frame['model'].unique())}.")
    sign = -1.0 if metric in metrics.LOWER_IS_BETTER else 1.0
    wide = frame.pivot_table(index=["train_size", "seed"], columns="model", values=metric)
    gains = sign * (wide[model] - wide[baseline])
    return gains.unstack("train_size").sort_index(axis=1)


def gain_changes(
    result: SizeStudyResult,
    model: str,
    baseline: str,
    metric: str,
    steps: Sequence[tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """Whether ``model``'s gain over ``baseline`` changes from one training-set size to another.

    A seed's gain at a size is its ``model`` run's measure minus its ``baseline`` run's (signed so
    that positive means better; see :func:`seed_gains`). For each step from a size A to a size B,
    Welch's t-test compares the seeds' gains at B with those at A. The two groups are not paired:
    each size draws its own subset with a seed, so seed 0 at A and seed 0 at B share no training
    images by design. The p-values of all steps form one family and are Holm-adjusted; a change is
    "clearly larger" or "clearly smaller" only when its adjusted p-value is below 5%, otherwise it
    is "not shown".

    Args:
        result: The data-size study.
        model: The model whose gain is measured, e.g. ``"Autoencoder_3"``.
        baseline: What it is measured against, e.g. ``"Autoencoder_1"``.
        metric: The measure, e.g. ``"knn_accuracy"``.
        steps: The (smaller, larger) sizes to compare; by default each size with the next one.

    Returns:
        One row per step: the mean gains at both sizes, their ``change`` (B minus A), its 95%
        Welch interval, the p-value, the Holm-adjusted p-value and the verdict. No rows for an
        empty study.

    Raises:
        ValueError: For a size the study does not have, or a step from a size to itself, or a
            model or measure the study does not have.
    """
    if not result.runs:  # an empty study (see load_saved)
        return pd.DataFrame(columns=GAIN_CHANGE_COLUMNS)
    gains = seed_gains(result, model, baseline, metric)
    sizes = list(gains.columns)
    steps = list(zip(sizes, sizes[1:])) if steps is None else [tuple(step) for step in steps]
    wrong = [step for step in steps if len(step) != 2 or step[0] not in sizes or step[1] not in sizes or step[0] == step[1]]
    if wrong:
        raise ValueError(f"each step needs two different sizes of the study ({', '.join(map(str, sizes))}), not {wrong}.")
    rows = []
    for before, after in steps:
        earlier, later = gains[before].dropna().to_numpy(), gains[after].dropna().to_numpy()
        row = {"model": model, "baseline": baseline, "metric": metric, "from_size": int(before), "to_size": int(after)}
        row |= {"gain_from": earlier.mean(), "gain_to": later.mean(), "change": later.mean() - earlier.mean()}
        if min(len(earlier), len(later)) > 1 and np.ptp(earlier) + np.ptp(later) > 0:
            test = significance.welch(later, earlier)
            interval = test.confidence_interval(0.95)
            row |= {"ci_low": interval.low, "ci_high": interval.high, "p": float(test.pvalue)}
        else:  # one seed, or no spread at all: nothing to test
            row |= {"ci_low": np.nan, "ci_high": np.nan, "p": np.nan}
        rows.append(row)
    table = pd.DataFrame(rows)
    tested = table["p"].notna()
    table["p_holm"] = np.nan
    if tested.any():
        table.loc[tested, "p_holm"] = significance.holm(table.loc[tested, "p"].to_numpy())
    clear = table["p_holm"] < significance.SIGNIFICANCE
    direction = np.where(table["change"] > 0, GAIN_CHANGE_VERDICTS[1], GAIN_CHANGE_VERDICTS[-1])
    table["verdict"] = np.where(clear, direction, significance.NOT_SHOWN)
    return table[list(GAIN_CHANGE_COLUMNS)]


@dataclass(frozen=True)
class Design:
    """What decides one column of verdicts besides the models: data, images, training, seeds, backend, family.

    Attributes:
        data: The data set, e.g. ``"Fashion-MNIST"``.
        training_images: The images each run learns from.
        test_images: The images each run is measured on.
        sample: How a seed's training images are chosen.
        settings: The training settings, with this column's epochs.
        seeds: The training seeds.
        backend: The Keras backend that trained the runs.
        pairs: The comparisons whose p-values are Holm-adjusted together (each on every measure).
    """

    data: str
    training_images: int
    test_images: int
    sample: str
    settings: training.TrainingSettings
    seeds: tuple[int, ...]
    backend: str
    pairs: tuple[tuple[str, str], ...]

    @property
    def updates(self) -> int:
        """Gradient updates of each run: epochs times the batches of an epoch."""
        return self.settings.updates(self.training_images)

    def described(self) -> dict[str, str]:
        """Each property as a table shows it, e.g. ``{"batch size": "128", ...}``."""
        pairs = "; ".join(f"{_short(model)} vs {_short(baseline)}" for model, baseline in sorted(self.pairs))
        return {
            "data": self.data,
            "training images": f"{self.training_images:,}",
            "training images of a seed": self.sample,
            "test images": f"{self.test_images:,}",
            "batch size": str(self.settings.batch_size),
            "learning rate": f"{self.settings.learning_rate:g}",
            "epochs": f"{self.settings.epochs:,}",
            "gradient updates": f"{self.updates:,}",
            "seeds": str(len(self.seeds)),
            "backend": self.backend,
            "pairs in Holm's family": pairs,
        }


def size_design(result: SizeStudyResult, size: int, data: MnistData, backend: str = REFERENCE_BACKEND) -> Design:
    """The design of the size study's column at ``size``, from its saved config (``data``: the data it drew from)."""
    config = result.config
    if size not in config.sizes:
        raise ValueError(f"the study has no size {size:,}; it has {', '.join(f'{s:,}' for s in sorted(config.sizes))}.")
    whole = size == len(data.x_train)
    sample = "all of them, for every seed" if whole else "a stratified draw of its own"
    settings = replace(config.settings, epochs=config.epochs_for(size))
    pairs = tuple(comparison_pairs(config.depths))
    return Design(_data_name(data), size, len(data.x_test), sample, settings, config.seeds, backend, pairs)


def study_design(
    config: study.StudyConfig, data: MnistData, pairs: Sequence[tuple[str, str]], backend: str = study.REFERENCE_BACKEND
) -> Design:
    """The design of a depth study's verdicts (notebook 6's), from its saved config and the data it learnt from.

    Raises:
        ValueError: For a study that stops each run by its validation loss: its epochs differ by run.
    """
    if getattr(config, "patience", None) is not None:
        raise ValueError("this study stops each run by its validation loss, so its epochs and updates differ by run.")
    sample = "the same for every seed"
    images = len(data.x_train)
    return Design(_data_name(data), images, len(data.x_test), sample, config.settings, config.seeds, backend, tuple(pairs))


def design_differences(designs: dict[str, Design]) -> pd.DataFrame:
    """The designs side by side: a row per property, a column per design, and ``same`` ("yes"/"no")."""
    if not designs:
        raise ValueError("give at least one design to show.")
    table = pd.DataFrame({label: design.described() for label, design in designs.items()})
    table["same"] = np.where(table.nunique(axis=1) == 1, "yes", "no")
    table.index.name = "what"
    return table


def _short(name: str) -> str:
    """A model's name in a narrow cell: "AE 3" for Autoencoder_3, "PCA" for PCA (2-D)."""
    return "PCA" if name == study.PCA_NAME else name.replace("Autoencoder_", "AE ")
