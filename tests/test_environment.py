import os

import numpy as np

from course_utils import environment


def test_setup_prints_backend_seed_and_versions(capsys):
    environment.setup(seed=5)
    found = environment.versions()
    printed = capsys.readouterr().out
    assert f"Keras backend: {found['backend']}" in printed
    assert "seed: 5" in printed
    assert f"keras {found['keras']}" in printed


def test_setup_seeds_numpy():
    environment.setup(seed=11)
    first = np.random.rand(3)
    environment.setup(seed=11)
    np.testing.assert_array_equal(first, np.random.rand(3))


def test_quiet_tensorflow_respects_a_users_choice(monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "1")
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    environment.quiet_tensorflow()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "1"
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"


def test_importing_the_package_imports_no_keras():
    import subprocess
    import sys

    code = "import sys, course_utils; print('keras' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_setup_writes_nothing_to_stderr_on_this_backend():
    """The Setup cell must show no native start-up lines, whichever backend KERAS_BACKEND chose."""
    import subprocess
    import sys

    code = "from course_utils import environment; environment.setup(seed=1)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Keras backend:" in result.stdout
    assert result.stderr == ""


def test_a_claim_that_holds_is_silent(capsys):
    environment.claim(True, "anything")
    assert capsys.readouterr().out == ""


def test_a_false_claim_stops_the_notebook_on_the_outputs_backend(monkeypatch):
    import pytest

    monkeypatch.setattr(environment, "OUTPUTS_BACKEND", environment.import_keras_quietly().backend.backend())
    with pytest.raises(environment.ClaimError, match="The text says: three layers win. This run does not show it."):
        environment.claim(False, "three layers win")


def test_a_false_claim_is_a_note_on_another_backend(monkeypatch, capsys):
    monkeypatch.setattr(environment, "OUTPUTS_BACKEND", "some other backend")
    environment.claim(False, "three layers win")
    printed = capsys.readouterr().out
    backend = environment.import_keras_quietly().backend.backend()
    assert f"Note: the text says: three layers win. This run on {backend} does not show it" in printed
