"""Run one prepared notebook in a fresh kernel, within time and memory limits, and end every process it started.

``grade`` starts this module as a process of its own for each student's notebook
(``python -m course_utils.maintain.grade_worker JOB.json``), so that on Linux it can adopt the
processes a student's code detaches from the kernel (it becomes their "subreaper") and end them
all when the notebook is done, stopped or over its limits. The job file names the notebook to run
and where to write the result; the environment (training cache, data, ``PYTHONPATH``) is the one
``grade`` prepared.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import math
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil

PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
POLL_SECONDS = 0.5


def adopt_orphans() -> bool:
    """Make this process the parent of every process its descendants detach (Linux); whether that worked."""
    with contextlib.suppress(Exception):
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    return False


def end_descendants() -> int:
    """End every process this one started, directly or not, and reap them; how many there were."""
    found = psutil.Process().children(recursive=True)
    for process in found:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(found, timeout=10)
    return len(found)


class MemoryWatch(threading.Thread):
    """Ends the kernel's processes when together they use more than ``limit_bytes`` of memory."""

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(daemon=True)
        self.limit_bytes, self.exceeded, self.peak = limit_bytes, False, 0
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            used = 0
            for process in psutil.Process().children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    used += process.memory_info().rss
            self.peak = max(self.peak, used)
            if used > self.limit_bytes:
                self.exceeded = True
                end_descendants()
                return

    def stop(self) -> None:
        self._stop.set()


def run(notebook: nbformat.NotebookNode, folder: Path, timeout: int, memory_bytes: int) -> dict:
    """Run ``notebook``'s cells in ``folder`` until the deadline, past errors; the outcome (see :func:`_execute`)."""
    watch = MemoryWatch(memory_bytes)
    watch.start()
    try:
        outcome = _execute(notebook, folder, timeout)
    finally:
        watch.stop()
        outcome_ended = end_descendants()
    if watch.exceeded:
        gigabytes = memory_bytes / 2**30
        outcome["status"] = f"memory limit: stopped above {gigabytes:.1f} GB, in cell {outcome['last_cell']}"
    outcome["ended_processes"] = outcome_ended
    outcome["peak_bytes"] = watch.peak
    return outcome


def _execute(notebook: nbformat.NotebookNode, folder: Path, timeout: int) -> dict:
    """Each cell in turn, a raising cell not stopping the next; ``{"status", "errors", "last_cell"}``."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(folder)}},
    )
    deadline, index, errors = time.monotonic() + timeout, 0, []
    status = "ok"
    try:
        with client.setup_kernel(stderr=subprocess.DEVNULL):  # the kernel's own log, not the cells' output
            for index, cell in enumerate(notebook.cells):
                client.timeout = math.ceil(deadline - time.monotonic())
                if client.timeout <= 0:
                    raise CellTimeoutError("deadline")
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as error:  # this cell only: the next ones still run
                    errors.append({"cell": index, "text": f"{error.ename}: {first_line(error.evalue)}"})
    except CellTimeoutError:
        status = f"timeout: stopped after {timeout} s, in cell {index}"
    except DeadKernelError:
        status = f"error in cell {index}: the kernel died (out of memory?)"
    except Exception as error:  # a kernel that does not start, ...
        status = f"error: {type(error).__name__}: {first_line(error)}"
    return {"status": status, "errors": errors, "last_cell": index}


def first_line(error: object) -> str:
    """The first line of an error's text (its type's name when it has none)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def main(job_path: str) -> int:
    """Run the job described in ``job_path`` (JSON: notebook, output, folder, timeout, memory_bytes)."""
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    adopted = adopt_orphans()
    notebook = nbformat.read(job["notebook"], as_version=4)
    outcome = run(notebook, Path(job["folder"]), int(job["timeout"]), int(job["memory_bytes"]))
    outcome["adopted_orphans"] = adopted
    nbformat.write(notebook, job["output_notebook"])
    Path(job["output"]).write_text(json.dumps(outcome), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
