"""One cache for every saved result: keyed on what decides the result, written atomically.

Training runs (``training.train(..., reuse=True)``), measured runs and studies (``study``) are
saved in *slots*: one file per slot, holding the key it was made with. A slot is read only when
its key matches, and a new result replaces the old one in place, so superseded results never pile
up. A key covers what decides a result: the inputs the caller passes (initial weights, images,
settings, seed), the versions of Keras and its backend, and :data:`CODE_VERSION`, never the bytes
of source files: a comment or docstring edit keeps every saved result valid.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import IO

import numpy as np

# Raise this when a change to models.py, training.py, metrics.py or study.py changes what a run
# produces (its losses, weights or measures): every saved result is then made again. The test
# tests/test_cache.py::test_saved_study_still_reproduces fails when a change needs it.
CODE_VERSION = 1
CACHE_VARIABLE = "COURSE_CACHE_DIR"
KEY_ENTRY = "__key__"
META_ENTRY = "__meta__"
_UNWRITABLE: set[Path] = set()  # folders already reported, so a notebook says it once


def default_dir() -> Path:
    """The user's cache folder: ``$COURSE_CACHE_DIR`` or ``~/.cache/autoencoder-course``."""
    return Path(os.environ.get(CACHE_VARIABLE) or Path.home() / ".cache" / "autoencoder-course")


def library_versions() -> dict[str, str]:
    """Keras, its backend and that backend's version (the backend as Keras loaded it)."""
    from course_utils.backend import keras

    backend = keras.backend.backend()
    try:
        backend_version = metadata.version(backend if backend != "torch" else "torch")
    except metadata.PackageNotFoundError:
        backend_version = getattr(sys.modules.get(backend), "__version__", "unknown")
    return {"keras": keras.__version__, "backend": backend, backend: backend_version}


def key(*parts: object, versions: dict[str, str] | None = None) -> str:
    """A short hash of ``parts``, the library versions (default: those in use) and :data:`CODE_VERSION`.

    Parts may be NumPy arrays (their values, shape and type count), ``None``, or anything
    ``json.dumps`` can write (numbers, strings, lists, dicts).
    """
    digest = hashlib.sha256(f"code {CODE_VERSION}".encode())
    digest.update(json.dumps(library_versions() if versions is None else versions, sort_keys=True).encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            array = np.ascontiguousarray(part)
            digest.update(f"array {array.dtype} {array.shape}".encode())
            digest.update(array.tobytes())
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:20]


def code_without_docstrings(path: Path) -> str:
    """A Python file's syntax tree without comments, docstrings or layout: what its code does, not how it reads.

    The notebooks' fingerprints use it (:mod:`course_utils.maintain.notebooks`): their outputs show
    what any course code does, so any change of code counts, but a reworded docstring does not.
    """
    tree = ast.parse(Path(path).read_text())
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0]):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


@contextlib.contextmanager
def _atomic(path: Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file next to ``path`` and move it into place only when writing succeeded."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(mode, dir=path.parent, prefix=f".{path.name}.", suffix=".partial", delete=False)
    try:
        with handle:
            yield handle
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Replace the text file ``path`` in one step (a reader never sees half a file)."""
    with _atomic(Path(path)) as handle:
        handle.write(text)


def save_json(path: Path, result_key: str, payload: dict) -> bool:
    """Save ``payload`` in the slot ``path`` (a ``.json`` file), replacing what it held.

    Returns:
        False, after a note, when the slot cannot be written (the caller keeps its result).
    """
    text = json.dumps({KEY_ENTRY: result_key, **payload})
    with _reported_if_unwritable(Path(path)) as saved:
        write_text(path, text)
    return saved()


def load_json(path: Path, result_key: str) -> dict | None:
    """The payload saved in slot ``path`` with this key, or None (missing, other key, or unreadable)."""
    return _read_slot(Path(path), result_key, lambda: json.loads(Path(path).read_text()))


def save_arrays(path: Path, result_key: str, arrays: list[np.ndarray], meta: dict) -> bool:
    """Save a list of arrays (e.g. a model's weights) and a JSON-able ``meta`` in slot ``path`` (``.npz``).

    Returns:
        False, after a note, when the slot cannot be written (the caller keeps its result).
    """
    named = {f"arr_{index}": array for index, array in enumerate(arrays)}
    entries = {**named, KEY_ENTRY: np.array(result_key), META_ENTRY: np.array(json.dumps(meta))}
    with _reported_if_unwritable(Path(path)) as saved, _atomic(Path(path), "wb") as handle:
        np.savez(handle, **entries)
    return saved()


@contextlib.contextmanager
def _reported_if_unwritable(path: Path) -> Iterator[Callable[[], bool]]:
    """Turn an OSError while saving into one note per folder; yields a function that says whether it saved."""
    failed: list[OSError] = []
    try:
        yield lambda: not failed
    except OSError as error:
        failed.append(error)
        if path.parent not in _UNWRITABLE:
            _UNWRITABLE.add(path.parent)
            print(
                f"Note: results cannot be saved in {path.parent} ({type(error).__name__}: {error}); "
                f"they are kept in memory only. Set ${CACHE_VARIABLE} to a writable folder to keep them."
            )


def load_arrays(path: Path, result_key: str) -> tuple[list[np.ndarray], dict] | None:
    """The arrays and meta saved in slot ``path`` with this key, or None."""

    def read() -> dict:
        with np.load(path) as saved:
            count = len(saved.files) - 2
            return {
                KEY_ENTRY: str(saved[KEY_ENTRY]),
                "arrays": [saved[f"arr_{index}"] for index in range(count)],
                "meta": json.loads(str(saved[META_ENTRY])),
            }

    found = _read_slot(Path(path), result_key, read)
    return None if found is None else (found["arrays"], found["meta"])


def _read_slot(path: Path, result_key: str, read: Callable[[], dict]) -> dict | None:
    if not path.exists():
        return None
    try:
        stored = read()
    except Exception as error:  # a damaged file must never stop the lesson: the result is made again
        print(f"Note: the saved result {path} could not be read ({type(error).__name__}: {error}); making it again.")
        return None
    if stored.get(KEY_ENTRY) != result_key:
        return None
    stored.pop(KEY_ENTRY)
    return stored
