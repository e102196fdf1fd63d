"""Command line: ``python -m course_utils compare|study|execute|check-pairs|guide|release``."""

from __future__ import annotations

import argparse
from pathlib import Path

from course_utils import data, environment


def _compare(arguments: argparse.Namespace) -> int:
    environment.setup(seed=arguments.seed)
    from course_utils import compare, training

    mnist = data.load_mnist(arguments.source)
    settings = training.TrainingSettings(epochs=arguments.epochs) if arguments.epochs else None
    trained = compare.train_article_models(mnist, settings, seed=arguments.seed)
    print()
    print(compare.comparison_table(trained).to_markdown(intfmt=","))
    output = Path(arguments.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    compare.comparison_figure(trained, mnist).savefig(output, dpi=120)
    print(f"\nComparison picture written to {output.resolve()}")
    if not mnist.is_full_mnist:
        print("These numbers come from the course's 5,000-digit subset, not from full MNIST.")
    return 0


def _study(arguments: argparse.Namespace) -> int:
    environment.setup(seed=0)
    from course_utils import study, training

    mnist = data.load_mnist(arguments.source)
    settings = training.TrainingSettings(epochs=arguments.epochs) if arguments.epochs else training.TrainingSettings()
    seeds = tuple(arguments.seeds) if arguments.seeds else study.StudyConfig().seeds
    config = study.StudyConfig(tuple(arguments.depths), seeds, settings)
    result = study.load_or_run(config, mnist, Path(arguments.output), max_minutes=None)  # asked for: always run
    print()
    print(result.table().to_markdown(intfmt=","))
    print(f"\nTables and figure in {study.backend_directory(Path(arguments.output)).resolve()}: {', '.join(study.FILES)}")
    if not mnist.is_full_mnist:
        print("These numbers come from the course's 5,000-digit subset, not from full MNIST.")
    return 0


def _execute(arguments: argparse.Namespace) -> int:
    from course_utils.maintain import notebooks

    paths = [Path(path).with_suffix(".ipynb") for path in arguments.notebooks] or notebooks.course_notebooks()
    for path in paths:
        print(f"executing {path} ...", flush=True)
        print(f"  {notebooks.execute(path):.1f} s", flush=True)
    return 0


def _check_pairs(arguments: argparse.Namespace) -> int:
    from course_utils.maintain import notebooks

    problems = [
        problem
        for path in notebooks.course_notebooks()
        for problem in (notebooks.pairing_problem(path), notebooks.stale_reason(path))
        if problem is not None
    ]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def _guide(arguments: argparse.Namespace) -> int:
    from course_utils.exercises import registry

    try:
        changed = registry.write_guide_table()
    except ValueError as error:
        print(error)
        return 1
    print(f"{registry.GUIDE}: exercise table {'rewritten from the registry' if changed else 'already up to date'}")
    return 0


def _release(arguments: argparse.Namespace) -> int:
    from course_utils.maintain import release

    paths = [Path(path) for path in arguments.notebooks] or None
    return release.main(Path(arguments.output), paths, from_ipynb=arguments.from_ipynb)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface of the course."""
    parser = argparse.ArgumentParser(prog="python -m course_utils", description="Autoencoder course tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    compare = commands.add_parser("compare", help="train the article's three models and compare them")
    compare.add_argument("--output", default="results/comparison.png", help="where to write the picture")
    compare.add_argument("--epochs", type=int, default=None, help="override the course's epochs")
    compare.add_argument("--seed", type=int, default=environment.DEFAULT_SEED)
    compare.add_argument("--source", choices=data.SOURCES, default=None, help="MNIST source (default: subset)")
    compare.set_defaults(handler=_compare)
    study_command = commands.add_parser("study", help="measure every depth over several seeds, with PCA as baseline")
    study_command.add_argument("--depths", type=int, nargs="+", default=[1, 2, 3])
    study_command.add_argument("--seeds", type=int, nargs="+", default=None, help="default: the study's 10 seeds")
    study_command.add_argument("--epochs", type=int, default=None, help="override the course's epochs")
    study_command.add_argument(
        "--output", default="results/study", help="folder for the CSV tables and the figure (one subfolder per backend)"
    )
    study_command.add_argument("--source", choices=data.SOURCES, default=None, help="MNIST source (default: subset)")
    study_command.set_defaults(handler=_study)
    execute = commands.add_parser("execute", help="run notebooks top to bottom and store their outputs (maintainers)")
    execute.add_argument("notebooks", nargs="*", help="notebooks to run (.ipynb or .py); default: all")
    execute.set_defaults(handler=_execute)
    check_pairs = commands.add_parser(
        "check-pairs", help="say which notebooks disagree with their .py pair or were executed with other code"
    )
    check_pairs.set_defaults(handler=_check_pairs)
    guide = commands.add_parser("guide", help="write the instructor guide's exercise table from the exercise registry")
    guide.set_defaults(handler=_guide)
    release_command = commands.add_parser(
        "release", help="write student copies of the notebooks, every solution replaced by a placeholder"
    )
    release_command.add_argument("notebooks", nargs="*", help="notebooks to copy (.ipynb or .py); default: all")
    release_command.add_argument("--output", default="student", help="folder for the copies (git ignores student/)")
    release_command.add_argument(
        "--from-ipynb", action="store_true", help="use the executed .ipynb files as they are, ignoring the .py pairs"
    )
    release_command.set_defaults(handler=_release)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code."""
    arguments = build_parser().parse_args(argv)
    return arguments.handler(arguments)
