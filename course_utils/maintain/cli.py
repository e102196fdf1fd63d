"""Command line: ``python -m course_utils compare|study|execute|check-pairs|colab-cell|guide|release|grade|gradebook``.

Every value is checked before any data is loaded or any model trained: a bad one is a one-line
usage error (exit code 2), never a traceback, and never a silent default.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from pathlib import Path

from course_utils import data, environment

MAX_SEED = 2**32 - 1  # NumPy's seeds are 32-bit
MIN_TRAIN_SIZE = 10  # one image per digit (size_study.MIN_SIZE; read here without loading Keras)
# The data sets of --dataset (data.DATASETS once data.py has it).
DATASETS = getattr(data, "DATASETS", ("mnist", "fashion-mnist"))
NOTEBOOK_SUFFIXES = (".py", ".ipynb")
CONFIRM_MINUTES = 60  # a study estimated to train longer asks first (--yes)
YES_HELP = (
    f"train without asking when the estimate is above {CONFIRM_MINUTES} minutes (it is asked only at a terminal; "
    "elsewhere such a run is refused without --yes)"
)


class UsageError(Exception):
    """A value the parser cannot check by itself (an output path, the data source): a usage error."""


class _Once(argparse.Action):
    """Store an option's value; refuse the option given twice, or a list that repeats a value."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        given = vars(namespace).setdefault("_given", set())
        if self.dest in given:
            raise argparse.ArgumentError(self, "given twice; give it once")
        given.add(self.dest)
        if isinstance(values, list):
            repeated = sorted({value for value in values if values.count(value) > 1})
            if repeated:
                raise argparse.ArgumentError(self, f"{', '.join(map(str, repeated))} given twice; give each once")
        setattr(namespace, self.dest, values)


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _positive(text: str) -> int:
    """A whole number of at least 1 (epochs)."""
    number = _integer(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return number


def _memory_gb(text: str) -> float:
    """Gigabytes of memory, at least 0.5 (a kernel with TensorFlow needs about 1)."""
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text} is not a number of gigabytes, such as 4") from None
    if not 0.5 <= number < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} GB is too little memory for a notebook: give at least 0.5")
    return number


def _train_size(text: str) -> int:
    """A training-set size of at least 10; the upper bound is the data set's, checked once it is loaded."""
    number = _integer(text)
    if number < MIN_TRAIN_SIZE:
        raise argparse.ArgumentTypeError(f"training-set size {text} is below {MIN_TRAIN_SIZE} (one image per digit)")
    return number


def _learning_rate(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < number < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return number


def _seed(text: str) -> int:
    """A seed NumPy accepts: 0 to 2**32 - 1."""
    number = _integer(text)
    if not 0 <= number <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"seed {text} is not between 0 and {MAX_SEED}")
    return number


def _depth(text: str) -> int:
    """A depth the study knows; its list is read only here, so that ``--help`` never loads Keras."""
    from course_utils.study import HIDDEN_UNITS_BY_DEPTH

    number = _integer(text)
    if number not in HIDDEN_UNITS_BY_DEPTH:
        raise argparse.ArgumentTypeError(f"depth {text} is not one of {', '.join(map(str, sorted(HIDDEN_UNITS_BY_DEPTH)))}")
    return number


def _notebook(text: str) -> Path:
    """An existing notebook, given as ``.py`` (with its jupytext header) or ``.ipynb``."""
    path = Path(text)
    if path.suffix not in NOTEBOOK_SUFFIXES:
        raise argparse.ArgumentTypeError(f"{text}: give a notebook as .py or .ipynb")
    script, executed = path.with_suffix(".py"), path.with_suffix(".ipynb")
    if not (script.is_file() or executed.is_file()):
        raise argparse.ArgumentTypeError(f"no notebook {text} (neither {script.name} nor {executed.name} exists)")
    if script.is_file() and not executed.is_file() and "jupytext:" not in script.read_text(errors="replace")[:1000]:
        raise argparse.ArgumentTypeError(f"{text} is not a paired notebook (no jupytext header)")
    return path


def _writable_folder(folder: Path, what: str = "--output") -> None:
    """Make ``folder`` if needed and write a temporary file in it.

    Args:
        folder: The folder to check.
        what: How the message names it, e.g. ``"--output"``.

    Raises:
        UsageError: If it is a file, or cannot be made or written in.
    """
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{what} {folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as error:
        raise UsageError(f"{what} {folder} is not writable: {error.strerror or error}") from None


def _writable_picture(output: Path) -> None:
    """Check that a figure can be saved as ``output``: a known picture type, in a writable folder.

    Raises:
        UsageError: If it cannot.
    """
    from matplotlib.backend_bases import FigureCanvasBase

    kinds = sorted(FigureCanvasBase.get_supported_filetypes(), key=lambda kind: (kind != "png", kind))
    if output.is_dir():
        raise UsageError(f"--output {output} is a folder; give a file such as {output / 'comparison.png'}")
    if output.suffix.lower().lstrip(".") not in kinds:
        raise UsageError(f"--output {output} must end in one of {', '.join('.' + kind for kind in kinds)}")
    _writable_folder(output.parent, "the folder of --output,")
    if output.exists() and not os.access(output, os.W_OK):
        raise UsageError(f"--output {output} is not writable")


def _load(source: str | None) -> data.MnistData:
    try:
        return data.load_mnist(source)
    except ValueError as error:  # a bad $COURSE_MNIST_SOURCE
        raise UsageError(str(error)) from None


def _compare(arguments: argparse.Namespace) -> int:
    output = Path(arguments.output)
    _writable_picture(output)
    environment.setup(seed=arguments.seed)
    from course_utils import compare, study, training

    mnist = _load(arguments.source)
    given = {"epochs": arguments.epochs} if arguments.epochs is not None else {}
    settings = training.TrainingSettings(**given)
    estimate = study.estimate_seconds(study.StudyConfig(seeds=(arguments.seed,), settings=settings), mnist)
    print(f"Training the article's three models for {settings.epochs} epochs, {_about(estimate / 60)} here.")
    _approval(arguments)(estimate, 3)
    trained = compare.train_article_models(mnist, settings, seed=arguments.seed)
    print()
    print(compare.comparison_table(trained).to_markdown(intfmt=","))
    compare.comparison_figure(trained, mnist).savefig(output, dpi=120)
    print(f"\nComparison picture written to {output.resolve()}")
    if not mnist.is_full_mnist:
        print("These numbers come from the course's 5,000-digit subset, not from full MNIST.")
    return 0


def _load_dataset(arguments: argparse.Namespace) -> data.MnistData:
    if arguments.dataset in (None, "mnist"):
        return _load(arguments.source)
    if arguments.source is not None:
        raise UsageError("--source chooses MNIST's subset or full set; leave it out with --dataset fashion-mnist")
    return data.load_dataset(arguments.dataset)


def _check_jobs_fit(jobs: int) -> None:
    """Refuse more jobs at once than this computer gives this process cores."""
    cores = environment.cpu_count()
    if jobs > cores:
        raise UsageError(
            f"--jobs {jobs}: this computer gives this process {cores} CPU core{'s' if cores > 1 else ''}, and jobs "
            "beyond that only wait for each other, each holding its own copy of Keras and its backend in memory. "
            f"Give --jobs {cores} or fewer."
        )


def _memory_gb_total() -> float | None:
    """This computer's memory in GB, or None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (AttributeError, OSError, ValueError):
        return None


def _check_memory_fits(jobs: int, memory_gb: float) -> None:
    """Refuse memory limits that together exceed this computer's memory: no limit would then stop a copy in time."""
    total = _memory_gb_total()
    if total is not None and jobs * memory_gb > total:
        fits = math.floor(total / jobs * 10) / 10
        raise UsageError(
            f"--jobs {jobs} with --memory-gb {memory_gb:g}: the notebooks may use {jobs * memory_gb:g} GB together, "
            f"but this computer has {total:.1f} GB. Give --memory-gb {fits:g} or less, or fewer --jobs."
        )


def _check_seeds(arguments: argparse.Namespace) -> None:
    if arguments.seeds is not None and len(arguments.seeds) < 2:
        raise UsageError(
            "--seeds: give at least two. A study's tables show the spread over seeds and test each difference "
            "(Welch's t-test), which one run per model cannot give; the course's studies use 5 or 10."
        )


def _parallel(arguments: argparse.Namespace) -> dict:
    """A runner for --jobs or --scheduler (maintain/parallel.py), passed on only when one is given."""
    if arguments.jobs is not None and arguments.scheduler is not None:
        raise UsageError(
            "--jobs and --scheduler: on a Dask cluster, its workers decide how many runs train at once; give one"
        )
    if arguments.jobs is not None:
        _check_jobs_fit(arguments.jobs)
    if arguments.scheduler is not None:
        import importlib.util

        if importlib.util.find_spec("distributed") is None:
            raise UsageError('--scheduler needs Dask: pip install "dask[distributed]"')
    if arguments.jobs is None and arguments.scheduler is None:
        return {}
    from course_utils.maintain import parallel

    try:  # a scheduler that does not answer as Dask does is refused here, before anything trains
        return {"runner": parallel.runner(arguments.jobs or 1, arguments.scheduler)}
    except ConnectionError as error:
        raise UsageError(f"--scheduler: {error}") from None


def _about(minutes: float) -> str:
    """A duration as a person says it, rounded up: "about 40 s", "about 12 minutes", "about 3.5 hours"."""
    if minutes < 1.5:
        return f"about {math.ceil(minutes * 60)} s"
    return f"about {math.ceil(minutes / 6) / 10:.1f} hours" if minutes >= 90 else f"about {math.ceil(minutes)} minutes"


def _approval(arguments: argparse.Namespace):
    """What a run asks before it trains: above :data:`CONFIRM_MINUTES`, a yes (--yes, or typed at a terminal).

    With --jobs the estimate is shared by the jobs that have runs to train, as if they shared it
    perfectly: the figure asked about is the least it can take.
    """
    jobs = getattr(arguments, "jobs", None)

    def approve(estimate: float, runs: int) -> None:
        sharing = min(jobs or 1, max(runs, 1))
        minutes = estimate / 60 / sharing
        if arguments.yes or minutes <= CONFIRM_MINUTES:
            return
        about = _about(minutes)
        at_once = f" with {sharing} jobs at once" if sharing > 1 else ""
        if _can_ask() and _asked(f"This trains for {about} here{at_once}. Go on? [y/N] "):
            return
        raise UsageError(
            f"this would train for {about} here{at_once}, more than {CONFIRM_MINUTES} minutes: add --yes to "
            "run it anyway, or make it smaller (fewer --epochs, or --seeds, --depths and --train-sizes of a study)"
        )

    return approve


def _can_ask() -> bool:
    """Whether a person can answer: stdin and stderr are this terminal, and this process is in its foreground."""
    streams = (sys.stdin, sys.stderr)
    if any(stream is None or not stream.isatty() for stream in streams):
        return False
    try:  # a background job (`... &`) that read the terminal would be stopped by the shell
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (AttributeError, OSError, ValueError):
        return False


def _asked(question: str) -> bool:
    """Ask on stderr (stdout may be a log file), read the answer; only "y" or "yes" is a yes."""
    print(question, end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):  # end of input (Ctrl-D): the terminal echoed no newline
        print(file=sys.stderr)
    return answer.strip().lower() in ("y", "yes")


def _settings(arguments: argparse.Namespace, default):
    from dataclasses import replace

    given = {"epochs": arguments.epochs, "batch_size": arguments.batch_size, "learning_rate": arguments.learning_rate}
    return replace(default, **{name: value for name, value in given.items() if value is not None})


def _study(arguments: argparse.Namespace) -> int:
    _check_seeds(arguments)
    if arguments.train_sizes is not None:
        if arguments.converged:
            raise UsageError("--converged and --train-sizes: the size study trains a fixed number of updates; give one")
        return _size_study(arguments)
    output = Path(arguments.output or ("results/converged_study" if arguments.converged else "results/study"))
    _writable_folder(output)
    parallel = _parallel(arguments)
    environment.setup(seed=0)
    from course_utils import study

    mnist = _load_dataset(arguments)
    _writable_folder(study.backend_directory(output, source=mnist.source))
    default = study.CONVERGED_STUDY if arguments.converged else study.DEPTH_STUDY
    settings = _settings(arguments, default.settings)
    depths = tuple(arguments.depths) if arguments.depths is not None else default.depths
    seeds = tuple(arguments.seeds) if arguments.seeds is not None else default.seeds
    # The controls match the article's depths 2 and 3: a study of other depths leaves them out.
    controls = default.controls if arguments.depths is None else ()
    try:
        config = study.StudyConfig(depths, seeds, settings, controls, default.patience)
    except ValueError as error:  # --epochs at or below the patience of --converged
        raise UsageError(f"--epochs: {error}") from None
    try:
        result = study.load_or_run(config, mnist, output, max_minutes=None, approve=_approval(arguments), **parallel)
    except ConnectionError as error:  # the scheduler went away after it answered
        raise UsageError(f"--scheduler: {error}") from None
    print()
    print(result.table().to_markdown(intfmt=","))
    print(
        f"\nTables and figure in {study.backend_directory(output, source=mnist.source).resolve()}: {', '.join(study.FILES)}"
    )
    if mnist.source == "subset":
        print("These numbers come from the course's 5,000-digit subset, not from full MNIST.")
    return 0


def _size_study(arguments: argparse.Namespace) -> int:
    output = Path(arguments.output or "results/size_study")
    _writable_folder(output)
    parallel = _parallel(arguments)
    environment.setup(seed=0)
    from course_utils import size_study, study

    images = _load_dataset(arguments)
    try:
        size_study.check_sizes(arguments.train_sizes, images)
    except ValueError as error:
        raise UsageError(f"--train-sizes: {error}") from None
    folder = study.backend_directory(output, source=images.source)
    _writable_folder(folder)
    config = size_study.SizeStudyConfig(
        tuple(arguments.train_sizes),
        tuple(arguments.depths) if arguments.depths is not None else size_study.DEFAULT_DEPTHS,
        tuple(arguments.seeds) if arguments.seeds is not None else size_study.DEFAULT_SEEDS,
        _settings(arguments, size_study.SIZE_STUDY_SETTINGS),
    )
    try:
        result = size_study.load_or_run(config, images, output, approve=_approval(arguments), **parallel)
    except ConnectionError as error:  # the scheduler went away after it answered
        raise UsageError(f"--scheduler: {error}") from None
    print()
    table = size_study.verdict_table(result)
    print(table.to_markdown(index=False))
    print(f"\nTables and figure in {folder.resolve()}: {', '.join(size_study.FILES)}")
    return 0


def _execute(arguments: argparse.Namespace) -> int:
    from course_utils.maintain import notebooks

    paths = [path.with_suffix(".ipynb") for path in arguments.notebooks]
    course = notebooks.course_notebooks()
    try:  # a damaged notebook stops the command before any kernel starts, and is left as it is
        for path in paths or course:
            notebooks.check_readable(path)
        if not paths:
            paths = course if arguments.all else [path for path in course if notebooks.stale_reason(path) is not None]
    except notebooks.NotebookReadError as error:
        raise UsageError(str(error)) from None
    if not paths and not arguments.all:
        print("Every notebook is up to date: nothing to execute (--all runs them all anyway).")
    for path in paths:
        print(f"executing {path} ...", flush=True)
        print(f"  {notebooks.execute(path):.1f} s", flush=True)
    return 0


def _check_pairs(arguments: argparse.Namespace) -> int:
    from course_utils.maintain import notebooks

    try:
        url = notebooks.repository_url()
    except ValueError as error:
        print(error)
        return 1
    paths = notebooks.course_notebooks()
    try:  # a damaged notebook is a usage error: its pair and its stamp cannot be compared
        for path in paths:
            notebooks.check_readable(path)
        problems = [
            problem
            for path in paths
            for problem in (
                notebooks.pairing_problem(path),
                notebooks.stale_reason(path),
                notebooks.colab_cell_problem(path, url),
            )
            if problem is not None
        ]
    except notebooks.NotebookReadError as error:
        raise UsageError(str(error)) from None
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def _colab_cell(arguments: argparse.Namespace) -> int:
    from course_utils.maintain import notebooks

    try:
        url = notebooks.repository_url()
    except ValueError as error:
        raise UsageError(str(error)) from None
    if url is None:
        print(
            f"{notebooks.PYPROJECT.name} names no repository ([project.urls] {notebooks.REPOSITORY_KEY}): "
            "on Colab the cell says how to install the course by hand."
        )
    else:
        print(f"Colab cell for the repository {url}")
    changed = []
    paths = notebooks.course_notebooks()
    try:  # every pair read first: a damaged one stops the command before any file is written
        for path in paths:
            if path.with_suffix(".py").exists():
                notebooks.read_notebook(path.with_suffix(".py"))
    except notebooks.NotebookReadError as error:
        raise UsageError(str(error)) from None
    for path in paths:
        script = path.with_suffix(".py")
        if not script.exists():
            print(f"{path.name} has no {script.name} to write the cell into: skipped")
        elif notebooks.write_colab_cell(script, url):
            changed.append(script)
    if not changed:
        print("Every notebook already opens with this cell.")
        return 0
    print(f"Wrote the Colab cell into {', '.join(script.name for script in changed)}.")
    print("Their executed notebooks are now stale: run `python -m course_utils execute`.")
    return 0


def _guide(arguments: argparse.Namespace) -> int:
    from course_utils.exercises import registry
    from course_utils.maintain import timings

    try:
        changed = registry.write_guide_table()
    except ValueError as error:
        print(error)
        return 1
    print(f"{registry.GUIDE}: exercise table {'rewritten from the registry' if changed else 'already up to date'}")
    try:  # the run times of README.md's and the guide's notebook tables, from the benchmark's CSV
        rewritten = timings.write_timing_tables()
    except timings.TimingsError as error:
        print(error)
        return 1
    for path in timings.TIME_COLUMNS:
        state = "rewritten from" if path in rewritten else "already match"
        print(f"{path}: notebook run times {state} {timings.TIMINGS.relative_to(timings.ROOT)}")
    return 0


def _release(arguments: argparse.Namespace) -> int:
    paths = arguments.notebooks or None
    if arguments.format == "nbgrader":
        from course_utils.maintain import nbgrader_export

        # --output's default names the copies' folder: an nbgrader course folder has its own.
        given = "output" in vars(arguments).get("_given", set())
        output = Path(arguments.output) if given else nbgrader_export.DEFAULT_OUTPUT
        return nbgrader_export.main(output, paths, from_ipynb=arguments.from_ipynb, force=arguments.force)
    from course_utils.maintain import release

    return release.main(Path(arguments.output), paths, from_ipynb=arguments.from_ipynb, force=arguments.force)


def _grade(arguments: argparse.Namespace) -> int:
    from course_utils.maintain import grade

    _check_jobs_fit(arguments.jobs)
    _check_memory_fits(arguments.jobs, arguments.memory_gb)
    folder = Path(arguments.folder)
    output = Path(arguments.output) if arguments.output is not None else folder / grade.DEFAULT_NAME
    try:
        problem = grade.layout_problem(folder)
        if problem:
            raise grade.GradeError(problem)
        grade.check_output(output, arguments.force)
    except grade.GradeError as error:
        raise UsageError(str(error)) from None
    _writable_folder(output.parent, "the folder of --output,")
    hidden = Path(arguments.hidden_checks) if arguments.hidden_checks else None
    options = grade.Options(arguments.timeout, arguments.jobs, arguments.memory_gb, hidden)
    try:
        grade.read_hidden_checks(hidden)
    except grade.GradeError as error:
        raise UsageError(str(error)) from None
    return grade.main(folder, output, options, force=arguments.force)


def _add_compare(commands: argparse._SubParsersAction) -> None:
    compare = commands.add_parser("compare", help="train the article's three models and compare them")
    compare.add_argument("--output", action=_Once, default="results/comparison.png", help="where to write the picture")
    compare.add_argument("--epochs", action=_Once, type=_positive, default=None, help="override the course's epochs")
    compare.add_argument("--seed", action=_Once, type=_seed, default=environment.DEFAULT_SEED)
    compare.add_argument("--source", action=_Once, choices=data.SOURCES, default=None, help="MNIST source (default: subset)")
    compare.add_argument("--yes", action="store_true", help=YES_HELP)
    compare.set_defaults(handler=_compare)


def _add_study(commands: argparse._SubParsersAction) -> None:
    study = commands.add_parser(
        "study",
        help="measure every depth over several seeds, with PCA as baseline; with --train-sizes, at several "
        "training-set sizes",
    )
    study.add_argument("--depths", action=_Once, type=_depth, nargs="+", default=None, help="default: the study's depths")
    study.add_argument("--seeds", action=_Once, type=_seed, nargs="+", default=None, help="default: the study's seeds")
    study.add_argument("--epochs", action=_Once, type=_positive, default=None, help="override the study's epochs")
    study.add_argument("--batch-size", action=_Once, type=_positive, default=None, help="override the study's batch size")
    study.add_argument(
        "--learning-rate", action=_Once, type=_learning_rate, default=None, help="override the study's learning rate"
    )
    study.add_argument(
        "--train-sizes",
        action=_Once,
        type=_train_size,
        nargs="+",
        default=None,
        help="run the data-size study: these training-set sizes (all the data set's training images, or from 10 "
        "to 10 fewer, so that each digit keeps its share), each with the updates the settings make on the largest",
    )
    study.add_argument(
        "--converged",
        action="store_true",
        help="train each model until its validation loss stops falling (then --epochs is the most), "
        "without the control models",
    )
    study.add_argument("--dataset", action=_Once, choices=DATASETS, default=None, help="default: mnist")
    study.add_argument(
        "--jobs", action=_Once, type=_positive, default=None, help="runs at once in worker processes (default: 1)"
    )
    study.add_argument(
        "--scheduler",
        action=_Once,
        default=None,
        help='send the runs to the Dask scheduler at this address, or "local" for a cluster in this process '
        '(pip install "dask[distributed]")',
    )
    study.add_argument("--yes", action="store_true", help=YES_HELP)
    study.add_argument(
        "--output",
        action=_Once,
        default=None,
        help="folder for the CSV tables and the figure, one subfolder per backend (default: results/study, "
        "results/size_study with --train-sizes)",
    )
    study.add_argument("--source", action=_Once, choices=data.SOURCES, default=None, help="MNIST source (default: subset)")
    study.set_defaults(handler=_study)


def _add_release(commands: argparse._SubParsersAction) -> None:
    release = commands.add_parser(
        "release", help="write student copies of the notebooks, every solution replaced by a placeholder"
    )
    release.add_argument("notebooks", type=_notebook, nargs="*", help="notebooks to copy (.ipynb or .py); default: all")
    release.add_argument(
        "--format",
        action=_Once,
        choices=("copies", "nbgrader"),
        default="copies",
        help="copies: a student notebook per notebook (default); nbgrader: an nbgrader course folder, one "
        "assignment per notebook, with solution, autograded and locked cells (nbgrader generate_assignment, autograde)",
    )
    release.add_argument(
        "--output",
        action=_Once,
        default="student",
        help="folder for the copies (default: student/) or the nbgrader course folder (default: build/nbgrader/); "
        "git ignores both",
    )
    release.add_argument(
        "--from-ipynb", action="store_true", help="use the executed .ipynb files as they are, ignoring the .py pairs"
    )
    release.add_argument(
        "--force", action="store_true", help="replace copies already there, keeping each as NAME.ipynb.bak-<time> first"
    )
    release.set_defaults(handler=_release)


def _gradebook(arguments: argparse.Namespace) -> int:
    from course_utils.maintain import gradebook

    path = Path(arguments.file)
    try:
        book = gradebook.with_totals(gradebook.filled_in(gradebook.read(path)))
    except gradebook.GradebookError as error:
        raise UsageError(f"{path}: {error}") from None
    except (OSError, ValueError) as error:
        raise UsageError(f"{path} cannot be read ({error}); give the grades.csv that `grade` wrote") from None
    written = {path: gradebook.write(book, path), **gradebook.write_exports(book, path)}
    for target, backup in written.items():
        kept = f" (the previous one kept as {backup.name})" if backup is not None else ""
        print(f"wrote {target}{kept}")
    open_items = int(gradebook.totals(book)["open_items"].sum())
    print(f"{open_items} row(s) still to grade by hand" if open_items else "every row is graded")
    return 0


def _add_gradebook(commands: argparse._SubParsersAction) -> None:
    book = commands.add_parser(
        "gradebook",
        help="after filling in the rows to grade by hand in grades.csv: the totals and the Canvas and Moodle files again",
    )
    book.add_argument("file", help="the grades.csv that `grade` wrote, with the earned points of rows graded by hand")
    book.set_defaults(handler=_gradebook)


def _add_grade(commands: argparse._SubParsersAction) -> None:
    grade = commands.add_parser(
        "grade", help="run students' copies (FOLDER/<student>/NN_name.ipynb) and write each check's verdict to a CSV"
    )
    grade.add_argument("folder", help="one sub-folder per student, named by the student's id, holding their notebooks")
    grade.add_argument("--output", action=_Once, default=None, help="the CSV to write (default: FOLDER/grades.csv)")
    grade.add_argument(
        "--timeout", action=_Once, type=_positive, default=600, help="seconds for each notebook (default: 600)"
    )
    grade.add_argument("--jobs", action=_Once, type=_positive, default=1, help="notebooks run at once (default: 1)")
    grade.add_argument(
        "--memory-gb",
        action=_Once,
        type=_memory_gb,
        default=6.0,
        help="memory a notebook's processes may use together, in GB (default: 6)",
    )
    grade.add_argument(
        "--hidden-checks",
        action=_Once,
        default=None,
        help="a Python file of checks students never see: HIDDEN_CHECKS = [(exercise, check, arguments), ...]",
    )
    grade.add_argument("--force", action="store_true", help="replace the CSV, keeping it first as NAME.bak-<time>")
    grade.set_defaults(handler=_grade)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface of the course."""
    parser = argparse.ArgumentParser(prog="python -m course_utils", description="Autoencoder course tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_compare(commands)
    _add_study(commands)
    execute = commands.add_parser("execute", help="run notebooks top to bottom and store their outputs (maintainers)")
    execute.add_argument(
        "notebooks", type=_notebook, nargs="*", help="notebooks to run (.ipynb or .py); default: every stale one"
    )
    execute.add_argument("--all", action="store_true", help="run every notebook, stale or not")
    execute.set_defaults(handler=_execute)
    check_pairs = commands.add_parser(
        "check-pairs",
        help="say which notebooks disagree with their .py pair, were executed with other code or lack the Colab cell",
    )
    check_pairs.set_defaults(handler=_check_pairs)
    colab_cell = commands.add_parser(
        "colab-cell",
        help="write the Colab install cell, made from pyproject.toml's repository, first into every notebook's .py",
    )
    colab_cell.set_defaults(handler=_colab_cell)
    guide = commands.add_parser(
        "guide",
        help="write the instructor guide's exercise table from the exercise registry, and the notebook run times "
        "of README.md and the guide from benchmarks/results/notebook_budgets.csv",
    )
    guide.set_defaults(handler=_guide)
    _add_release(commands)
    _add_grade(commands)
    _add_gradebook(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code.

    Raises:
        SystemExit: With code 2 and a one-line message for a bad value, before any work.
    """
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        return arguments.handler(arguments)
    except UsageError as error:
        parser.exit(2, f"{parser.prog} {arguments.command}: error: {error}\n")
    except ModuleNotFoundError as error:  # the student install has no maintainer tools (pyproject.toml's dev extra)
        parser.exit(
            2,
            f"{parser.prog} {arguments.command}: error: this command needs the course's tools ({error.name} is not "
            "installed): pip install -r requirements-dev.txt\n",
        )
