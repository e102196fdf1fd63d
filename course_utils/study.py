"""The depth study: every depth for several seeds, measured, summarised, plotted and saved."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from course_utils import cache, environment, metrics, models, plots, training
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
FILES = ("runs.csv", "summary.csv", "study.png", "study.json")
# Ten seeds per model: with three, the kNN verdicts flipped between TensorFlow and JAX.
DEFAULT_SEEDS = tuple(range(10))
# The backend whose saved study the book shows, and that a student sees when their own would take long.
REFERENCE_BACKEND = "tensorflow"
SIGNIFICANCE = 0.05
# Announce and offer the saved results instead of training for longer than this.
DEFAULT_MAX_MINUTES = 2.0
CLEAR = {1: "clearly better", -1: "clearly worse"}
COMPARISON_COLUMNS = ("model", "baseline", "metric", "gain", "ci_low", "ci_high", "p", "p_holm", "verdict")
NOT_SHOWN = "not shown"
NOT_SETTLED = "not settled"
# Parallel runs (run_study's jobs and scheduler): what a worker process is told, and what it keeps.
LOCAL_SCHEDULER = "local"
DASK_MISSING = 'Running on a Dask cluster needs Dask: pip install "dask[distributed]"'
CPU_SLOTS_VARIABLE = "COURSE_CPU_SLOTS"
WORKER_CPUS_VARIABLE = "COURSE_WORKER_CPUS"
_LOKY_BACKEND = "course-loky"
_SLOT_FOLDERS: dict[int, str] = {}  # jobs -> the folder whose lock files hand out the CPUs (this process's)
_WORKER_STATE: dict[str, object] = {}  # in a worker: configured once; the lock file of its CPUs, held while it lives
_RUN_LOCK = threading.Lock()  # one training at a time per process: Keras seeds are global


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
    key = cache.key(training.run_key(model, x_train, x_val, settings, seed, callbacks), data.x_test, data.y_test)
    stored = cache.load_json(saved, key) if saved is not None else None
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
        cache.save_json(saved, key, {"history": run.history, "scores": run.scores})
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


def run_study(
    config: StudyConfig,
    data: MnistData,
    verbose: bool = True,
    jobs: int = 1,
    scheduler: str | None = None,
    estimate: float | None = None,
) -> StudyResult:
    """Train every model (depths and controls) for every seed, measure each run, and measure PCA once per seed.

    Args:
        config: Depths, seeds and training settings.
        data: Training and test images.
        verbose: Announce the runs with an estimate, then print a line per run.
        jobs: Runs at the same time, each in a worker process with its share of this computer's
            CPU threads (``cores // jobs``); 1 trains them one after another in this process.
            The numbers are the same whatever ``jobs`` is (:func:`run_tasks`).
        scheduler: Send the runs to a Dask cluster instead (``jobs`` is then not used): the
            address of its scheduler, e.g. ``"tcp://10.0.0.5:8786"`` (an active
            ``dask.distributed.Client`` has it as ``client.scheduler.address``), or ``"local"``
            for a cluster inside this process, which runs them one after another. Needs
            ``pip install "dask[distributed]"``.
        estimate: Seconds the runs take one after another, if known; parallel runs announce it
            (measured first when not given), runs in this process do not.
    """
    tasks = [
        (name, units, seed, data, config.settings, config.patience)
        for name, units in config.models()
        for seed in config.seeds
    ]
    if verbose and estimate is None and (jobs != 1 or scheduler is not None):
        estimate = estimate_seconds(config, data)
    runs = run_tasks(
        measure_model,
        tasks,
        lambda task: f"{task[0]} seed {task[2]}",
        jobs=jobs,
        scheduler=scheduler,
        verbose=verbose,
        estimate=estimate,
    )
    pca = metrics.pca_representation(data.x_train)
    pca_scores = metrics.measure(pca, data)
    # PCA has no random start: the same numbers for every seed, a spread of exactly zero.
    runs.extend(
        {"model": PCA_NAME, "depth": 0, "seed": seed, "parameters": pca.parameters, **pca_scores} for seed in config.seeds
    )
    return StudyResult(config, runs, data.description)


def run_tasks(
    function: Callable[..., dict],
    tasks: Sequence[tuple],
    describe: Callable[[tuple], str],
    jobs: int = 1,
    scheduler: str | None = None,
    verbose: bool = True,
    estimate: float | None = None,
) -> list[dict]:
    """``function(*task)`` for every task, in the order of ``tasks``: here, in worker processes or on Dask.

    With ``jobs=1`` and no scheduler the tasks run one after another in this process. Otherwise
    each goes through ``joblib.Parallel``: to ``jobs`` loky worker processes, or with
    ``scheduler`` to a Dask cluster (joblib's Dask backend). Every result is the same number for
    number as in this process: a worker uses this process's Keras backend and TensorFlow settings,
    and TensorFlow's intra-op thread pool of the size this process has, because TensorFlow's sums
    split their work by the pool's size and round differently with another one (JAX's do not).
    Each loky worker is still held to its share of the CPUs (``cores // jobs``): it is pinned to
    CPUs of its own where the system allows (Linux), and its other thread pools (inter-op,
    OpenMP, BLAS) get that many threads. On Dask each run goes on to a child process of its
    worker (:func:`_run_in_own_process`), one at a time per worker process: start as many worker
    processes as runs should train at once (``dask worker ADDRESS --nworkers N --nthreads 1``).

    Args:
        function: A module-level function (workers import it), returning a dict.
        tasks: Its arguments, one tuple per call.
        describe: Names a task in the progress lines, e.g. ``"Autoencoder_2 seed 3"``.
        jobs: Worker processes; 1 runs the tasks here.
        scheduler: A Dask scheduler's address, or ``"local"``: see :func:`run_study`.
        verbose: A line per task; parallel tasks are first announced, with ``estimate``.
        estimate: Seconds all tasks take one after another, for the announcement.
    """
    check_jobs(jobs)
    total, started = len(tasks), time.perf_counter()

    def progress(number: int, task: tuple, done: str) -> None:
        if verbose:
            elapsed = time.perf_counter() - started
            finished = number if done else number - 1
            left = f", about {elapsed / finished * (total - finished):.0f} s left" if finished and finished < total else ""
            print(f"[{number}/{total}] {done}{describe(task)} ({elapsed:.0f} s so far{left})", flush=True)

    if scheduler is None and jobs == 1:
        results = []
        for number, task in enumerate(tasks, start=1):
            progress(number, task, "")
            results.append(function(*task))
        return results
    runtime = {"parent": os.getpid(), "intra_op_threads": _intra_op_threads(), "backend": keras.backend.backend()}
    run = _run_in_worker if scheduler is None else _run_in_own_process
    calls = (joblib.delayed(run)(index, function, task, runtime) for index, task in enumerate(tasks))
    found: list = [None] * total
    with _dask(scheduler) if scheduler is not None else _loky(jobs) as (where, workers):
        _announce(total, where, estimate, min(workers, total), verbose)
        parallel = joblib.Parallel(n_jobs=-1 if scheduler is not None else jobs, return_as="generator_unordered")
        for number, (index, result) in enumerate(parallel(calls), start=1):
            found[index] = result
            progress(number, tasks[index], "done: ")
    return found


def check_jobs(jobs: object) -> None:
    """Refuse a number of jobs that is not a whole number of at least 1."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number of at least 1, not {jobs!r}.")


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity where the system has one, else all)."""
    with contextlib.suppress(AttributeError, OSError):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def worker_threads(jobs: int) -> int:
    """Each worker's share of the CPU threads when ``jobs`` run at once: ``cores // jobs``, at least 1."""
    return max(1, cpu_count() // jobs)


def _announce(total: int, where: str, estimate: float | None, workers: int, verbose: bool) -> None:
    if verbose:
        seconds = None if estimate is None else estimate / workers
        about = (
            "" if seconds is None else f", about {seconds:.0f} s" if seconds < 90 else f", about {seconds / 60:.1f} minutes"
        )
        print(f"{total} runs, {where}{about}.", flush=True)


def _intra_op_threads() -> int:
    """The size of this process's TensorFlow intra-op thread pool (chosen, from the environment, or one per CPU)."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        chosen = tf.config.threading.get_intra_op_parallelism_threads()
        if chosen > 0:
            return chosen
    variable = os.environ.get("TF_NUM_INTRAOP_THREADS", "")
    return int(variable) if variable.isdigit() and int(variable) > 0 else cpu_count()


def _worker_environment(jobs: int) -> dict[str, str]:
    """What every loky worker process starts with: this backend, the course's TensorFlow settings, its threads."""
    threads = worker_threads(jobs)
    if jobs not in _SLOT_FOLDERS:
        _SLOT_FOLDERS[jobs] = tempfile.mkdtemp(prefix="course-cpu-slots-")
        atexit.register(shutil.rmtree, _SLOT_FOLDERS[jobs], ignore_errors=True)
    return {
        "KERAS_BACKEND": keras.backend.backend(),
        **{name: os.environ.get(name, value) for name, value in environment.QUIET_TENSORFLOW.items()},
        "TF_NUM_INTRAOP_THREADS": str(_intra_op_threads()),
        "TF_NUM_INTEROP_THREADS": str(threads),
        CPU_SLOTS_VARIABLE: _SLOT_FOLDERS[jobs],
        WORKER_CPUS_VARIABLE: str(threads),
    }


@contextlib.contextmanager
def _loky(jobs: int) -> Iterator[tuple[str, int]]:
    """joblib's loky processes, started with :func:`_worker_environment`."""
    from joblib._parallel_backends import LokyBackend

    class CourseLokyBackend(LokyBackend):
        def _prepare_worker_env(self, n_jobs: int) -> dict[str, str]:
            return {**super()._prepare_worker_env(n_jobs), **_worker_environment(n_jobs)}

    joblib.register_parallel_backend(_LOKY_BACKEND, CourseLokyBackend)
    threads = worker_threads(jobs)
    with joblib.parallel_config(backend=_LOKY_BACKEND, inner_max_num_threads=threads):
        yield f"{jobs} at a time in worker processes with {threads} CPU thread{'s' if threads > 1 else ''} each", jobs


@contextlib.contextmanager
def _dask(scheduler: str) -> Iterator[tuple[str, int]]:
    """joblib's Dask backend with a client of the cluster at ``scheduler``, or of a new one in this process."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ImportError(DASK_MISSING) from None
    with contextlib.ExitStack() as stack:
        if scheduler == LOCAL_SCHEDULER:
            cluster = LocalCluster(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None)
            client = stack.enter_context(Client(stack.enter_context(cluster)))
        else:
            try:
                client = stack.enter_context(Client(scheduler, timeout=10))
            except (OSError, ValueError) as error:
                raise ConnectionError(f"no Dask scheduler answers at {scheduler!r} ({error}).") from None
        workers = max(1, sum(client.nthreads().values()))
        with joblib.parallel_config(backend="dask"):
            yield f"on the Dask cluster at {client.scheduler.address} ({workers} worker threads)", workers


def _run_in_worker(index: int, function: Callable[..., dict], task: tuple, runtime: dict) -> tuple[int, dict]:
    """Run one task where joblib sent it, set up as the parent process computes; one at a time per process."""
    if os.getpid() != runtime["parent"]:
        _configure_worker(runtime["intra_op_threads"])
    # scikit-learn's own joblib calls stay in this thread, as they do in the parent: on Dask they
    # would otherwise wait for a worker thread that waits for this run's lock.
    with _RUN_LOCK, joblib.parallel_config(backend="sequential"):
        return index, function(*task)


def _run_in_own_process(index: int, function: Callable[..., dict], task: tuple, runtime: dict) -> tuple[int, dict]:
    """On a Dask worker: run the task in a child process of the worker's own, one at a time.

    Keras draws the initial weights' seeds from Python's global ``random`` numbers, right after
    seeding them; a Dask worker's event loop draws from them too, in another thread of the same
    process, and now and then in between: the weights, and every number after, then differ. The
    child process runs nothing else (kept for the worker's next tasks).
    """
    from joblib.externals.loky import ProcessPoolExecutor

    with _RUN_LOCK:
        if "executor" not in _WORKER_STATE:
            quiet = {name: os.environ.get(name, value) for name, value in environment.QUIET_TENSORFLOW.items()}
            child = {
                "KERAS_BACKEND": runtime["backend"],
                **quiet,
                "TF_NUM_INTRAOP_THREADS": str(runtime["intra_op_threads"]),
            }
            _WORKER_STATE["executor"] = ProcessPoolExecutor(max_workers=1, env=child)
            atexit.register(_WORKER_STATE["executor"].shutdown, wait=False)
        return _WORKER_STATE["executor"].submit(_run_in_worker, index, function, task, runtime).result()


def _configure_worker(intra_op_threads: int) -> None:
    """Once per worker process, before its first run: its own CPUs, and TensorFlow's pools sized as in the parent."""
    if _WORKER_STATE.get("configured"):
        return
    _WORKER_STATE["configured"] = True
    if keras.backend.backend() == "jax":
        import jax

        # JAX sizes its pool by the CPUs it may use when it starts, and XLA's results round with
        # that size too: start it with all of them, as in the parent, then pin its threads.
        jax.devices()
    _pin_to_own_cpus()
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        # A worker that has already run TensorFlow keeps its pools (a Dask worker used before):
        # its numbers may then differ from this process's in the last digits.
        with contextlib.suppress(RuntimeError):
            tf.config.threading.set_intra_op_parallelism_threads(intra_op_threads)
            if os.environ.get(WORKER_CPUS_VARIABLE, "").isdigit():
                tf.config.threading.set_inter_op_parallelism_threads(int(os.environ[WORKER_CPUS_VARIABLE]))


def _pin_to_own_cpus() -> None:
    """Pin this loky worker's threads to CPUs no other worker of its pool has (Linux; elsewhere nothing).

    Slot ``i`` holds CPUs ``i * share`` to ``(i + 1) * share - 1``; a worker takes the first slot
    whose lock file no living worker holds, and keeps it while it lives (a worker that replaces
    one that ended takes its CPUs). Threads started later (JAX sizes its pool by them) inherit them.
    """
    folder, share = os.environ.get(CPU_SLOTS_VARIABLE), os.environ.get(WORKER_CPUS_VARIABLE, "")
    if not folder or not share.isdigit() or not hasattr(os, "sched_setaffinity"):
        return
    import fcntl

    cpus, share_count = sorted(os.sched_getaffinity(0)), int(share)
    for slot in range(len(cpus) // share_count):
        handle = open(os.path.join(folder, f"slot-{slot}"), "a")  # held while the worker lives
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        _WORKER_STATE["slot"] = handle
        chosen = cpus[slot * share_count : (slot + 1) * share_count]
        for thread in os.listdir("/proc/self/task"):
            with contextlib.suppress(OSError):
                os.sched_setaffinity(int(thread), chosen)
        return


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
            **{metric: f"{row[f'{metric}_mean']:.4f} ± {row[f'{metric}_sd']:.4f}" for metric in METRIC_NAMES},
        }
        for row in summary
    }
    return pd.DataFrame.from_dict(rows, orient="index")


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
    return cache.key(_config_dict(config), description, sample, versions=versions)


def _config_dict(config: StudyConfig) -> dict:
    saved = {"depths": list(config.depths), "seeds": list(config.seeds), "settings": asdict(config.settings)}
    if config.controls:  # only then: a study without controls keeps the fingerprint it had before they existed
        saved["controls"] = {name: list(CONTROLS[name].hidden_units) for name in config.controls}
    if config.patience is not None:
        saved["patience"] = config.patience
    return saved


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


WHOLE_NUMBER_COLUMNS = ("depth", "seed", "parameters", "epochs", "best_epoch")


def _typed(row: dict) -> dict:
    typed: dict = {"model": row["model"]}
    for key, value in row.items():
        if key != "model" and not pd.isna(value):  # PCA's rows have no epochs
            typed[key] = (
                int(float(value)) if key in ("depth", "seed", "parameters", "epochs", "best_epoch") else float(value)
            )
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
        settings = training.TrainingSettings(**saved["settings"])
        controls = tuple(saved.get("controls", ()))
        config = StudyConfig(tuple(saved["depths"]), tuple(saved["seeds"]), settings, controls, saved.get("patience"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return load(folder, config, meta["fingerprint"])


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
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            histories[path.stem] = dict(json.loads(path.read_text())["history"])
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
    jobs: int = 1,
    scheduler: str | None = None,
) -> StudyResult:
    """Load this backend's saved study if the code, settings and data that made it are unchanged; else run it.

    A study that would train for longer than ``max_minutes`` is not run: its estimate is printed
    and the saved results of the book's run are returned instead (``max_minutes=None`` runs it).
    The reference run (``environment.reference_run``) always runs a study it needs. ``jobs`` and
    ``scheduler`` say where the runs train (:func:`run_study`); they do not change the numbers.
    """

    folder = backend_directory(directory, source=data.source)
    key = fingerprint(config, data)
    saved = load(folder, config, key)
    if saved is not None:
        if verbose:
            print(f"Loaded the saved study from {folder}")
            print("(made by this code with these settings and data).")
        return saved
    check_jobs(jobs)
    runs = len(config.models()) * len(config.seeds)
    serial = estimate_seconds(config, data)
    estimate = serial / (min(jobs, runs) if scheduler is None else 1)
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
    result = run_study(config, data, verbose, jobs, scheduler, serial)
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
    if not runs:  # an empty study (see :func:`saved_study`): no comparison to make
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
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
    results: dict[str, StudyResult | None], pairs: Sequence[tuple[str, str]], metric_names: Sequence[str] = METRIC_NAMES
) -> pd.DataFrame:
    """The verdict of every comparison on each backend's study, and the one both agree on.

    A backend whose study is missing (``None``, as :func:`load_saved` returns it, or empty, as
    :func:`saved_study` does) is left out with a one-line note, so that the verdicts of the
    others still show.

    Returns:
        One row per (model, baseline, metric) with a column per backend and ``settled``: the
        common verdict, or "not settled" where the backends disagree (no rows when no backend has
        a study).
    """
    missing = [backend for backend, result in results.items() if result is None]  # saved_study's empty ones were announced
    results = {backend: result for backend, result in results.items() if result is not None and result.runs}
    if missing:
        print(
            f"No saved study for {', '.join(missing)} (its folder is missing or damaged): the verdicts below are "
            f"{', '.join(results) or 'no backend'}'s alone. Copy the course's results/ folder next to this notebook."
        )
    columns = ["model", "baseline", "metric"]
    if not results:
        return pd.DataFrame(columns=[*columns, "settled"])
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
