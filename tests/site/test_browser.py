"""The built site in a real browser (Debian's headless Chromium, driven over the DevTools
protocol): pages open from disk with no console error, charts are drawn, search finds pages,
the language switch leads to the same page in Chinese, and hostile names run no script.

Chromium is installed by `.ci/run`; where it is missing these tests are skipped."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from site_browser import Browser, chromium
from site_helpers import HOSTILE, hostile_site, sample_site

pytestmark = pytest.mark.skipif(
    chromium() is None,
    reason="chromium is not installed (`.ci/run` installs Debian's chromium package)",
)

# records any alert, confirm or prompt a page tries, instead of opening a dialog
TRAP = """
window.__dialogs = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (...args) => { window.__dialogs.push([name, String(args[0])]); };
}
"""
CHARTS_DRAWN = """
(() => {
  const boxes = [...document.querySelectorAll('.rg-chart')];
  return boxes.length > 0 && boxes.every(b => b.querySelector('svg.main-svg')) ? boxes.length : 0;
})()
"""


@pytest.fixture(scope="module")
def browser():
    b = Browser(chromium())
    b.call("Page.addScriptToEvaluateOnNewDocument", session=True, source=TRAP)
    yield b
    b.close()


def url(root: Path, page: str) -> str:
    return (root / page).as_uri()


def search(browser: Browser, text: str) -> str:
    """Type `text` into the search box; the result count once the search has answered."""
    browser.evaluate(
        "(() => { const i = document.querySelector('.md-search__input'); i.focus();"
        f" i.value = {text!r}; i.dispatchEvent(new KeyboardEvent('keyup', {{bubbles: true}}));"
        " })()"
    )
    return browser.wait_until(
        "(() => { const m = document.querySelector('.md-search-result__meta');"
        " return m && /\\d|No matching|没有/.test(m.textContent) && m.textContent; })()"
    )


def test_home_opens_from_disk_with_its_charts(browser):
    root = sample_site()
    browser.open(url(root, "index.html"))  # the language chooser leads on to English
    assert browser.wait_until("location.pathname.endsWith('/en/index.html')")
    assert browser.wait_until(CHARTS_DRAWN) == 5
    assert browser.errors() == []


def test_a_review_page_draws_its_chart_and_sorts_its_tables(browser):
    root = sample_site()
    browser.open(url(root, "en/reviews/2025-12.html"))
    assert browser.wait_until(CHARTS_DRAWN) == 1
    heading = "document.querySelector('article table thead th:nth-child(2)')"
    browser.evaluate(f"{heading}.click()")
    assert browser.evaluate(f"{heading}.getAttribute('aria-sort')") == "ascending"
    assert browser.errors() == []


def test_search_works_from_disk_in_both_languages(browser):
    root = sample_site()
    browser.open(url(root, "en/index.html"))
    assert "matching documents" in search(browser, "Meridian")
    browser.open(url(root, "zh/index.html"))
    assert "符合条件的结果" in search(browser, "武汉")
    assert browser.errors() == []


def test_the_language_switch_opens_the_same_page_in_chinese(browser):
    root = sample_site()
    browser.open(url(root, "en/reviews/2025-11.html"))
    browser.evaluate("document.querySelector('.md-select__link[hreflang=zh]').click()")
    browser.wait_for("Page.loadEventFired")
    assert browser.evaluate("location.pathname").endswith("/zh/reviews/2025-11.html")
    assert browser.evaluate("document.documentElement.lang") == "zh"
    assert browser.evaluate("document.querySelector('h1').textContent") == "2025年11月信用评审"
    assert browser.wait_until(CHARTS_DRAWN) == 1
    assert browser.errors() == []


HOSTILE_PAGES = (
    *(f"customers/{cid}.html" for cid in ("C1", "C2", "C3", "C4")),
    "reviews/2025-01.html",
    "reviews/2025-02.html",
)


def test_hostile_names_run_no_script(browser):
    root = hostile_site()
    for lang in ("en", "zh"):
        for page in HOSTILE_PAGES:
            browser.open(url(root, f"{lang}/{page}"))
            browser.wait_until(CHARTS_DRAWN)
            assert browser.evaluate("window.__dialogs") == [], page
            assert browser.errors() == [], page
        browser.open(url(root, f"{lang}/customers/C1.html"))
        assert browser.evaluate("document.querySelector('h1').textContent") == HOSTILE["C1"]
        assert browser.evaluate("document.title").startswith(HOSTILE["C1"])
        # results list the hostile titles: as text
        assert "matching" in search(browser, "Credit") or "符合" in search(browser, "信用")
        titles = browser.evaluate(
            "[...document.querySelectorAll('.md-search-result__item h1')].map(e => e.textContent)"
        )
        assert HOSTILE["C1"] in titles or lang == "zh"
        assert browser.evaluate("window.__dialogs") == []


def test_served_over_http_too(browser):
    root = sample_site()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        browser.open(f"{base}/en/reviews/2025-12.html")
        assert browser.wait_until(CHARTS_DRAWN) == 1
        assert "matching documents" in search(browser, "Meridian")  # the real search worker
        assert browser.errors() == []
    finally:
        server.shutdown()
