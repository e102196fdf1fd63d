"""What the command-line tests share: the one error line of a refused command, and stand-ins that must not run."""

from collections.abc import Callable

import pytest

from course_utils.maintain.cli import main


def usage_error(argv: list[str], capsys) -> str:
    """The one error line of a command that must stop with a usage error (exit code 2), never a traceback."""
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"python -m course_utils {argv[0]}: error: ")
    return last


def refuse(what: str) -> Callable[..., None]:
    """A stand-in for ``what`` (data loading, a training) that fails the test if the command reaches it."""

    def refused(*args, **kwargs):
        raise AssertionError(f"{what} ran although the command line was wrong")

    return refused
