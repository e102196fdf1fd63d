"""One-call notebook setup: quiet TensorFlow, fixed seeds, and a line of versions."""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import sys
import tempfile
from collections.abc import Iterator

QUIET_TENSORFLOW = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
DEFAULT_SEED = 42
# The notebooks' text and committed outputs come from a run on this backend.
OUTPUTS_BACKEND = "tensorflow"


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
    """A statement in a notebook's text that the notebook's own run does not bear out."""


def claim(holds: bool, statement: str) -> None:
    """Check a statement that a notebook's text makes about its results.

    The text was written from a run on TensorFlow, so there a statement that does not hold stops
    the notebook: text and numbers cannot drift apart. Another backend draws other random numbers
    from the same seed, so its runs (and verdicts over a few seeds) can differ; there a statement
    that does not hold is reported and the notebook goes on.

    Args:
        holds: Whether this run shows what the text says.
        statement: What the text says, e.g. ``"Autoencoder_3 reconstructs better than PCA"``.

    Raises:
        ClaimError: On TensorFlow, when ``holds`` is false.
    """
    if holds:
        return
    backend = import_keras_quietly().backend.backend()
    if backend == OUTPUTS_BACKEND:
        raise ClaimError(f"The text says: {statement}. This run does not show it.")
    print(
        f"Note: the text says: {statement}. This run on {backend} does not show it; the text describes "
        f"the run on {OUTPUTS_BACKEND}, and {backend} draws other random numbers from the same seed."
    )


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


def _show_figures_inline() -> None:
    """In Jupyter, show returned Matplotlib figures as images (a no-op in plain Python)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and getattr(shell, "kernel", None) is not None:
        shell.run_line_magic("matplotlib", "inline")


def setup(seed: int = DEFAULT_SEED) -> None:
    """Prepare a notebook: quiet TensorFlow, seed everything and print the versions in use.

    Call it in the first code cell, before anything imports Keras.

    Args:
        seed: The seed for Python, NumPy and the Keras backend.
    """
    quiet_tensorflow()
    _show_figures_inline()
    set_seed(seed)
    found = versions()
    listed = ", ".join(f"{name} {version}" for name, version in found.items() if name != "backend")
    print(f"Keras backend: {found['backend']} | seed: {seed} | {listed}")
