"""The grader's side inside a student's kernel: the checks as they were before the student's first cell.

``grade`` runs a student's notebook with cells of its own (see :mod:`course_utils.maintain.grade`):

- before the student's first cell, :func:`start` imports every checks module and keeps the check
  functions, the verdict's properties and a fingerprint of every function and class of the course;
- each check cell of the instructor's copy is run as :func:`check`, which calls the kept check on
  the student's answer and shows the verdict as a display output of a type only the grader reads;
- after the last cell, :func:`hidden` runs the instructor's hidden checks, if any.

A verdict is ``{"check", "passed", "score", "message"}``. It is not counted (the row is flagged)
when the student's code changed the course's functions or classes since :func:`start`: a patched
``CheckResult.passed``, a reloaded or rewritten checks module. The student's code runs in this same
process, so a student who targets the grader itself could still forge: the grader's README section
says so.
"""

from __future__ import annotations

import hashlib
import sys
import types
from collections.abc import Callable
from typing import Any

MIME = "application/vnd.course-grader.verdict+json"
PACKAGE = "course_utils"
# What start() kept: (exercise number, index among its check calls) -> (check, its arguments as written).
_KEPT: dict[tuple[str, int], tuple[Callable[..., object], str]] = {}
_FINGERPRINT: dict[str, object] = {}
_VERDICT: dict[str, Callable[[object], object]] = {}


def start() -> None:
    """Keep the checks and a fingerprint of the course, before any student cell runs."""
    from course_utils.exercises import feedback, registry

    for exercise in registry.all_exercises():
        calls = [call for call in exercise.calls if call.is_check]
        for index, call in enumerate(calls):
            module = sys.modules[exercise.checks_module]
            _KEPT[(exercise.number, index)] = (getattr(module, call.function.__name__), call.arguments)
    properties = vars(feedback.CheckResult)
    _VERDICT.update(
        kind=feedback.CheckResult,
        passed=properties["passed"].fget,
        score=properties["score"].fget if "score" in properties else None,
    )
    _FINGERPRINT.update(fingerprint())


def fingerprint() -> dict[str, object]:
    """Every module, function and class of the course now loaded, with the code each function runs."""
    found: dict[str, object] = {}
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != PACKAGE or not isinstance(module, types.ModuleType):
            continue
        found[name] = id(module)
        for attribute, value in list(vars(module).items()):
            if getattr(value, "__module__", None) == name:
                found.update(_parts(f"{name}.{attribute}", value))
    return found


def _parts(where: str, value: object) -> dict[str, object]:
    """A function's or a class's identity and code (a class's methods and properties, one level deep)."""
    parts: dict[str, object] = {where: (id(value), _code(value))}
    if isinstance(value, type):
        for attribute, member in list(vars(value).items()):
            if isinstance(member, property):
                member = member.fget
            if isinstance(member, (staticmethod, classmethod)):
                member = member.__func__
            if callable(member):
                parts[f"{where}.{attribute}"] = (id(member), _code(member))
    return parts


def _code(value: object) -> str:
    code = getattr(value, "__code__", None)
    if code is None:
        return ""
    return hashlib.sha256(code.co_code + repr(code.co_consts).encode() + repr(code.co_names).encode()).hexdigest()


def changed() -> list[str]:
    """The course's functions, classes and modules that differ from what :func:`start` saw (empty when none)."""
    now = fingerprint()
    return sorted(name for name, value in _FINGERPRINT.items() if now.get(name) != value)


def check(number: str, index: int = 0) -> object:
    """Run exercise ``number``'s check (its ``index``-th check call) on the student's answer, and show the verdict.

    Returns:
        The check's result, shown below the cell as a student would see it; None when it could not run.
    """
    function, arguments = _KEPT[(number, index)]
    name = function.__name__
    try:
        values = eval(f"({arguments},)", _student_namespace())  # noqa: S307 (the registry's arguments)
    except Exception as error:
        return _show(failed(name, _not_given(arguments, error)))
    try:
        result = function(*values)
    except Exception as error:
        return _show(failed(name, f"the check raised {type(error).__name__}: {error}"))
    _show(verdict(name, result))
    return result


def hidden(source: str) -> None:
    """Run the instructor's hidden checks: ``source`` defines ``HIDDEN_CHECKS``, (exercise number, check, arguments) each.

    A hidden check returns a course ``CheckResult`` or a bool, or raises ``AssertionError`` saying what is wrong.
    """
    namespace: dict[str, Any] = {"__name__": "course_hidden_checks"}
    exec(compile(source, "hidden checks", "exec"), namespace)  # noqa: S102 (the instructor's own file)
    for number, function, arguments in namespace.get("HIDDEN_CHECKS", ()):
        name = f"hidden:{number}:{function.__name__}"
        try:
            result = function(*eval(f"({arguments},)", _student_namespace()))  # noqa: S307
        except AssertionError as error:
            _show(failed(name, str(error) or "a hidden check failed"))
        except Exception as error:
            _show(failed(name, f"a hidden check could not run: {type(error).__name__}: {error}"))
        else:
            _show(verdict(name, result))


def verdict(name: str, result: object) -> dict:
    """What a check's ``result`` is worth, read with the properties kept at :func:`start`, unless the course was changed."""
    tampered = changed()
    if tampered:
        shown = ", ".join(tampered[:3]) + (", ..." if len(tampered) > 3 else "")
        return failed(name, f"not counted: the notebook's code changed {shown}", tampered=True)
    if isinstance(result, bool):  # a hidden check's plain answer
        message = "" if result else "a hidden check failed"
        return {"check": name, "passed": result, "score": float(result), "message": message}
    if not isinstance(result, _VERDICT["kind"]):
        return failed(name, f"the check returned {type(result).__name__}, not a verdict")
    passed = bool(_VERDICT["passed"](result))
    score = float(_VERDICT["score"](result)) if _VERDICT["score"] else float(passed)
    return {"check": name, "passed": passed, "score": score, "message": _message(result)}


def failed(name: str, message: str, **extra: object) -> dict:
    """A verdict that gives nothing."""
    return {"check": name, "passed": False, "score": 0.0, "message": message, **extra}


def _message(result: Any) -> str:
    """What a check result says: what to fix, else what is right."""
    lines = list(result.fix) or list(result.right)
    return " ".join(lines) if lines else str(result)


def _not_given(arguments: str, error: Exception) -> str:
    if isinstance(error, NameError):
        return f"not answered: {error} (the cell that defines it did not run, or raised)"
    return f"the check's inputs ({arguments}) could not be read: {type(error).__name__}: {error}"


def _student_namespace() -> dict:
    from IPython import get_ipython

    return get_ipython().user_ns


def _show(entry: dict) -> None:
    from IPython.display import display

    display({MIME: entry}, raw=True)
