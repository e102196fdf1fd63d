"""The built course book, opened page by page in a real browser (headless Chromium).

Build the book first with ``bash book/build.sh``; ``.ci/run`` does. The test serves
``book/_build/html`` on localhost, lets the browser reach nothing else (the book must render
offline), and saves a screenshot of every page in ``book/_build/screenshots/`` for a person to look
at. It is skipped, with the reason, when Playwright, Debian's ``chromium`` or the built book is
missing.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
BOOK_DIR = PROJECT_DIR / "book"
SITE_DIR = BOOK_DIR / "_build" / "html"
SCREENSHOT_DIR = BOOK_DIR / "_build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 30_000

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install -r book/requirements.txt"
)
if not CHROMIUM.exists():
    pytest.skip(f"no browser at {CHROMIUM}: apt-get install chromium", allow_module_level=True)
if not (SITE_DIR / "index.html").exists():
    pytest.skip(f"the book is not built ({SITE_DIR} is missing): bash book/build.sh", allow_module_level=True)


def toc_pages(book_dir: Path = BOOK_DIR) -> list[str]:
    """The book's pages (Sphinx docnames, relative to the repository root) in reading order."""
    toc = yaml.safe_load((book_dir / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        for entry in part["chapters"]:
            if "file" in entry:
                pages.append(entry["file"])
            elif "glob" in entry:
                matches = sorted(book_dir.parent.glob(entry["glob"] + ".*"))
                pages += [
                    path.with_suffix("").relative_to(book_dir.parent).as_posix()
                    for path in matches
                    if path.suffix in (".ipynb", ".md")
                ]
    return pages


PAGES = toc_pages()
NOTEBOOK_PAGES = [page for page in PAGES if (PROJECT_DIR / f"{page}.ipynb").exists()]
MATH = "span.math, div.math"
SOLUTIONS = ".tag_solution > details, .solution.dropdown"
WIDGET_VIEWS = 'script[type="application/vnd.jupyter.widget-view+json"]'


@dataclasses.dataclass
class PageReport:
    """What the browser saw on one page."""

    url: str
    problems: list[str]  # console errors, script errors, failed or outside requests
    math: int  # math elements in the page's HTML
    typeset: int  # MathJax output elements
    widget_views: int  # saved ipywidgets views
    widgets: int  # widget elements rendered from the saved state
    broken_images: list[str]
    figure_reprs: list[str]  # "<Figure size ...>" outputs: a figure saved as text, not as an image
    solutions_closed: list[bool]  # per solution, as the page opens
    solutions_opened: list[bool]  # per solution, after a click on its toggle
    links: dict[str, str]  # header buttons: download / Binder / Colab / repository


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  (the standard library's signature)
        pass


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    """The built book, served on localhost while the module runs."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=SITE_DIR))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (which downloads no browser of its own)."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def new_page(browser, site_url: str, problems: list[str]):
    """A browser tab that records every problem and may fetch nothing but the book itself."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def only_the_book(route):
        if route.request.url.startswith(site_url):
            route.continue_()
        else:
            problems.append(f"needs the internet: {route.request.url}")
            route.abort()

    context.route("**/*", only_the_book)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url} {request.failure}"))
    page.on("response", lambda reply: reply.status >= 400 and problems.append(f"{reply.status}: {reply.url}"))
    return page


def inspect(browser, site_url: str, docname: str) -> PageReport:
    """Open one page, wait for math and widgets, screenshot it, then open its solutions."""
    problems: list[str] = []
    url = urljoin(site_url, f"{docname}.html")
    page = new_page(browser, site_url, problems)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        math = page.locator(MATH).count()
        if math:
            _wait_for(page, f"document.querySelectorAll('mjx-container').length >= {math}", problems, "MathJax")
        widget_views = page.locator(WIDGET_VIEWS).count()
        if widget_views:
            _wait_for(page, f"document.querySelectorAll('.jupyter-widgets').length >= {widget_views}", problems, "widgets")
        page.wait_for_timeout(300)  # let the theme settle (scroll spy, toggle buttons) before the picture
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOT_DIR / f"{docname.replace('/', '__')}.png", full_page=True)

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

        images = page.evaluate(
            """async () => {
                const images = Array.from(document.images);
                await Promise.all(images.map(image => image.decode().catch(() => null)));
                return images.filter(image => !(image.complete && image.naturalWidth > 0)).map(image => image.src);
            }"""
        )
        outputs = page.locator(".cell_output").all_inner_texts()
        links = page.evaluate(
            """() => Object.fromEntries([
                ['download', '.btn-download-source-button'],
                ['binder', 'a[href*="mybinder.org"]'],
                ['colab', 'a[href*="colab.research.google.com"]'],
                ['repository', '.btn-source-repository-button'],
            ].map(([name, selector]) => [name, document.querySelector(selector)?.href ?? null]))"""
        )
        return PageReport(
            url=url,
            problems=problems,
            math=math,
            typeset=page.locator("mjx-container").count(),
            widget_views=widget_views,
            widgets=page.locator(".jupyter-widgets").count(),
            broken_images=images,
            figure_reprs=[text for text in outputs if "<Figure size" in text],
            solutions_closed=closed,
            solutions_opened=opened,
            links={name: href for name, href in links.items() if href},
        )
    finally:
        page.context.close()


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
    """Each page, inspected the first time a test asks for it."""

    def __init__(self, browser, site_url: str):
        super().__init__()
        self.browser, self.site_url = browser, site_url

    def __missing__(self, docname: str) -> PageReport:
        self[docname] = report = inspect(self.browser, self.site_url, docname)
        return report


@pytest.fixture(scope="module")
def reports(browser, site_url) -> _Reports:
    """What the browser saw on each page, shared by the tests below (one visit per page)."""
    shutil.rmtree(SCREENSHOT_DIR, ignore_errors=True)
    return _Reports(browser, site_url)


def test_every_page_of_the_table_of_contents_is_built():
    missing = [page for page in PAGES if not (SITE_DIR / f"{page}.html").exists()]
    assert not missing, f"the built book is out of date, rebuild it with `bash book/build.sh`: no page for {missing}"


@pytest.mark.parametrize("docname", PAGES)
def test_page_loads_offline_without_errors(reports, docname):
    report = reports[docname]
    assert report.problems == [], f"{report.url}: " + "\n".join(report.problems)


@pytest.mark.parametrize("docname", PAGES)
def test_every_image_loads(reports, docname):
    report = reports[docname]
    assert report.broken_images == [], f"{report.url}: images that did not load: {report.broken_images}"


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_figures_are_images_not_text(reports, docname):
    report = reports[docname]
    assert report.figure_reprs == [], (
        f"{report.url}: a Matplotlib figure was saved as its text, not as an image "
        f"(is the inline backend on when the notebook runs?): {report.figure_reprs}"
    )


@pytest.mark.parametrize("docname", PAGES)
def test_math_is_typeset(reports, docname):
    report = reports[docname]
    assert report.typeset >= report.math, f"{report.url}: {report.math} formulas, {report.typeset} typeset by MathJax"


def test_the_book_has_math(reports):
    with_math = [page for page in PAGES if reports[page].math]
    assert with_math, "no page has a formula: MathJax would go untested"
    assert all(reports[page].typeset for page in with_math)


@pytest.mark.parametrize("docname", PAGES)
def test_saved_widgets_are_rendered(reports, docname):
    report = reports[docname]
    assert report.widgets >= report.widget_views, (
        f"{report.url}: {report.widget_views} saved widget views, {report.widgets} rendered"
    )


@pytest.mark.parametrize("docname", PAGES)
def test_solutions_start_closed_and_open_on_click(reports, docname):
    report = reports[docname]
    assert all(report.solutions_closed), f"{report.url}: a solution shows before the reader asks for it"
    assert all(report.solutions_opened), f"{report.url}: a solution did not open on a click"


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_notebook_pages_offer_download_and_launch_buttons(reports, site_url, docname):
    links = reports[docname].links
    config = yaml.safe_load((BOOK_DIR / "_config.yml").read_text())
    repository = urlparse(config["repository"]["url"]).path.strip("/")  # owner/name
    notebook = f"{docname}.ipynb"
    assert links.get("download") == urljoin(site_url, f"_sources/{notebook}")
    assert f"/v2/gh/{repository}/" in links.get("binder", "") and links["binder"].endswith(notebook)
    assert f"/github/{repository}/blob/" in links.get("colab", "") and links["colab"].endswith(notebook)
    downloaded = SITE_DIR / "_sources" / notebook
    assert json.loads(downloaded.read_text())["cells"], f"{downloaded} is not the notebook"


def test_navigation_reaches_every_chapter(browser, site_url):
    problems: list[str] = []
    page = new_page(browser, site_url, problems)
    try:
        page.goto(site_url, wait_until="load")  # index.html redirects to the first page
        page.wait_for_url(urljoin(site_url, f"{PAGES[0]}.html"))
        sidebar = page.eval_on_selector_all("nav.bd-docs-nav a.reference.internal", "links => links.map(a => a.href)")
        in_sidebar = {urlparse(href).path.lstrip("/").removesuffix(".html") for href in sidebar}
        assert set(PAGES[1:]) <= in_sidebar, f"missing from the sidebar: {sorted(set(PAGES[1:]) - in_sidebar)}"

        visited = [PAGES[0]]
        while page.locator("a.right-next").count():
            with page.expect_navigation(wait_until="load"):
                page.locator("a.right-next").first.click()
            visited.append(urlparse(page.url).path.lstrip("/").removesuffix(".html"))
            assert len(visited) <= len(PAGES), f"'next' keeps going: {visited}"
        assert visited == PAGES, "following 'next' from the first page does not visit the table of contents in order"
    finally:
        page.context.close()
    assert problems == [], "\n".join(problems)


def test_search_finds_the_course(browser, site_url):
    problems: list[str] = []
    page = new_page(browser, site_url, problems)
    try:
        page.goto(urljoin(site_url, "search.html?q=autoencoder"), wait_until="load")
        page.wait_for_selector("ul.search li", timeout=TIMEOUT_MS)
        assert page.locator("ul.search li").count() >= 1
    finally:
        page.context.close()
    assert problems == [], "\n".join(problems)
