"""Debian's Chromium as the browser tests launch it (tests/test_book.py, tests/test_jupyterlab.py).

Playwright only drives it: ``executable_path=CHROMIUM`` means it never downloads a browser.
"""

from pathlib import Path

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
