"""The notebooks with widgets, run in a live JupyterLab and driven in a real browser (headless Chromium).

A JupyterLab server starts on localhost for this module, with its settings, workspaces and data in a
temporary folder and saving switched off (autosave off, and a server hook that refuses every save:
the repository's notebooks are never written). Each notebook that shows a course widget is opened,
all its cells are run, then every widget is used as a student would: a sample answer typed or
chosen, each button (Check, Train) pressed, and the result awaited. A test fails on an error output,
on a widget that shows a failure, on a text or number box too narrow to show its value, on an
explorer run without its picture, and on any request the browser makes to anything but the local
server. A screenshot of each notebook is saved in ``book/_build/screenshots/jupyterlab/``. The
module takes about two and a half minutes on a 2-core CPU, most of it the notebooks' own training.

It is skipped, with the reason, when Playwright, Debian's ``chromium`` or JupyterLab is missing.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.slow

PROJECT_DIR = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = PROJECT_DIR / "notebooks"
SCREENSHOT_DIR = PROJECT_DIR / "book" / "_build" / "screenshots" / "jupyterlab"
UI_TIMEOUT_MS = 30_000  # a click, a kernel answer to a typed value
START_TIMEOUT_S = 90  # the server answering, the notebook open with its kernel ready
RUN_TIMEOUT_S = 180  # all cells of one notebook (about 30 s each on a 2-core CPU, a minute with a cold cache)
BUTTON_TIMEOUT_MS = 120_000  # one press of Train
# The widgets a student types into or presses. The slider-only widgets (latent_decoder, notebook 5;
# measure_explorer, notebook 6) have nothing to type or press: their behaviour is tested in Python
# (tests/test_latent_decoder.py, tests/test_measure_explorer.py) and their saved views are drawn by
# the instructor book (tests/test_book.py). Running notebooks 5 and 6 here as well would add about
# 90 s to CI, which has a 25-minute budget.
WIDGET_MODULES = ("questions", "architecture_builder", "depth_explorer")
WIDGET_VIEW = ".jp-OutputArea-output:has(> .jupyter-widgets)"  # one course widget's live controls
MIN_FIELD_EM = 3.0  # a text or number box narrower than this cannot show a size list or a number

# What a student types into a field, by the start of its description, in this order; each with the
# field that must follow it (the kernel answered) and the value it must then show.
SAMPLE_INPUTS = [
    ("hidden layers", "2", ("sizes before the code", "10")),
    ("sizes before the code", "32,10", ("hidden layers", "3")),
    ("epochs", "2", None),
    ("Answer", "25120", None),
]
SAMPLE_CHOICES = ("One test image, placed at its two code numbers",)  # else the first choice
BUTTON_SUCCESS = {"Check": r"Right\.", "Train": r"Run \d+: "}
WIDGET_FAILURE = r"Training stopped|Not trained|Could not check|Fix the sizes|is impossible here|Impossible input"
# What each notebook's widgets must show once used with the samples above.
EXPECTED_TEXT = {
    "02_one_hidden_layer": ["Right. 784 × 32 weights", "Right. The encoder turns each test image"],
    "03_two_hidden_layers": ["784-32-10-2-10-32-784: 51,726 parameters", "This is the article's Autoencoder_3"],
    "04_three_hidden_layers": ["784-32-10-2-10-32-784, linear code, 2 epochs"],
}

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install -r book/requirements.txt"
)
pytest.importorskip("jupyterlab", reason="JupyterLab is not installed: pip install -r requirements.txt")
if not CHROMIUM.exists():
    pytest.skip(f"no browser at {CHROMIUM}: apt-get install chromium", allow_module_level=True)


def widget_notebooks(folder: Path = NOTEBOOK_DIR) -> list[str]:
    """The notebooks (file names) whose code imports one of the course's widget modules."""
    imports = re.compile(
        r"^\s*(from\s+course_utils\.exercises\s+import\s+[^\n]*\b({0})\b|import\s+course_utils\.exercises\.({0})\b)".format(
            "|".join(WIDGET_MODULES)
        ),
        re.M,
    )
    found = []
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if any(cell["cell_type"] == "code" and imports.search("".join(cell["source"])) for cell in cells):
            found.append(path.name)
    return found


NOTEBOOKS = widget_notebooks()

# JupyterLab's settings for this run: no saving, every cell in the page (so every widget can be
# measured), no news or update checks (they would reach the internet).
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}
SERVER_CONFIG = """\
def refuse_to_save(model, path, contents_manager, **kwargs):
    with open({saves!r}, "a", encoding="utf-8") as saves:
        saves.write(path + "\\n")
    raise RuntimeError(f"the JupyterLab test never saves a file (asked to save {{path}})")


c.ContentsManager.pre_save_hook = refuse_to_save
c.FileCheckpoints.checkpoint_dir = {checkpoints!r}
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"
c.LabApp.expose_app_in_browser = True
"""


_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight to localhost, never via a proxy


@dataclasses.dataclass
class Lab:
    """A running JupyterLab server."""

    url: str  # http://127.0.0.1:PORT/
    token: str
    process: subprocess.Popen
    log: Path
    saves: Path  # every file the browser asked the server to save (refused), one a line

    def api(self, path: str, method: str = "GET") -> object:
        """Call the server's REST API; the decoded JSON answer (None for an empty one)."""
        request = urllib.request.Request(
            self.url + path.lstrip("/"), method=method, headers={"Authorization": f"token {self.token}"}
        )
        with _LOCAL.open(request, timeout=10) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def shut_down_kernels(self) -> None:
        """End every session and kernel (nothing to do when the server has stopped)."""
        try:
            for session in self.api("api/sessions"):
                self.api(f"api/sessions/{session['id']}", method="DELETE")
            for kernel in self.api("api/kernels"):
                self.api(f"api/kernels/{kernel['id']}", method="DELETE")
        except (urllib.error.URLError, ConnectionError) as error:
            if self.process.poll() is None:
                raise AssertionError(f"JupyterLab did not shut its kernels down: {error}\n{self.log_tail()}") from error


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> dict[int, bytes]:
    """The processes whose parent is ``pid`` (the server's kernels), each with its command line."""
    children = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            if fields.get("PPid", "").strip() == str(pid):
                children[int(status.parent.name)] = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
    return children


def _stop(process: subprocess.Popen, kernels: dict[int, bytes]) -> None:
    """Stop the server (it shuts its kernels down), then any of its kernels still alive (the same command line)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    for pid, command in kernels.items():
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes() == command:  # not another process given the same id since
                os.kill(pid, signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Lab]:
    """JupyterLab on 127.0.0.1, rooted at the repository, its own files in a temporary folder."""
    home = tmp_path_factory.mktemp("jupyterlab")
    config_dir, settings_dir = home / "config", home / "lab-settings"
    config_dir.mkdir()
    (config_dir / "jupyter_server_config.py").write_text(
        SERVER_CONFIG.format(saves=str(home / "saves.txt"), checkpoints=str(home / "checkpoints"))
    )
    for plugin, values in LAB_SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    environment = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config_dir),
        "JUPYTER_DATA_DIR": str(home / "data"),  # kernel specs are still found in the Python's own share/jupyter
        "JUPYTERLAB_SETTINGS_DIR": str(settings_dir),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    environment.pop("MPLBACKEND", None)  # the kernel's figures show inline, as for a student
    port, token = _free_port(), secrets.token_hex(16)
    log = home / "server.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={PROJECT_DIR}",
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Lab(f"http://127.0.0.1:{port}/", token, process, log, home / "saves.txt")
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab stopped with exit code {process.returncode}:\n{server.log_tail()}")
            try:
                server.api("api/status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT_S} s:\n{server.log_tail()}")
                time.sleep(0.5)
        yield server
    finally:
        kernels = _children(process.pid)
        try:
            server.shut_down_kernels()
        finally:
            _stop(process, kernels)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (which downloads no browser of its own)."""
    shutil.rmtree(SCREENSHOT_DIR, ignore_errors=True)  # this run's pictures only
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


# ---------------------------------------------------------------------------------------------
# JavaScript run in the page. `panel(path)` is the open notebook (JupyterLab's NotebookPanel).

PANEL = """
const panel = path => {
    if (!window.jupyterapp) return null;  // not started yet (or started without expose_app_in_browser)
    for (const widget of window.jupyterapp.shell.widgets('main')) {
        if (widget.context && widget.context.path === path && widget.content) return widget;
    }
    return null;
};
"""
READY = (
    "path => {"
    + PANEL
    + """
    const notebook = panel(path);
    if (!notebook || !notebook.context.isReady || !notebook.sessionContext.isReady) return false;
    return Boolean(notebook.sessionContext.session?.kernel) && notebook.sessionContext.kernelDisplayStatus === 'idle';
}"""
)
RUN_ALL = (
    "path => {"
    + PANEL
    + """
    const app = window.jupyterapp;
    app.shell.activateById(panel(path).id);
    window.__courseRun = null;
    app.commands.execute('notebook:clear-all-cell-outputs')
        .then(() => app.commands.execute('notebook:run-all-cells'))
        .then(ran => { window.__courseRun = {ran: ran}; }, error => { window.__courseRun = {error: String(error)}; });
}"""
)
BUSY = (
    "path => {"
    + PANEL
    + """
    const notebook = panel(path);
    const prompts = Array.from(notebook.node.querySelectorAll('.jp-InputArea-prompt'));
    return {
        kernel: notebook.sessionContext.kernelDisplayStatus,
        pending: prompts.filter(prompt => prompt.textContent.includes('*')).length,
    };
}"""
)
CELL_REPORT = (
    "path => {"
    + PANEL
    + """
    const errors = [], unrun = [];
    panel(path).content.widgets.forEach((cell, index) => {
        if (cell.model.type !== 'code') return;
        const source = cell.model.sharedModel.getSource();
        const outputs = cell.model.outputs.toJSON();
        for (const output of outputs) {
            if (output.output_type === 'error') {
                const trace = (output.traceback || []).join('\\n').replace(/\\u001b\\[[0-9;]*m/g, '');
                errors.push({cell: index + 1, source: source.slice(0, 200), error: `${output.ename}: ${output.evalue}`,
                             traceback: trace.slice(-1500)});
            }
        }
        if (cell.model.executionCount === null && source.trim()) unrun.push(index + 1);
    });
    return {errors, unrun};
}"""
)
# Every visible text box, number box and drop-down of a widget: its width, font size and whether its
# value fits in it.
FIELDS = """
root => {
    const canvas = document.createElement('canvas').getContext('2d');
    const fields = root.querySelectorAll('.jupyter-widgets input[type=text], .jupyter-widgets input[type=number], '
                                         + '.jupyter-widgets select, .jupyter-widgets textarea');
    return Array.from(fields).filter(field => field.getClientRects().length > 0).map(field => {
        const style = getComputedStyle(field);
        const widget = field.closest('.jupyter-widgets');
        const label = widget ? widget.querySelector('.widget-label, .jupyter-widget-label') : null;
        const value = field.tagName === 'SELECT' ? (field.selectedOptions[0]?.text ?? '') : field.value;
        canvas.font = style.font;
        const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
        const borders = parseFloat(style.borderLeftWidth) + parseFloat(style.borderRightWidth);
        return {
            description: label ? label.textContent.trim() : '',
            kind: field.tagName === 'INPUT' ? field.type : field.tagName.toLowerCase(),
            value: value,
            width: field.getBoundingClientRect().width,
            room: field.getBoundingClientRect().width - padding - borders,
            text: canvas.measureText(value).width,
            em: parseFloat(style.fontSize),
        };
    });
}"""


def field_problems(fields: list[dict]) -> list[str]:
    """The boxes too narrow for a value: narrower than MIN_FIELD_EM, or cutting off the value they hold."""
    problems = []
    for field in fields:
        name = f"{field['kind']} box {field['description']!r} (value {field['value']!r})"
        if field["width"] < MIN_FIELD_EM * field["em"]:
            problems.append(f"{name} is {field['width']:.0f} px wide, under {MIN_FIELD_EM:g} em")
        elif field["value"] and field["text"] > field["room"] + 1:
            problems.append(f"{name} shows {field['room']:.0f} px of a value {field['text']:.0f} px wide")
    return problems


@dataclasses.dataclass
class Run:
    """What happened to one notebook in JupyterLab."""

    problems: list[str]  # outside requests, script errors, widgets that did not work
    errors: list[dict]  # error outputs of cells
    unrun: list[int]  # code cells without an execution count after the run
    widgets: int  # widget views seen
    widget_text: str  # the text of every widget after it was used
    fields: list[dict]  # every text or number box after use
    screenshot: Path
    console: list[str]  # console errors, shown with a failure
    seconds: dict[str, float]  # how long each step took


def open_page(browser, lab: Lab, problems: list[str], console: list[str]):
    """A browser tab that may reach only the local server; it records what goes wrong."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    def only_the_server(route):
        if route.request.url.startswith(lab.url):
            route.continue_()
        else:
            problems.append(f"the browser asked for something outside the local server: {route.request.url}")
            route.abort()

    context.route("**/*", only_the_server)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.on("pageerror", lambda error: problems.append(f"script error in the page: {error}"))
    page.on("console", lambda message: message.type == "error" and console.append(message.text))
    return page


def wait_until_idle(page, lab: Lab, path: str, timeout: float = RUN_TIMEOUT_S) -> None:
    """Wait for run-all to finish: its promise settled, no cell pending, the kernel idle (twice in a row)."""
    try:
        outcome = page.wait_for_function("() => window.__courseRun", timeout=timeout * 1000, polling=500).json_value()
    except sync_api.TimeoutError:
        state = page.evaluate(BUSY, path)
        raise AssertionError(f"{path}: its cells had not all run after {timeout:g} s ({state})") from None
    if "error" in outcome:
        raise AssertionError(f"{path}: JupyterLab could not run the cells: {outcome['error']}")
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 2:
        state = page.evaluate(BUSY, path)
        kernels = lab.api("api/kernels")
        if state["pending"] == 0 and state["kernel"] == "idle" and all(k["execution_state"] == "idle" for k in kernels):
            quiet += 1
        else:
            quiet = 0
        if time.monotonic() > deadline:
            raise AssertionError(f"{path}: still busy after {timeout} s ({state}, kernels {kernels})")
        time.sleep(0.5)


def fill_fields(page, root, problems: list[str]) -> None:
    """Type each sample into its fields and wait for the kernel's answer (another field following)."""
    texts = root.locator(".jupyter-widget-text, .widget-text")
    described = {}
    for index in range(texts.count()):
        field = texts.nth(index)
        if field.is_visible():
            described[field.locator(".jupyter-widget-label, .widget-label").first.inner_text().strip()] = field
    unknown = [name for name in described if not any(name.startswith(prefix) for prefix, _, _ in SAMPLE_INPUTS)]
    if unknown:
        problems.append(f"no sample input for the field(s) {unknown}: add one to SAMPLE_INPUTS")
    for prefix, value, follows in SAMPLE_INPUTS:
        for name, field in described.items():
            if not name.startswith(prefix):
                continue
            box = field.locator("input")
            box.fill(value)
            box.press("Enter")
            if follows is None:
                continue
            other = next((f for n, f in described.items() if n.startswith(follows[0])), None)
            if other is None:
                continue
            try:
                sync_api.expect(other.locator("input")).to_have_value(follows[1], timeout=UI_TIMEOUT_MS)
            except AssertionError:
                shown = other.locator("input").input_value()
                problems.append(f"typed {value!r} into {name!r}: {follows[0]!r} shows {shown!r}, not {follows[1]!r}")


def choose_answers(root) -> None:
    """Pick the right choice where the sample knows it, else the first."""
    radios = root.locator("input[type=radio]")
    if not radios.count():
        return
    for choice in SAMPLE_CHOICES:
        option = root.get_by_label(choice, exact=True)
        if option.count():
            option.check()
            return
    radios.first.check()


def press_buttons(page, root, problems: list[str]) -> None:
    """Press each button of a widget and wait for its answer: the widget changed and the button is enabled."""
    buttons = root.locator("button")
    for index in range(buttons.count()):
        button = buttons.nth(index)
        if not button.is_visible():
            continue
        label = button.inner_text().strip()
        images_before = root.locator("img").evaluate_all("images => images.map(image => image.src)")
        before = root.inner_text()
        button.click()
        try:
            page.wait_for_function(
                "([root, button, before]) => root.innerText !== before && !button.disabled",
                arg=[root.element_handle(), button.element_handle(), before],
                timeout=BUTTON_TIMEOUT_MS,
                polling=250,
            )
        except sync_api.TimeoutError:
            problems.append(f"pressing {label!r} changed nothing within {BUTTON_TIMEOUT_MS // 1000} s")
            continue
        text = root.inner_text()
        failure = re.search(WIDGET_FAILURE, text)
        if failure:
            line = next(line for line in text.splitlines() if failure.group() in line)
            problems.append(f"pressing {label!r} gave a failure: {line.strip()}")
        success = BUTTON_SUCCESS.get(label)
        if success and not re.search(success, text):
            problems.append(f"pressing {label!r}: no {success!r} in the widget:\n{text[:500]}")
        if label == "Train":
            shown = root.locator("img").evaluate_all(
                "images => images.filter(image => image.complete && image.naturalWidth > 0"
                " && image.getClientRects().length > 0).map(image => image.src)"
            )
            if not set(shown) - set(images_before):
                problems.append("pressing 'Train' showed no new picture (latent space, reconstructions)")


def run_notebook(browser, lab: Lab, name: str) -> Run:
    """Open ``notebooks/<name>`` in JupyterLab, run every cell, use every widget, take a screenshot."""
    problems: list[str] = []
    console: list[str] = []
    path = f"notebooks/{name}"
    stem = Path(name).stem
    page = open_page(browser, lab, problems, console)
    seconds, started = {}, time.monotonic()

    def step(what: str) -> None:
        nonlocal started
        seconds[what], started = round(time.monotonic() - started, 1), time.monotonic()

    try:
        page.goto(f"{lab.url}lab/workspaces/test-{stem}/tree/{path}?token={lab.token}&reset", wait_until="load")
        try:
            page.wait_for_function(READY, arg=path, timeout=START_TIMEOUT_S * 1000, polling=500)
        except sync_api.TimeoutError:
            raise AssertionError(
                f"{path}: not open with an idle kernel after {START_TIMEOUT_S} s\n{lab.log_tail()}"
            ) from None
        step("open")
        page.evaluate(RUN_ALL, path)
        wait_until_idle(page, lab, path)
        cells = page.evaluate(CELL_REPORT, path)
        step("run all")

        views = page.locator(WIDGET_VIEW)
        text = []
        for index in range(views.count()):
            root = views.nth(index)
            root.scroll_into_view_if_needed()
            fill_fields(page, root, problems)
            choose_answers(root)
            press_buttons(page, root, problems)
            text.append(root.inner_text())
        wait_until_idle(page, lab, path, timeout=BUTTON_TIMEOUT_MS / 1000)
        fields = page.locator(".jp-Notebook").evaluate(FIELDS)
        step("widgets")
        screenshot = save_screenshot(page, stem)
        step("screenshot")
        widget_text = "\n".join(text)
        return Run(
            problems, cells["errors"], cells["unrun"], views.count(), widget_text, fields, screenshot, console, seconds
        )
    except Exception:
        try:  # the state the notebook was left in, for the person reading the failure
            save_screenshot(page, f"{stem}-failed")
        except Exception:  # the failure itself is what matters
            pass
        raise
    finally:
        page.context.close()


def save_screenshot(page, stem: str) -> Path:
    """The whole notebook in one picture: the window made as tall as the notebook (at most 16,000 px)."""
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    top = "() => { document.querySelector('.jp-Notebook .jp-WindowedPanel-outer').scrollTop = 0; }"
    page.evaluate(top)
    height = page.evaluate(
        "() => { const cells = document.querySelectorAll('.jp-Notebook .jp-Cell');"
        " return cells[cells.length - 1].getBoundingClientRect().bottom + 60; }"
    )
    page.set_viewport_size({"width": 1400, "height": int(min(max(height, 1000), 16_000))})
    page.evaluate(top)
    page.wait_for_timeout(500)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{stem}.png"
    page.screenshot(path=path)
    return path


def test_some_notebooks_have_widgets():
    assert NOTEBOOKS, f"no notebook in {NOTEBOOK_DIR} imports {WIDGET_MODULES}: the live widget test tests nothing"
    missing = sorted(set(EXPECTED_TEXT) - {Path(name).stem for name in NOTEBOOKS})
    assert not missing, f"EXPECTED_TEXT names notebooks without widgets: {missing}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab_and_its_widgets_work(browser, lab, name):
    try:
        run = run_notebook(browser, lab, name)
    finally:
        lab.shut_down_kernels()
    print(f"{name}: {run.seconds} s, {len(run.console)} console errors")
    saved = lab.saves.read_text(encoding="utf-8").split() if lab.saves.exists() else []
    console = "".join(f"\n  console: {line}" for line in run.console[:10])
    where = f"{name} in JupyterLab (screenshot {run.screenshot.relative_to(PROJECT_DIR)}){console}"

    assert not saved, f"{where}: JupyterLab tried to save {saved} (refused: the test must never write a notebook)"
    assert not run.errors, f"{where}: cells raised an error:\n" + "\n\n".join(
        f"cell {error['cell']}: {error['error']}\n{error['source']}\n{error['traceback']}" for error in run.errors
    )
    assert not run.unrun, f"{where}: code cells {run.unrun} did not run"
    assert run.widgets, f"{where}: no widget appeared"
    assert not run.problems, f"{where}:\n" + "\n".join(run.problems)
    narrow = field_problems(run.fields)
    assert not narrow, f"{where}: a widget's box is too narrow to show its value:\n" + "\n".join(narrow)
    missing = [text for text in EXPECTED_TEXT.get(Path(name).stem, []) if text not in run.widget_text]
    assert not missing, f"{where}: the widgets do not show {missing}; they show:\n{run.widget_text[:2000]}"
