"""One-call notebook setup: quiet TensorFlow, fixed seeds, and a line of versions."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import platform
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

QUIET_TENSORFLOW = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
DEFAULT_SEED = 42
# The notebooks' text and committed outputs come from a run on this backend.
OUTPUTS_BACKEND = "tensorflow"
REFERENCE_RUN_VARIABLE = "COURSE_REFERENCE_RUN"
# The versions that made the committed outputs, as pinned in constraints.txt (a test keeps them equal).
RECORDED_VERSIONS = {"keras": "3.15.1", "tensorflow": "2.21.0", "jax": "0.10.2"}


def quiet_tensorflow() -> None:
    """Set TensorFlow's logging variables unless the user already chose other values."""
    for name, value in QUIET_TENSORFLOW.items():
        os.environ.setdefault(name, value)


@contextlib.contextmanager
def _native_stderr_captured() -> Iterator[None]:
    """Hold back what C++ libraries write to file descriptor 2; show it only if the block fails.

    TensorFlow's CUDA probe logs before its logging is configured, so the variables above do not
    stop it, and Jupyter would show those lines as red stderr in the first cell.
    """
    with tempfile.TemporaryFile() as held:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(held.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            held.seek(0)
            sys.stderr.write(held.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def import_keras_quietly():
    """Import Keras (and its backend) without TensorFlow's native start-up lines."""
    quiet_tensorflow()
    if "keras" not in sys.modules:
        with _native_stderr_captured():
            import keras  # noqa: F401
        # TensorFlow's Python logger warns about retracing whenever several models predict in turn.
        logging.getLogger("tensorflow").setLevel(logging.ERROR)
    return sys.modules["keras"]


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the Keras backend so that a run can be repeated."""
    keras = import_keras_quietly()
    # Keras also seeds TensorFlow whenever it is installed, so on another backend (JAX) this first
    # call imports TensorFlow: hold back its native start-up lines here too.
    with _native_stderr_captured():
        keras.utils.set_random_seed(seed)


class ClaimError(AssertionError):
    """A statement in a notebook's text that the reference run of the notebook does not bear out."""


def reference_run() -> bool:
    """True only in the run that makes or checks the committed outputs (``COURSE_REFERENCE_RUN=1``).

    The test suite and ``python -m course_utils execute`` set it; a student's run never does.
    """
    return os.environ.get(REFERENCE_RUN_VARIABLE) == "1"


def claim(holds: bool, statement: str, shows: str = "") -> None:
    """Check a statement that a notebook's text makes about its results.

    In the reference run (:func:`reference_run`) a statement that does not hold stops the
    notebook, so the committed text and numbers cannot drift apart. Anywhere else it prints a
    short note and the lesson goes on: another data set, backend, processor or library version
    draws other numbers from the same seed.

    Args:
        holds: Whether this run shows what the text says.
        statement: What the text says, e.g. ``"Autoencoder_3 reconstructs better than PCA"``.
        shows: What this run shows instead, with its numbers, e.g. ``"BCE 0.214 against 0.212"``.

    Raises:
        ClaimError: In the reference run, when ``holds`` is false.
    """
    if holds:
        return
    found = f" It shows {shows}." if shows else ""
    if reference_run():
        raise ClaimError(f"The text says: {statement}. This run does not show it.{found}")
    print(
        f"Note: the text says {statement}; your run does not show it.{found} The text describes the book's "
        f"run (trained on {OUTPUTS_BACKEND}, with the data and the saved results the notebook names above); another "
        "data set, backend, processor or library version gives somewhat different numbers from the same seed. "
        "Nothing is wrong: read on."
    )


def processor() -> str:
    """This processor, precisely enough to tell when float results can repeat to the last bit.

    The name alone (``"x86_64 AMD EPYC"``) is shared by processors whose instruction sets, and so
    whose float sums, differ; on Linux the family, model, stepping and a short hash of the
    instruction-set flags are added, e.g. ``"x86_64 AMD EPYC (25/1/1, flags 3f2a9c1b)"``.
    """
    name, details = platform.processor() or "", {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = (part.strip() for part in line.partition(":"))
            if key in ("model name", "cpu family", "model", "stepping", "flags") and key not in details:
                details[key] = value
            if not line.strip() and details:
                break  # the first processor's block is enough
    name = details.get("model name", name)
    described = f"{platform.machine()} {name}".strip()
    if "flags" in details:
        digest = hashlib.sha256(details["flags"].encode()).hexdigest()[:8]
        family = "/".join(details.get(key, "?") for key in ("cpu family", "model", "stepping"))
        described += f" ({family}, flags {digest})"
    return described


def cpu_count() -> int:
    """The CPU cores this process may run on (its affinity where the system has one, else all)."""
    with contextlib.suppress(AttributeError, OSError):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def versions() -> dict[str, str]:
    """Return the versions that decide what this course computes."""
    keras = import_keras_quietly()
    import numpy
    import sklearn

    found = {
        "python": platform.python_version(),
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "numpy": numpy.__version__,
        "scikit-learn": sklearn.__version__,
    }
    backend_module = sys.modules.get(found["backend"]) or _import_quietly(found["backend"])
    if backend_module is not None:
        found[found["backend"]] = getattr(backend_module, "__version__", "unknown")
    return found


def _import_quietly(name: str):
    try:
        return __import__(name)
    except ImportError:
        return None


def _kernel_shell():
    """The IPython shell of a running Jupyter kernel, or None (plain Python, a terminal IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


def _show_figures_inline() -> None:
    """In Jupyter, show returned Matplotlib figures as SVG images (a no-op in plain Python).

    SVG (:func:`course_utils.plots.svg`) keeps a figure's text as text: sharp at any size, and
    measurable by the book's tests, which require it to stay readable on a phone.
    """
    shell = _kernel_shell()
    if shell is not None:
        from matplotlib.figure import Figure

        from course_utils import plots

        shell.run_line_magic("matplotlib", "inline")
        formatters = shell.display_formatter.formatters
        formatters["image/png"].pop(Figure, None)
        formatters["image/svg+xml"].for_type(Figure, plots.svg)


def _show_tables_rounded() -> None:
    """In Jupyter, show every DataFrame rounded, with short headers and no cell cut (:func:`course_utils.tables.html`)."""
    shell = _kernel_shell()
    if shell is not None:
        import pandas as pd

        from course_utils import tables

        shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, tables.html)


def setup(seed: int = DEFAULT_SEED) -> None:
    """Prepare a notebook: quiet TensorFlow, seed everything and print the versions in use.

    Call it once in the Setup cell, after the imports.

    Args:
        seed: The seed for Python, NumPy and the Keras backend.
    """
    quiet_tensorflow()
    _show_figures_inline()
    _show_tables_rounded()
    set_seed(seed)
    found = versions()
    backend = found["backend"]
    version = f" {found[backend]}" if backend in found else ""
    listed = ", ".join(f"{name} {number}" for name, number in found.items() if name not in ("backend", backend))
    # Two short lines, and the note wrapped: they fit a code block of the book (77 characters).
    print(f"Keras backend: {backend}{version} | seed: {seed}")
    print(f"versions: {listed}")
    difference = version_difference(found)
    if difference:
        print(textwrap.fill(difference, 76))


def version_difference(found: dict[str, str]) -> str:
    """One line when Keras or its backend is not what made the book's outputs, else an empty string."""
    book = {"keras": RECORDED_VERSIONS["keras"], OUTPUTS_BACKEND: RECORDED_VERSIONS[OUTPUTS_BACKEND]}
    yours = {"keras": found["keras"], found["backend"]: found.get(found["backend"], "unknown")}
    if yours == book:
        return ""
    made = " and ".join(f"{name} {version}" for name, version in book.items())
    have = " and ".join(f"{name} {version}" for name, version in yours.items())
    return f"Note: the book's outputs were made with {made}; you have {have}, so your numbers may differ slightly."
