"""The built course book, both editions, opened page by page in a real browser (headless Chromium).

Build the book first with ``bash book/build.sh``; ``.ci/run`` does. It builds the public student
edition (``book/_build/html``) and the instructor edition (``book/_build/instructor/_build/html``).
The tests serve each on localhost, let the browser reach nothing else (the book must render
offline), open every page at a desktop width (1280 px) and a phone width (390 px), and save a
screenshot of each in ``book/_build/screenshots/`` for a person to look at. They fail when:

- a page has a script error, a failed request or a request that leaves localhost;
- anything is cut off: a code block, output, table, formula or figure reaches past the page's
  column or scrolls sideways, at either width; a figure is shrunk so far that its text is tiny;
- a figure's smallest text is below 9 CSS px at either width (measured in the SVG a notebook
  saved); a figure has no number and caption or no alt text;
- a table breaks a word across lines or shows a cell cut short ("..."), at either width, in the
  student pages and the instructor guide; or the instructor guide does not fit the page;
- a student page gives an answer away, at either width: a line of a solution, the verdict of any
  check of the registry, or a phrase that states an exercise's answer (the registry's ``reveals``);
  or the instructor guide is part of the student book;
- a student page leaves out a widget's question, choices or instructions (its static text), or
  shows more than one note per widget;
- a launch or repository button leads to a placeholder, or is offered without a repository;
- on a phone, the navigation sidebar does not open;
- in the instructor edition, a solution shows before it is asked for, or does not open.

They are skipped, with the reason, when Playwright, Debian's ``chromium`` or the built book is missing.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlparse

import nbformat
import pytest
import yaml
from browser import CHROMIUM, CHROMIUM_ARGS

from course_utils.exercises import registry, widgets
from course_utils.maintain import notebooks, release

pytestmark = pytest.mark.slow

PROJECT_DIR = Path(__file__).resolve().parent.parent
BOOK_DIR = PROJECT_DIR / "book"
SITES = {"student": BOOK_DIR / "_build" / "html", "instructor": BOOK_DIR / "_build" / "instructor" / "_build" / "html"}
TOCS = {"student": BOOK_DIR / "_toc.yml", "instructor": BOOK_DIR / "_toc_instructor.yml"}
SCREENSHOT_DIR = BOOK_DIR / "_build" / "screenshots"
TIMEOUT_MS = 30_000
WIDTHS = {"desktop": 1280, "phone": 390}
# A figure shown at less than this fraction of its size has unreadable text: Matplotlib's 10 pt
# labels, drawn at 100 dpi, become smaller than 8 px.
MIN_FIGURE_SCALE = 0.6
# The smallest text of a figure, in CSS px as shown (course_utils.plots.MIN_TEXT_PX). An SVG
# figure's text is measured; a raster figure's is estimated as Matplotlib's default 10 pt at the
# image's resolution (its PNG pHYs chunk, else 72 dpi).
MIN_FIGURE_TEXT_PX = 9.0
RASTER_TEXT_POINTS = 10

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install -r book/requirements.txt"
)
if not CHROMIUM.exists():
    pytest.skip(f"no browser at {CHROMIUM}: apt-get install chromium", allow_module_level=True)
for _edition, _site in SITES.items():
    if not (_site / "index.html").exists():
        pytest.skip(f"the {_edition} edition is not built ({_site} is missing): bash book/build.sh", allow_module_level=True)


def toc_pages(toc_file: Path) -> list[str]:
    """A table of contents' pages (Sphinx docnames, relative to the repository root) in reading order."""
    toc = yaml.safe_load(toc_file.read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        for entry in part["chapters"]:
            if "file" in entry:
                pages.append(entry["file"])
            elif "glob" in entry:
                matches = sorted(PROJECT_DIR.glob(entry["glob"] + ".*"))
                pages += [
                    path.with_suffix("").relative_to(PROJECT_DIR).as_posix()
                    for path in matches
                    if path.suffix in (".ipynb", ".md")
                ]
    return pages


PAGES = {edition: toc_pages(toc) for edition, toc in TOCS.items()}
NOTEBOOK_PAGES = [page for page in PAGES["student"] if (PROJECT_DIR / f"{page}.ipynb").exists()]
STUDENT_VIEWS = [(page, width) for page in PAGES["student"] for width in WIDTHS]
MATH = "span.math, div.math"
SOLUTIONS = ".tag_solution > details, .solution.dropdown"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_VIEWS = f'script[type="{WIDGET_VIEW}"]'
PLACEHOLDER = re.compile(r"YOUR-|github\.com/(OWNER|USER(NAME)?)/", re.IGNORECASE)

# What reaches past the page's column, or scrolls sideways inside it (the outermost such element).
CUT_OFF_JS = """() => {
  const article = document.querySelector('article.bd-article');
  const limit = Math.min(article.getBoundingClientRect().right, document.documentElement.clientWidth) + 1;
  const found = [];
  for (const element of article.querySelectorAll('*')) {
    if (found.some(outer => outer.contains(element))) continue;
    if (element.closest('mjx-assistive-mml')) continue;  // MathJax's copy for screen readers, clipped to 1 px
    const box = element.getBoundingClientRect();
    if (!box.width || !box.height) continue;  // folded away
    const scrolls = ['auto', 'scroll'].includes(getComputedStyle(element).overflowX)
      && element.scrollWidth > element.clientWidth + 1;
    if (box.right > limit || scrolls) found.push(element);
  }
  const pageScrolls = document.documentElement.scrollWidth > document.documentElement.clientWidth + 1;
  return [...(pageScrolls ? ['the whole page scrolls sideways'] : []), ...found.map(element =>
    `${element.tagName.toLowerCase()}.${[...element.classList].join('.')}: `
    + (element.innerText || element.getAttribute('src') || '').trim().split('\\n')[0].slice(0, 70))];
}"""
FIGURE_SCALES_JS = """() => [...document.querySelectorAll('div.cell_output img')]
  .filter(image => image.naturalWidth > 0)
  .map(image => [image.src.split('/').pop(), image.getBoundingClientRect().width / image.naturalWidth])"""
# Each output figure's smallest text in CSS px as shown (null: no text to measure), read from the
# file the page loads: an SVG's <text> font sizes scaled by its shown width / its viewBox width.
FIGURE_TEXT_JS = """async () => {
  const found = [];
  for (const image of document.querySelectorAll('div.cell_output img')) {
    if (!image.naturalWidth) continue;
    const name = image.src.split('/').pop(), shown = image.getBoundingClientRect().width;
    if (name.toLowerCase().endsWith('.svg')) {
      const text = await (await fetch(image.src)).text();
      const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
      const sizes = [...svg.querySelectorAll('text')].map(element => {
        const style = element.getAttribute('style') || '';
        const size = style.match(/font-size:\\s*([\\d.]+)px/) || style.match(/font:[^;]*?([\\d.]+)px/);
        return parseFloat(size ? size[1] : element.getAttribute('font-size'));
      }).filter(size => size > 0);
      const width = svg.viewBox.baseVal && svg.viewBox.baseVal.width || parseFloat(svg.getAttribute('width'));
      found.push([name, sizes.length ? Math.min(...sizes) * shown / width : null]);
    } else {
      const bytes = new Uint8Array(await (await fetch(image.src)).arrayBuffer());
      let dpi = 72;
      for (let i = 8; i + 12 < Math.min(bytes.length, 1 << 16); i++) {
        if (String.fromCharCode(...bytes.slice(i, i + 4)) !== 'pHYs') continue;
        const perMetre = ((bytes[i + 4] << 24) | (bytes[i + 5] << 16) | (bytes[i + 6] << 8) | bytes[i + 7]) >>> 0;
        if (bytes[i + 12] === 1) dpi = perMetre * 0.0254;
        break;
      }
      found.push([name, RASTER_POINTS * dpi / 72 * shown / image.naturalWidth]);
    }
  }
  return found;
}""".replace("RASTER_POINTS", str(RASTER_TEXT_POINTS))
# Each output figure's alt text and caption ("Fig. 2.1 ..."), as a reader and a screen reader get them.
FIGURE_LABELS_JS = """() => [...document.querySelectorAll('div.cell_output img')].map(image => [
  image.src.split('/').pop(), image.getAttribute('alt') || '',
  (image.closest('figure')?.querySelector('figcaption')?.innerText || '').trim()])"""
# Table cells that break a word across lines (two letters, digits, '_' or '.' of a word on two
# lines), or that end in "...", pandas' mark of a cut cell.
TABLE_PROBLEMS_JS = """() => {
  const found = [];
  for (const cell of document.querySelectorAll('article.bd-article table th, article.bd-article table td')) {
    if (!cell.getBoundingClientRect().width) continue;
    const text = cell.textContent.trim().replace(/\\s+/g, ' ');
    if (text.endsWith('...')) found.push(`cut short: ${text.slice(0, 70)}`);
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let previous = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        const character = node.data[i];
        if (!/[\\w.]/.test(character)) { previous = null; continue; }
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getBoundingClientRect();
        if (!box.width) continue;
        if (previous !== null && box.top >= previous - 1) {
          found.push(`word broken: ${text.slice(0, 70)}`);
          node = null;
          break;
        }
        previous = box.bottom;
      }
      if (node === null) break;
    }
  }
  return found;
}"""
EXERCISE_TEXTS_JS = """() => Object.fromEntries(
  [...document.querySelectorAll('div.exercise')].map(box => [box.id, box.textContent]))"""
SPLIT_LOGS_JS = """() => [...document.querySelectorAll('div.cell_output')]
  .filter(output => output.querySelectorAll(':scope > .output.stream').length > 1).length"""
LINKS_JS = """() => Object.fromEntries([
    ['download', '.btn-download-source-button'],
    ['binder', 'a[href*="mybinder.org"]'],
    ['colab', 'a[href*="colab.research.google.com"]'],
    ['repository', '.btn-source-repository-button'],
].map(([name, selector]) => [name, document.querySelector(selector)?.href ?? null]))"""


@dataclasses.dataclass
class PageReport:
    """What the browser saw on one page at one width."""

    url: str
    problems: list[str]  # console errors, script errors, failed or outside requests
    math: int  # math elements in the page's HTML
    typeset: int  # MathJax output elements
    widget_views: int  # saved ipywidgets views
    widgets: int  # widget elements rendered from the saved state
    widget_notes: int  # notes standing for a widget (student edition)
    broken_images: list[str]
    figure_reprs: list[str]  # "<Figure size ...>" outputs: a figure saved as text, not as an image
    figure_scales: list[tuple[str, float]]  # each output figure's shown width / its own width
    figure_text: list[tuple[str, float | None]]  # each output figure's smallest text in CSS px as shown
    figure_labels: list[tuple[str, str, str]]  # each output figure's file, alt text and caption
    table_problems: list[str]  # table cells with a word broken across lines or cut short
    cut_off: list[str]  # elements past the column or scrolling sideways
    text: str  # the article's text as the reader sees it, folded parts included
    exercise_texts: dict[str, str]  # exercise label -> the text of its box
    split_logs: int  # cells whose printed lines are split into several output blocks
    solutions_closed: list[bool]  # per solution, as the page opens
    solutions_opened: list[bool]  # per solution, after a click on its toggle
    links: dict[str, str]  # header buttons: download / Binder / Colab / repository


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  (the standard library's signature)
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """A folder served on localhost while the block runs; yields its address."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=directory))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site_urls() -> Iterator[dict[str, str]]:
    """Both editions, each served on its own localhost port while the module runs."""
    with serve(SITES["student"]) as student, serve(SITES["instructor"]) as instructor:
        yield {"student": student, "instructor": instructor}


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (which downloads no browser of its own)."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def new_page(browser, site_url: str, problems: list[str], width: int = WIDTHS["desktop"]):
    """A browser tab that records every problem and may fetch nothing but the book itself.

    A request that the browser itself abandons because the page moved on (``net::ERR_ABORTED``
    for a request of a page it has left) is not a problem of the book.
    """
    context = browser.new_context(viewport={"width": width, "height": 900})

    def only_the_book(route):
        if route.request.url.startswith(site_url):
            route.continue_()
        else:
            problems.append(f"needs the internet: {route.request.url}")
            route.abort()

    context.route("**/*", only_the_book)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    def failed(request):
        left_behind = request.frame.url != request.headers.get("referer", request.frame.url)
        if request.url.startswith(site_url) and "ERR_ABORTED" in (request.failure or "") and left_behind:
            return
        problems.append(f"failed: {request.url} {request.failure}")

    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("requestfailed", failed)
    page.on("response", lambda reply: reply.status >= 400 and problems.append(f"{reply.status}: {reply.url}"))
    return page


def inspect(browser, site_url: str, edition: str, docname: str, width: str) -> PageReport:
    """Open one page, wait for math and widgets, measure it, screenshot it, then open its solutions."""
    problems: list[str] = []
    url = urljoin(site_url, f"{docname}.html")
    page = new_page(browser, site_url, problems, WIDTHS[width])
    try:
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        math = page.locator(MATH).count()
        if math:
            _wait_for(page, f"document.querySelectorAll('mjx-container').length >= {math}", problems, "MathJax")
        widget_views = page.locator(WIDGET_VIEWS).count()
        if widget_views:
            _wait_for(page, f"document.querySelectorAll('.jupyter-widgets').length >= {widget_views}", problems, "widgets")
        page.wait_for_timeout(300)  # let the theme settle (scroll spy, toggle buttons) before measuring
        cut_off = page.evaluate(CUT_OFF_JS)
        figure_text = [tuple(text) for text in page.evaluate(FIGURE_TEXT_JS)]
        table_problems = page.evaluate(TABLE_PROBLEMS_JS)
        folder = SCREENSHOT_DIR / edition / width
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / f"{docname.replace('/', '__')}.png", full_page=True)
        closed, opened = _open_solutions(page)
        images = page.evaluate(
            """async () => {
                const images = Array.from(document.images);
                await Promise.all(images.map(image => image.decode().catch(() => null)));
                return images.filter(image => !(image.complete && image.naturalWidth > 0)).map(image => image.src);
            }"""
        )
        outputs = page.locator(".cell_output").all_inner_texts()
        links = page.evaluate(LINKS_JS)
        return PageReport(
            url=url,
            problems=problems,
            math=math,
            typeset=page.locator("mjx-container").count(),
            widget_views=widget_views,
            widgets=page.locator(".jupyter-widgets").count(),
            widget_notes=page.locator("p.course-widget-note").count(),
            broken_images=images,
            figure_reprs=[text for text in outputs if "<Figure size" in text],
            figure_scales=[tuple(scale) for scale in page.evaluate(FIGURE_SCALES_JS)],
            figure_text=figure_text,
            figure_labels=[tuple(labels) for labels in page.evaluate(FIGURE_LABELS_JS)],
            table_problems=table_problems,
            cut_off=cut_off,
            text=page.locator("article.bd-article").text_content(),
            exercise_texts=page.evaluate(EXERCISE_TEXTS_JS),
            split_logs=page.evaluate(SPLIT_LOGS_JS),
            solutions_closed=closed,
            solutions_opened=opened,
            links={name: href for name, href in links.items() if href},
        )
    finally:
        page.context.close()


def _open_solutions(page) -> tuple[list[bool], list[bool]]:
    """Whether each solution starts closed, and whether it opens on a click of its toggle."""
    solutions = page.locator(SOLUTIONS)
    closed, opened = [], []
    for index in range(solutions.count()):
        solution = solutions.nth(index)
        closed.append(not _is_open(solution))
        toggle = solution.locator("summary, button.toggle-button").first
        toggle.scroll_into_view_if_needed()
        toggle.click()
        page.wait_for_timeout(100)
        opened.append(_is_open(solution))
    return closed, opened


def _wait_for(page, condition: str, problems: list[str], what: str) -> None:
    try:
        page.wait_for_function(condition, timeout=TIMEOUT_MS)
    except sync_api.TimeoutError:
        problems.append(f"{what}: not rendered after {TIMEOUT_MS // 1000} s ({condition})")


def _is_open(solution) -> bool:
    """Whether a solution's content shows: an open <details>, or a toggle that lost `toggle-hidden`."""
    return solution.evaluate(
        """element => element.tagName === 'DETAILS' ? element.open : !element.classList.contains('toggle-hidden')"""
    )


class _Reports(dict):
    """Each (edition, page, width), inspected the first time a test asks for it."""

    def __init__(self, browser, site_urls: dict[str, str]):
        super().__init__()
        self.browser, self.site_urls = browser, site_urls

    def __missing__(self, key: tuple[str, str, str]) -> PageReport:
        edition, docname, width = key
        self[key] = report = inspect(self.browser, self.site_urls[edition], edition, docname, width)
        return report


@pytest.fixture(scope="module")
def reports(browser, site_urls) -> _Reports:
    """What the browser saw on each page, shared by the tests below (one visit per page and width)."""
    for edition in SITES:  # no screenshot of an earlier run passes for this one
        shutil.rmtree(SCREENSHOT_DIR / edition, ignore_errors=True)
    return _Reports(browser, site_urls)


# Building and loading --------------------------------------------------------------------------


@pytest.mark.parametrize("edition", SITES)
def test_every_page_of_the_table_of_contents_is_built(edition):
    missing = [page for page in PAGES[edition] if not (SITES[edition] / f"{page}.html").exists()]
    assert not missing, f"the {edition} edition is out of date, rebuild it with `bash book/build.sh`: no page for {missing}"


def test_the_editions_differ_only_by_the_instructor_guide():
    assert [page for page in PAGES["instructor"] if page != "book/instructor_guide"] == PAGES["student"]
    assert "book/instructor_guide" in PAGES["instructor"]


@pytest.mark.parametrize(("docname", "width"), STUDENT_VIEWS)
def test_page_loads_offline_without_errors(reports, docname, width):
    report = reports["student", docname, width]
    assert report.problems == [], f"{report.url} at {WIDTHS[width]} px: " + "\n".join(report.problems)


@pytest.mark.parametrize("docname", PAGES["instructor"])
def test_instructor_page_loads_offline_without_errors(reports, docname):
    report = reports["instructor", docname, "desktop"]
    assert report.problems == [], f"{report.url}: " + "\n".join(report.problems)


@pytest.mark.parametrize("docname", PAGES["student"])
def test_every_image_loads(reports, docname):
    report = reports["student", docname, "desktop"]
    assert report.broken_images == [], f"{report.url}: images that did not load: {report.broken_images}"


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_figures_are_images_not_text(reports, docname):
    report = reports["student", docname, "desktop"]
    assert report.figure_reprs == [], (
        f"{report.url}: a Matplotlib figure was saved as its text, not as an image "
        f"(is the inline backend on when the notebook runs?): {report.figure_reprs}"
    )


@pytest.mark.parametrize("docname", PAGES["student"])
def test_math_is_typeset(reports, docname):
    report = reports["student", docname, "desktop"]
    assert report.typeset >= report.math, f"{report.url}: {report.math} formulas, {report.typeset} typeset by MathJax"


def test_the_book_has_math(reports):
    with_math = [page for page in PAGES["student"] if reports["student", page, "desktop"].math]
    assert with_math, "no page has a formula: MathJax would go untested"


@pytest.mark.parametrize("docname", PAGES["instructor"])
def test_saved_widgets_are_rendered_in_the_instructor_edition(reports, docname):
    report = reports["instructor", docname, "desktop"]
    assert report.widgets >= report.widget_views, (
        f"{report.url}: {report.widget_views} saved widget views, {report.widgets} rendered"
    )


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_student_pages_show_a_note_for_each_widget(reports, docname):
    report = reports["student", docname, "desktop"]
    notebook = nbformat.read(PROJECT_DIR / f"{docname}.ipynb", as_version=4)
    widgets = sum(WIDGET_VIEW in output.get("data", {}) for cell in notebook.cells for output in cell.get("outputs", []))
    assert report.widget_views == 0, f"{report.url}: the student edition shows the instructor's saved widget state"
    assert report.widget_notes == widgets, f"{report.url}: {widgets} widgets in the notebook, {report.widget_notes} notes"


def widget_texts(docname: str) -> list[tuple[str, str]]:
    """Each widget the registry names for a notebook, with the static text the student page must show.

    The text is the widget's own (:meth:`~course_utils.exercises.widgets.CourseWidget.static_text`):
    built from the registry's call when its arguments are plain values (a question, the
    architecture builder), else as the widget stored it in the committed notebook when it ran.
    """
    notebook = _instructor_notebook(docname)
    found = []
    for exercise in registry.exercises_in(docname.split("/")[-1]):
        for call in exercise.calls:
            if call.is_check:
                continue
            cells = [cell for cell in notebook.cells if cell.cell_type == "code" and f"{call.name}(" in cell.source]
            assert cells, f"{docname}: no cell calls {call.name}, which the registry names for Exercise {exercise.number}"
            stored = [
                output.metadata[widgets.STATIC_KEY]["text/plain"]
                for output in cells[0].get("outputs", [])
                if widgets.STATIC_KEY in output.get("metadata", {})
            ]
            assert stored, f"{docname}: {call} stored no static text; run `python -m course_utils execute`"
            built = _built_from_the_registry(call)
            found.append((str(call), built.static_text() if built is not None else stored[0]))
    return found


def _built_from_the_registry(call: registry.Call) -> widgets.CourseWidget | None:
    """The widget of ``call`` when its arguments are plain values (``hidden_units=[10]``), else None."""
    parsed = ast.parse(f"f({call.arguments})", mode="eval").body
    try:
        args = [ast.literal_eval(argument) for argument in parsed.args]
        kwargs = {keyword.arg: ast.literal_eval(keyword.value) for keyword in parsed.keywords}
    except ValueError:  # a name of the notebook, such as mnist
        return None
    return call.function(*args, **kwargs)


WIDGET_PAGES = [
    page
    for page in NOTEBOOK_PAGES
    if any(not call.is_check for exercise in registry.exercises_in(page.split("/")[-1]) for call in exercise.calls)
]


@pytest.mark.parametrize("docname", WIDGET_PAGES)
def test_student_pages_show_each_widgets_question_choices_and_instructions(reports, docname):
    report = reports["student", docname, "desktop"]
    page = re.sub(r"\s+", "", report.text)
    missing = [
        f"{call}: {line!r}"
        for call, text in widget_texts(docname)
        for line in text.splitlines()
        if re.sub(r"\s+", "", line) not in page
    ]
    assert not missing, f"{report.url}: the student edition leaves out widget text:\n" + "\n".join(missing)
    assert widgets.LIVE_NOTE not in report.text, f"{report.url}: a widget's second note (the header's) is shown"


# Nothing cut off ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("docname", "width"), STUDENT_VIEWS)
def test_nothing_is_cut_off(reports, docname, width):
    report = reports["student", docname, width]
    assert report.cut_off == [], (
        f"{report.url} at {WIDTHS[width]} px: these reach past the page's column or scroll sideways "
        "(wrap the code, shorten the line, lay the figure out for the page; see book/static/course.css):\n"
        + "\n".join(report.cut_off)
    )


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_figures_are_laid_out_for_the_page(reports, docname):
    report = reports["student", docname, "desktop"]
    shrunk = [f"{name} at {scale:.0%}" for name, scale in report.figure_scales if scale < MIN_FIGURE_SCALE]
    assert not shrunk, (
        f"{report.url}: figures shown at less than {MIN_FIGURE_SCALE:.0%} of their size, so their labels are "
        f"tiny; make them narrower (more rows, a smaller figsize): {shrunk}"
    )


@pytest.mark.parametrize(("docname", "width"), [(page, width) for page in NOTEBOOK_PAGES for width in WIDTHS])
def test_figure_text_is_readable(reports, docname, width):
    report = reports["student", docname, width]
    small = [
        f"{name}: " + ("no text to measure (keep an SVG's text as text)" if px is None else f"{px:.1f} px")
        for name, px in report.figure_text
        if px is None or px < MIN_FIGURE_TEXT_PX
    ]
    assert not small, (
        f"{report.url} at {WIDTHS[width]} px: figures whose smallest text is below {MIN_FIGURE_TEXT_PX} px "
        f"(narrower figures, larger fonts: course_utils.plots.MAX_WIDTH, FONT_SIZE): {small}"
    )


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_figures_are_numbered_with_a_caption_and_alt_text(reports, docname):
    report = reports["student", docname, "desktop"]
    missing = [
        f"{name}: " + ", ".join(what for what, given in (("alt text", alt), ("caption", caption)) if not given)
        for name, alt, caption in report.figure_labels
        if not alt or not re.match(r"Fig\. \d", caption)
    ]
    assert not missing, (
        f"{report.url}: figures without a number and caption or alt text (the plotting cell's metadata: "
        f'mystnb={{"figure": {{"caption": ..., "name": ...}}, "image": {{"alt": ...}}}}): {missing}'
    )


TABLE_VIEWS = [("student", page, width) for page in PAGES["student"] for width in WIDTHS]
TABLE_VIEWS += [("instructor", "book/instructor_guide", width) for width in WIDTHS]


@pytest.mark.parametrize(("edition", "docname", "width"), TABLE_VIEWS)
def test_tables_break_no_word_and_cut_no_cell(reports, edition, docname, width):
    report = reports[edition, docname, width]
    assert report.table_problems == [], (
        f"{report.url} at {WIDTHS[width]} px: table cells with a word broken across lines or cut short "
        "(shorter headers, course_utils.tables; no truncation):\n" + "\n".join(report.table_problems)
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_the_instructor_guide_fits_the_page(reports, width):
    report = reports["instructor", "book/instructor_guide", width]
    assert report.cut_off == [], (
        f"{report.url} at {WIDTHS[width]} px: these reach past the page's column or scroll sideways:\n"
        + "\n".join(report.cut_off)
    )


# No answer in the student edition ------------------------------------------------------------------


def _instructor_notebook(docname: str) -> nbformat.NotebookNode:
    return nbformat.read(PROJECT_DIR / f"{docname}.ipynb", as_version=4)


def check_verdicts(notebook: nbformat.NotebookNode) -> set[str]:
    """Lines the instructor notebook's check cells print that no other cell shows."""

    def lines(cells) -> set[str]:
        found = set()
        for cell in cells:
            for output in cell.get("outputs", []):
                texts = [str(output.get("text", "")), *(str(value) for value in output.get("data", {}).values())]
                for text in texts:
                    plain = re.sub(r"<[^>]+>", "\n", text)
                    found |= {line.strip() for line in plain.splitlines() if len(line.strip()) >= 12}
        return found

    checks = [cell for cell in notebook.cells if release.is_check(cell)]
    others = [cell for cell in notebook.cells if not release.is_check(cell) and not release.is_solution(cell)]
    shown_elsewhere = lines(others) | {line.strip() for cell in others for line in cell.source.splitlines()}
    return lines(checks) - shown_elsewhere


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_student_pages_give_no_answer_away(reports, docname, width):
    report = reports["student", docname, width]
    notebook = _instructor_notebook(docname)
    text = re.sub(r"\s+", " ", report.text)
    leaks = [f"solution line {line!r}" for line in release.solution_lines(notebook) if line in report.text]
    leaks += [f"check verdict {line!r}" for line in check_verdicts(notebook) if re.sub(r"\s+", " ", line) in text]
    leaks += release.page_leaks(text, docname)  # any check's verdict, an exercise's answer (the registry's reveals)
    for exercise in registry.exercises_in(docname.split("/")[-1]):
        box = report.exercise_texts.get(exercise.label)
        assert box is not None, f"{report.url}: Exercise {exercise.number} is not in a box labelled {exercise.label}"
    assert not leaks, f"{report.url} (student edition) gives answers away:\n" + "\n".join(leaks)


PLUMBING = ("environment.claim(", "google.colab", "# noqa", "nbval")


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_student_pages_show_no_plumbing(reports, docname):
    report = reports["student", docname, "desktop"]
    shown = [word for word in PLUMBING if word in report.text]
    assert not shown, f"{report.url}: maintainer plumbing in the lesson (tag its cell remove-cell): {shown}"
    assert report.split_logs == 0, f"{report.url}: {report.split_logs} cells print in several blocks (nb_merge_streams)"


def test_the_student_book_has_no_instructor_guide():
    site = SITES["student"]
    assert not (site / "book" / "instructor_guide.html").exists(), "the instructor guide is in the student book"
    assert "instructor_guide" not in (site / "searchindex.js").read_text(), "search finds the instructor guide"
    linking = [page.name for page in site.rglob("*.html") if re.search(r"href=\"[^\"]*instructor_guide", page.read_text())]
    assert not linking, f"student pages link to the instructor guide: {linking}"


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_the_student_download_is_the_student_copy(reports, site_urls, docname):
    report = reports["student", docname, "desktop"]
    assert report.links.get("download") == urljoin(site_urls["student"], f"_sources/{docname}.ipynb")
    downloaded = nbformat.read(SITES["student"] / "_sources" / f"{docname}.ipynb", as_version=4)
    expected, _ = release.prepare(PROJECT_DIR / f"{docname}.ipynb")
    assert downloaded.metadata.get(notebooks.METADATA_KEY, {}).get("student_copy"), f"{docname}: not a student copy"
    assert [cell.source for cell in downloaded.cells] == [cell.source for cell in expected.cells]
    assert not release.solution_leaks(_instructor_notebook(docname), downloaded, docname)


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_instructor_solutions_start_closed_and_open_on_click(reports, docname):
    report = reports["instructor", docname, "desktop"]
    assert all(report.solutions_closed), f"{report.url}: a solution shows before the reader asks for it"
    assert all(report.solutions_opened), f"{report.url}: a solution did not open on a click"
    exercises = [exercise for exercise in registry.exercises_in(docname.split("/")[-1]) if exercise.calls]
    solved = [exercise for exercise in exercises if any(call.is_check for call in exercise.calls)]
    assert len(report.solutions_closed) == len(solved), (
        f"{report.url}: {len(solved)} exercises with a check, solutions: {report.solutions_closed}"
    )


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_exercises_are_numbered_like_their_headings(reports, docname):
    report = reports["student", docname, "desktop"]
    for exercise in registry.exercises_in(docname.split("/")[-1]):
        box = re.sub(r"\s+", " ", report.exercise_texts.get(exercise.label, ""))
        assert box.strip().startswith(f"Exercise {exercise.number} ("), (
            f"{report.url}: box of {exercise.label}: {box[:60]!r}"
        )


# Launch buttons ------------------------------------------------------------------------------------


@pytest.mark.parametrize("edition", SITES)
def test_no_page_points_at_a_placeholder(edition):
    found = [page.name for page in SITES[edition].rglob("*.html") if PLACEHOLDER.search(page.read_text(errors="ignore"))]
    assert not found, f"{edition} pages with a placeholder address: {found}"


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_launch_buttons_lead_to_the_repository_or_are_not_offered(reports, docname):
    links = reports["student", docname, "desktop"].links
    url = notebooks.repository_url()
    notebook = f"{docname}.ipynb"
    if url is None:
        assert set(links) == {"download"}, f"{docname}: buttons without a repository address: {links}"
        return
    repository = urlparse(url).path.strip("/")  # owner/name
    assert f"/v2/gh/{repository}/" in links.get("binder", "") and links["binder"].endswith(notebook)
    assert f"/github/{repository}/blob/" in links.get("colab", "") and links["colab"].endswith(notebook)
    assert links.get("repository", "").rstrip("/") == url.rstrip("/")


# Navigation ----------------------------------------------------------------------------------------


def test_navigation_reaches_every_chapter(browser, site_urls):
    site_url, pages = site_urls["student"], PAGES["student"]
    problems: list[str] = []
    page = new_page(browser, site_url, problems)
    try:
        page.goto(site_url, wait_until="load")  # index.html redirects to the first page
        page.wait_for_url(urljoin(site_url, f"{pages[0]}.html"))
        sidebar = page.eval_on_selector_all("nav.bd-docs-nav a.reference.internal", "links => links.map(a => a.href)")
        in_sidebar = {urlparse(href).path.lstrip("/").removesuffix(".html") for href in sidebar}
        assert set(pages[1:]) <= in_sidebar, f"missing from the sidebar: {sorted(set(pages[1:]) - in_sidebar)}"

        visited = [pages[0]]
        while page.locator("a.right-next").count():
            page.wait_for_load_state("networkidle")  # let the page finish its own requests first
            with page.expect_navigation(wait_until="load"):
                page.locator("a.right-next").first.click()
            visited.append(urlparse(page.url).path.lstrip("/").removesuffix(".html"))
            assert len(visited) <= len(pages), f"'next' keeps going: {visited}"
        assert visited == pages, "following 'next' from the first page does not visit the table of contents in order"
    finally:
        page.context.close()
    assert problems == [], "\n".join(problems)


# Whether an element is really on the screen: shown, not empty, and inside the viewport (a closed
# sidebar waits just off the left edge, where Playwright's in-viewport check still counts a pixel).
ON_SCREEN_JS = """element => {
  const style = getComputedStyle(element), box = element.getBoundingClientRect();
  return style.visibility !== 'hidden' && style.display !== 'none' && box.width > 0 && box.height > 0
    && box.left >= 0 && box.right <= window.innerWidth && box.bottom > 0 && box.top < window.innerHeight;
}"""
SIDEBARS = {  # name: (its button in the article header, its content, the dialog it opens in on a phone)
    "site navigation": (".bd-header-article button.primary-toggle", "nav.bd-docs-nav", "#pst-primary-sidebar-modal"),
    "contents of the page": (".bd-header-article button.secondary-toggle", "nav.page-toc", "#pst-secondary-sidebar-modal"),
}


@pytest.mark.parametrize("sidebar", SIDEBARS)
def test_sidebars_open_on_a_phone(browser, site_urls, sidebar):
    button, content, dialog = SIDEBARS[sidebar]
    problems: list[str] = []
    page = new_page(browser, site_urls["student"], problems, WIDTHS["phone"])
    try:
        page.goto(urljoin(site_urls["student"], f"{NOTEBOOK_PAGES[1]}.html"), wait_until="load")
        page.wait_for_load_state("networkidle")
        assert page.locator(f"{button}:visible").count() == 1, f"no visible button opens the {sidebar} on a phone"
        assert not page.locator(content).first.evaluate(ON_SCREEN_JS), f"the {sidebar} shows before it is asked for"
        page.locator(button).click()
        sync_api.expect(page.locator(dialog)).to_have_attribute("open", "")
        shown = page.locator(f"{dialog} {content}").first
        sync_api.expect(shown).to_be_visible()
        assert shown.evaluate(ON_SCREEN_JS), f"the {sidebar} did not open on the screen"
        page.keyboard.press("Escape")
        sync_api.expect(page.locator(dialog)).not_to_have_attribute("open", "")
    finally:
        page.context.close()
    assert problems == [], "\n".join(problems)


def test_the_desktop_shows_both_sidebars_and_no_second_header(browser, site_urls):
    problems: list[str] = []
    page = new_page(browser, site_urls["student"], problems)
    try:
        page.goto(urljoin(site_urls["student"], f"{NOTEBOOK_PAGES[1]}.html"), wait_until="load")
        page.wait_for_load_state("networkidle")
        for sidebar, (_, content, _) in SIDEBARS.items():
            assert page.locator(content).first.evaluate(ON_SCREEN_JS), f"the {sidebar} is not shown at 1280 px"
        header = page.evaluate("() => document.querySelector('#pst-header')?.getBoundingClientRect().height ?? 0")
        assert header == 0, "a second header bar (with its own, dead, sidebar buttons) is shown"
    finally:
        page.context.close()
    assert problems == [], "\n".join(problems)


def test_search_finds_the_course(browser, site_urls):
    problems: list[str] = []
    page = new_page(browser, site_urls["student"], problems)
    try:
        page.goto(urljoin(site_urls["student"], "search.html?q=autoencoder"), wait_until="load")
        page.wait_for_selector("ul.search li", timeout=TIMEOUT_MS)
        assert page.locator("ul.search li").count() >= 1
    finally:
        page.context.close()
    assert problems == [], "\n".join(problems)
