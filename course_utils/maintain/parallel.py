"""Training a study's runs in worker processes or on a Dask cluster, number for number as in one process.

``python -m course_utils study --jobs N`` and ``--scheduler ADDRESS`` use :func:`runner`; the lesson
modules run one after another (:func:`course_utils.study.run_one_by_one`) and never import this.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence

import joblib

from course_utils import environment, study
from course_utils.backend import keras

# Parallel runs (run_study's jobs and scheduler): what a worker process is told, and what it keeps.
LOCAL_SCHEDULER = "local"
CONNECT_SECONDS = 3  # a scheduler that has not answered by then is not there (a Dask one answers in milliseconds)
_SCHEDULER_FIX = 'Give the address "dask scheduler" prints when it starts (tcp://HOST:8786), or "local".'
DASK_MISSING = 'Running on a Dask cluster needs Dask: pip install "dask[distributed]"'
CPU_SLOTS_VARIABLE = "COURSE_CPU_SLOTS"
WORKER_CPUS_VARIABLE = "COURSE_WORKER_CPUS"
_LOKY_BACKEND = "course-loky"
_SLOT_FOLDERS: dict[int, str] = {}  # jobs -> the folder whose lock files hand out the CPUs (this process's)
_WORKER_STATE: dict[str, object] = {}  # in a worker: configured once; the lock file of its CPUs, held while it lives
_RUN_LOCK = threading.Lock()  # one training at a time per process: Keras seeds are global


def runner(jobs: int = 1, scheduler: str | None = None, estimate: float | None = None, verbose: bool = True) -> study.Runner:
    """A runner for :func:`course_utils.study.run_study` and :func:`course_utils.size_study.run_size_study`.

    Args:
        jobs: Worker processes, each with its share of this computer's CPU threads (``cores // jobs``).
        scheduler: A Dask scheduler's address, e.g. ``"tcp://10.0.0.5:8786"``, or ``"local"`` for a
            cluster inside this process (``jobs`` is then not used). Needs ``pip install "dask[distributed]"``.
        estimate: Seconds the runs take one after another, announced per worker.
        verbose: A line per run.
    """
    check_jobs(jobs)
    if scheduler is not None:
        check_scheduler(scheduler)  # before anything trains
    return functools.partial(run_tasks, jobs=jobs, scheduler=scheduler, verbose=verbose, estimate=estimate)


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
    if scheduler is None and jobs == 1:
        return study.run_one_by_one(function, tasks, describe, verbose)
    total = len(tasks)
    progress = study.progress_printer(total, describe, verbose)
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


def worker_threads(jobs: int) -> int:
    """Each worker's share of the CPU threads when ``jobs`` run at once: ``cores // jobs``, at least 1."""
    return max(1, environment.cpu_count() // jobs)


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
    return int(variable) if variable.isdigit() and int(variable) > 0 else environment.cpu_count()


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


def check_scheduler(scheduler: str) -> None:
    """Refuse an address where no Dask scheduler answers within :data:`CONNECT_SECONDS`.

    Asks the address who it is, as Dask's client does first, but with a deadline on the answer
    too: a server of another kind (a web server, say) may accept the connection and never send
    what Dask waits for, and Dask's own client then waits for ever.

    Raises:
        ConnectionError: Nothing answers, or not as a Dask scheduler does; the message names the address.
        ImportError: Dask is not installed.
    """
    if scheduler == LOCAL_SCHEDULER:
        return
    try:
        from distributed.comm import connect
        from distributed.security import Security
    except ImportError:
        raise ImportError(DASK_MISSING) from None

    async def identity() -> object:
        comm = await asyncio.wait_for(
            connect(scheduler, timeout=CONNECT_SECONDS, **Security().get_connection_args("client")), CONNECT_SECONDS
        )
        try:
            await comm.write({"op": "identity"})
            return await asyncio.wait_for(comm.read(), CONNECT_SECONDS)
        finally:
            comm.abort()

    answer = _within(CONNECT_SECONDS + 2, lambda: asyncio.run(identity()))  # its own event loop, also in Jupyter
    if isinstance(answer, (OSError, ValueError, TimeoutError)):  # nothing there, or an address Dask cannot read
        reason = str(answer) or f"nothing answered as a Dask scheduler does within {CONNECT_SECONDS} s"
        raise ConnectionError(f"no Dask scheduler answers at {scheduler!r} ({reason}). {_SCHEDULER_FIX}")
    if not (isinstance(answer, dict) and answer.get("type") == "Scheduler"):
        # e.g. a server that speaks first (SSH), whose greeting Dask reads as an absurd message length
        raise ConnectionError(f"something answers at {scheduler!r}, but not as a Dask scheduler does. {_SCHEDULER_FIX}")


def _within(seconds: float, call: Callable[[], object]) -> object:
    """``call()``'s result or the exception it raised, or a TimeoutError after ``seconds``.

    The call runs in a daemon thread, which is left behind if it overruns (a name lookup that
    hangs, say): nothing waits for it, not even the interpreter at exit.
    """
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as error:  # handed to the caller, which names it
            outcome.append(error)

    thread = threading.Thread(target=run, name="course-scheduler-check", daemon=True)
    thread.start()
    thread.join(seconds)
    return outcome[0] if outcome else TimeoutError()


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
            check_scheduler(scheduler)  # Client itself can wait for ever on a server of another kind
            try:
                client = stack.enter_context(Client(scheduler, timeout=CONNECT_SECONDS))
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
