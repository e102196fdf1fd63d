"""The one way to save, check and load a result: keyed on what decides it, written atomically, verified when read.

Two shapes, one set of rules:

- a *slot*, one file: a training run's weights and curves (``.npz``, :func:`save_arrays`) or a
  measured run's curves and measures (``.json``, :func:`save_json`);
- a *folder*, a study: its tables as CSV files, a figure, and ``result.json`` (:func:`save_folder`),
  which holds the key, what made the study, and the SHA-256 of every file, so that a table edited
  or damaged after saving is named and never shown (:func:`load_folder`).

A result is read only when its key matches, and a new result replaces the old one in place, so
superseded results never pile up. A key covers what decides a result: the inputs the caller passes
(initial weights, images, settings, seed), the versions of Keras and its backend, and
:data:`CODE_VERSION`, never the bytes of source files: a comment or docstring edit keeps every saved
result valid. Every file a load reads is remembered (:func:`files_read`): a notebook's fingerprint
covers the saved results it read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

# Raise this when a change to models.py, training.py, metrics.py or study.py changes what a run
# produces (its losses, weights or measures): every saved result is then made again. The test
# tests/test_results.py::test_saved_study_still_reproduces fails, with the commands, when a change needs it.
CODE_VERSION = 1
CACHE_VARIABLE = "COURSE_CACHE_DIR"
KEY_ENTRY = "__key__"
META_ENTRY = "__meta__"
DIGEST_ENTRY = "__sha256__"  # of a slot's values, written with them: an edit after saving is found on load
MANIFEST = "result.json"  # a folder's key, description and file hashes, written last
_UNWRITABLE: set[Path] = set()  # folders already reported, so a notebook says it once
_READ: set[Path] = set()  # every saved file a load has read in this process (files_read)


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
    stored = json.loads(json.dumps(payload))  # hashed as it will be read: e.g. keys 2 and 10 become "10" < "2"
    text = json.dumps({KEY_ENTRY: result_key, DIGEST_ENTRY: _json_digest(stored), **payload})
    with _reported_if_unwritable(Path(path)) as saved:
        write_text(path, text)
    return saved()


def load_json(path: Path, result_key: str | None) -> dict | None:
    """The payload saved in slot ``path`` with this key (None: any), or None (missing, other key, or unreadable)."""
    return _read_slot(Path(path), result_key, lambda: json.loads(Path(path).read_text()), _json_digest)


def _json_digest(payload: dict) -> str:
    """SHA-256 of ``payload`` as canonical JSON: floats are written exactly, so a loaded payload gives the same."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _arrays_digest(stored: dict) -> str:
    """SHA-256 of the arrays (type, shape and bytes of each, in order) and the meta of an ``.npz`` slot."""
    digest = hashlib.sha256(_json_digest(stored["meta"]).encode())
    for array in stored["arrays"]:
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def save_arrays(path: Path, result_key: str, arrays: list[np.ndarray], meta: dict) -> bool:
    """Save a list of arrays (e.g. a model's weights) and a JSON-able ``meta`` in slot ``path`` (``.npz``).

    Returns:
        False, after a note, when the slot cannot be written (the caller keeps its result).
    """
    named = {f"arr_{index}": array for index, array in enumerate(arrays)}
    digest = _arrays_digest({"arrays": [np.asarray(array) for array in arrays], "meta": json.loads(json.dumps(meta))})
    entries = {**named, KEY_ENTRY: np.array(result_key), META_ENTRY: np.array(json.dumps(meta))}
    entries[DIGEST_ENTRY] = np.array(digest)
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
            count = len([name for name in saved.files if name.startswith("arr_")])
            return {
                KEY_ENTRY: str(saved[KEY_ENTRY]),
                **({DIGEST_ENTRY: str(saved[DIGEST_ENTRY])} if DIGEST_ENTRY in saved.files else {}),
                "arrays": [saved[f"arr_{index}"] for index in range(count)],
                "meta": json.loads(str(saved[META_ENTRY])),
            }

    found = _read_slot(Path(path), result_key, read, _arrays_digest)
    return None if found is None else (found["arrays"], found["meta"])


def _read_slot(path: Path, result_key: str | None, read: Callable[[], dict], digest: Callable[[dict], str]) -> dict | None:
    """What slot ``path`` holds under ``result_key`` (None: any) if its values still match their hash, else None."""
    if not path.exists():
        return None
    _READ.add(path.resolve())
    try:
        stored = read()
    except Exception as error:  # a damaged file must never stop the lesson: the result is made again
        print(f"Note: the saved result {path} could not be read ({type(error).__name__}: {error}); making it again.")
        return None
    if result_key is not None and stored.get(KEY_ENTRY) != result_key:
        return None
    stored.pop(KEY_ENTRY, None)
    saved_digest = stored.pop(DIGEST_ENTRY, None)
    if saved_digest != digest(stored):
        why = (
            "has no hash of its values (saved by an earlier version of the course, or edited)"
            if saved_digest is None
            else "no longer matches the hash saved with it (edited or damaged after saving)"
        )
        print(f"Note: the saved result {path} {why}; it is not used.")
        return None
    return stored


def files_read() -> list[Path]:
    """Every saved result file a load has read in this process, resolved and sorted."""
    return sorted(_READ)


def save_folder(
    directory: Path, result_key: str, meta: dict, tables: dict[str, pd.DataFrame], figure: Figure | None = None
) -> None:
    """Save a study in ``directory``: each table as ``<name>.csv``, the figure as ``figure.png``, then the manifest.

    The manifest (:data:`MANIFEST`) holds the key, ``meta`` (what made the result: its settings, data
    and ``made_with``, the library versions) and the SHA-256 of every file. It is removed first and
    written last, so an interrupted save leaves no key that vouches for half-written tables.

    Raises:
        OSError: If the folder cannot be written (the caller keeps its result in memory).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MANIFEST).unlink(missing_ok=True)
    for name, table in tables.items():
        write_text(directory / f"{name}.csv", table.to_csv(index=False))
    if figure is not None:
        with _atomic(directory / "figure.png", "wb") as handle:
            figure.savefig(handle, format="png", dpi=110)
    written = sorted(path.name for path in directory.iterdir() if path.name != MANIFEST and not path.name.startswith("."))
    hashes = {name: _sha256(directory / name) for name in written}
    manifest = {KEY_ENTRY: result_key, **meta, "files": hashes}
    write_text(directory / MANIFEST, json.dumps(manifest, indent=2) + "\n")


@dataclass(frozen=True)
class SavedFolder:
    """A study read back by :func:`load_folder`: its manifest and its tables (every cell a string)."""

    meta: dict
    tables: dict[str, pd.DataFrame]


def load_folder(directory: Path, result_key: str | None = None) -> SavedFolder | None:
    """The study saved in ``directory``, checked file by file against its manifest; None if there is none to trust.

    Args:
        directory: The study's folder.
        result_key: The key it must have been made with; None takes any key (a saved study shown
            as it is, whatever code made it).

    Returns:
        None, without a word, when there is no manifest or another key; None, after a note that
        names the file, when a file is missing, edited or damaged since it was saved.
    """
    directory = Path(directory)
    try:
        meta = json.loads((directory / MANIFEST).read_text())
        hashes = dict(meta["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if result_key is not None and meta.get(KEY_ENTRY) != result_key:
        return None
    changed = [
        name for name, digest in hashes.items() if not (directory / name).is_file() or _sha256(directory / name) != digest
    ]
    if changed:
        print(
            f"Note: the saved result in {directory} is not what was saved ({', '.join(changed)} missing, edited or "
            "damaged): it is not used. Copy the course's results/ folder again, or make the result again."
        )
        return None
    _READ.update((directory / name).resolve() for name in [MANIFEST, *hashes])
    tables = {Path(name).stem: pd.read_csv(directory / name, dtype=str) for name in hashes if name.endswith(".csv")}
    return SavedFolder(meta, tables)


def _holds(path: Path, digest: str) -> bool:
    return path.is_file() and _sha256(path) == digest


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
