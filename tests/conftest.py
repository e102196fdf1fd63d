"""Shared fixtures, and a suite that writes nothing into the user's home folder.

Importing course_utils sets TensorFlow's logging variables before anything loads Keras. Every
folder a test or a notebook kernel would write to (the training cache, Keras, IPython, Matplotlib,
Jupyter's runtime files, XDG caches) points into one temporary folder, and the session fails if
anything under the user's own copies of them changed.
"""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from course_utils.data import MnistData

# The test suite is the reference run: the book's data, and a notebook statement that its run
# does not bear out fails the test (environment.claim).
os.environ["COURSE_MNIST_SOURCE"] = "subset"
os.environ["COURSE_REFERENCE_RUN"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")

# One folder for the whole run, shared by pytest-xdist's workers (they inherit the variable from the
# process that starts them), so that a model one worker trained is loaded, not trained again, by the
# notebooks another one runs.
TEST_FOLDER_VARIABLE = "COURSE_TEST_FOLDER"
ISOLATED = Path(os.environ.setdefault(TEST_FOLDER_VARIABLE, tempfile.mkdtemp(prefix="course-tests-")))
if "PYTEST_XDIST_WORKER" not in os.environ:  # the process that started the run removes it, after its workers
    # Removed at exit, after IPython (imported later, so its exit handlers run first) has saved its history.
    atexit.register(shutil.rmtree, ISOLATED, ignore_errors=True)
ISOLATED_VARIABLES = {
    "COURSE_CACHE_DIR": "course-cache",
    "KERAS_HOME": "keras",
    "IPYTHONDIR": "ipython",
    "MPLCONFIGDIR": "matplotlib",
    "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
    "XDG_CACHE_HOME": "xdg-cache",
    "XDG_CONFIG_HOME": "xdg-config",
}
for _variable, _folder in ISOLATED_VARIABLES.items():
    os.environ[_variable] = str(ISOLATED / _folder)
HOME = Path.home()
# The user's own copies of those folders (the defaults the variables above replace).
WATCHED_IN_HOME = [
    HOME / ".cache" / "autoencoder-course",
    HOME / ".keras",
    HOME / ".ipython",
    HOME / ".cache" / "matplotlib",
    HOME / ".config" / "matplotlib",
    HOME / ".local" / "share" / "jupyter",
    HOME / ".cache",
    HOME / ".config",
]


def home_snapshot() -> dict[str, tuple[int, int]]:
    """Size and modification time of every file in the watched folders, and the home folder's own entries."""
    files = {str(path): (0, 0) for path in HOME.iterdir()}
    for folder in WATCHED_IN_HOME:
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file() and "pre-commit" not in path.parts:
                    status = path.stat()
                    files[str(path)] = (status.st_size, status.st_mtime_ns)
    return files


HOME_BEFORE = home_snapshot()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The notebooks' nbval cells are slow tests too: each notebook runs top to bottom in a kernel."""
    for item in items:
        if item.nodeid.endswith(".ipynb") or ".ipynb::" in item.nodeid:
            item.add_marker(pytest.mark.slow)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if the suite wrote into the user's home folder."""
    after = home_snapshot()
    changed = sorted(path for path in set(HOME_BEFORE) | set(after) if HOME_BEFORE.get(path) != after.get(path))
    if changed:
        print(f"\nThe test suite wrote into the home folder {HOME}: {', '.join(changed[:10])}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def offline_mnist() -> MnistData:
    """The offline subset, loaded once per test session."""
    from course_utils import data

    return data.load_offline_subset()


@pytest.fixture(scope="session")
def small_mnist(offline_mnist: MnistData) -> MnistData:
    """A 600/200 slice of the offline subset, for fast training tests."""
    return MnistData(
        offline_mnist.x_train[:600],
        offline_mnist.y_train[:600],
        offline_mnist.x_test[:200],
        offline_mnist.y_test[:200],
        "subset",
        "test slice",
    )


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator."""
    return np.random.default_rng(0)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Every test starts as a fresh kernel does: no wrong answers counted yet (hint first, recipe second).

    A hook, not a fixture, so that Hypothesis sees no function-scoped fixture; it imports nothing.
    """
    feedback = sys.modules.get("course_utils.exercises.feedback")
    if feedback is not None:
        feedback.forget_attempts()
    common = sys.modules.get("course_utils.exercises.checks.common")
    if common is not None:
        common.forget_predictions()


@pytest.fixture(scope="module")
def recording_explorer(small_mnist: MnistData):
    """A depth explorer on 100 images whose training only records the settings it was given.

    ``explorer.trained`` lists them; ``explorer.record`` is the recorder, to put back after a test
    that lets one real training through.
    """
    from course_utils.exercises import depth_explorer

    explorer = depth_explorer.DepthExplorer(small_mnist, epochs=1, max_train_images=100)
    explorer.trained = []

    def record(*settings):
        explorer.trained.append(settings)
        raise RuntimeError("no training in this test")

    explorer._train = explorer.record = record
    return explorer
