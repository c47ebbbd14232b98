"""The running dashboard in a real browser (Debian's headless Chromium over the DevTools
protocol, tests/site/site_browser.py): it starts on a free localhost port, every page is
opened from the sidebar, nothing raises, and a screenshot of each is taken (kept in
$REPORTGEN_SCREENSHOTS when set). Skipped where Chromium is missing (`.ci/run` installs it)."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from dashboard_helpers import APP, ROOT

sys.path.insert(0, str(ROOT / "tests" / "site"))
from site_browser import Browser, chromium  # noqa: E402

pytestmark = pytest.mark.skipif(
    chromium() is None,
    reason="chromium is not installed (`.ci/run` installs Debian's chromium package)",
)
PAGES = ("overview", "aging", "customer", "credit", "worklist", "ratings", "reconciliation", "data")
RENDERED = """
(() => {
  const running = document.querySelector('[data-testid="stStatusWidget"]');
  const title = document.querySelector('[data-testid="stMain"] h1');
  return !running && title ? title.textContent : '';
})()
"""
EXCEPTIONS = "document.querySelectorAll('[data-testid=\"stException\"]').length"
# the only thing the app may fail to fetch offline is Google's icon font for the favicon
OFFLINE_NOISE = ("fonts.gstatic.com", "fonts.googleapis.com")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    env = dict(os.environ, REPORTGEN_DATA=str(ROOT / "sample_data"))
    env.pop("REPORTGEN_DASHBOARD_USERS", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", APP, "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.terminate()
        pytest.fail("the dashboard did not start")
    yield url
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def browser():
    b = Browser(chromium())
    b.call(
        "Emulation.setDeviceMetricsOverride",
        session=True, width=1400, height=1800, deviceScaleFactor=1, mobile=False,
    )  # fmt: skip
    yield b
    b.close()


def screenshot(browser: Browser, name: str, folder: Path) -> Path:
    shot = browser.call("Page.captureScreenshot", session=True, format="png")
    path = folder / f"dashboard-{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def test_click_through_every_page(server, browser, tmp_path):
    folder = Path(os.environ.get("REPORTGEN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.open(server)
    assert browser.wait_until(RENDERED, timeout=60) == "Overview"
    titles = {}
    for page in PAGES:
        clicked = browser.evaluate(
            "(() => { const a = [...document.querySelectorAll("
            "'[data-testid=\"stSidebarNavLink\"]')]"
            f".find(l => l.getAttribute('href').endsWith('/{page}') || "
            f"('{page}' === 'overview' && l.getAttribute('href').endsWith('/')));"
            " if (!a) return false; a.click(); return true; })()"
        )
        assert clicked, page
        time.sleep(0.5)
        titles[page] = browser.wait_until(RENDERED, timeout=60)
        time.sleep(1.0)  # charts and tables finish drawing
        assert browser.evaluate(EXCEPTIONS) == 0, page
        assert screenshot(browser, page, folder).stat().st_size > 10_000
    assert titles == {
        "overview": "Overview", "aging": "Aging", "customer": "Customer", "credit": "Credit",
        "worklist": "Worklist", "ratings": "Ratings", "reconciliation": "Reconciliation",
        "data": "Data",
    }  # fmt: skip
    charts = browser.evaluate("document.querySelectorAll('.js-plotly-plot').length")
    assert charts == 0  # the Data page draws none; the others were checked above
    errors = [e for e in browser.errors() if not any(n in e for n in OFFLINE_NOISE)]
    assert errors == []


def test_chinese_overview_draws_tiles_and_charts(server, browser, tmp_path):
    folder = Path(os.environ.get("REPORTGEN_SCREENSHOTS") or tmp_path)
    browser.open(server)
    browser.wait_until(RENDERED, timeout=60)
    _chinese(browser)
    time.sleep(1.5)
    tiles = browser.evaluate("document.querySelectorAll('[data-testid=\"stMetric\"]').length")
    plots = browser.evaluate("document.querySelectorAll('.js-plotly-plot .main-svg').length")
    assert tiles == 20 and plots >= 3
    assert browser.evaluate(EXCEPTIONS) == 0
    screenshot(browser, "overview-zh", folder)


def _chinese(browser: Browser) -> None:
    switch = (
        "(() => { const r = [...document.querySelectorAll('[data-testid=\"stRadioOption\"]')]"
        ".find(l => l.textContent.includes('中文')); r && r.click(); return !!r; })()"
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and browser.evaluate(RENDERED) != "总览":
        browser.evaluate(switch)
        time.sleep(1.0)
    assert browser.wait_until(f"{RENDERED} === '总览'", timeout=30)


def _open(browser: Browser, page: str) -> str:
    browser.evaluate(
        "(() => { const a = [...document.querySelectorAll('[data-testid=\"stSidebarNavLink\"]')]"
        f".find(l => l.getAttribute('href').endsWith('/{page}')); a.click(); }})()"
    )
    time.sleep(0.5)
    return browser.wait_until(RENDERED, timeout=60)


def test_chinese_collections_pages(server, browser, tmp_path):
    """The Worklist, Ratings and a customer's timeline in Chinese, drawn whole (a tall
    window: the tables, their headings and the timeline at the foot of the Customer page)."""
    folder = Path(os.environ.get("REPORTGEN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        session=True, width=1400, height=3600, deviceScaleFactor=1, mobile=False,
    )  # fmt: skip
    try:
        browser.open(server)
        browser.wait_until(RENDERED, timeout=60)
        _chinese(browser)
        for page, title in (("worklist", "催收工作清单"), ("ratings", "信用评级")):
            assert _open(browser, page) == title
            time.sleep(1.5)
            assert browser.evaluate(EXCEPTIONS) == 0, page
            assert browser.evaluate("document.querySelectorAll('[data-testid=\"stDataFrame\"]')"
                                    ".length") >= 1, page  # fmt: skip
            screenshot(browser, f"{page}-zh", folder)
        assert _open(browser, "customer") == "客户档案"
        search = "document.querySelector('[data-testid=\"stTextInput\"] input')"
        assert browser.wait_until(f"!!{search}", timeout=30)
        browser.evaluate(f"{search}.focus()")
        browser.call("Input.insertText", session=True, text="C0014")
        for kind in ("keyDown", "keyUp"):
            browser.call("Input.dispatchKeyEvent", session=True, type=kind, key="Enter",
                         code="Enter", windowsVirtualKeyCode=13)  # fmt: skip
        chosen = (
            "[...document.querySelectorAll('[data-testid=\"stMain\"] h2')]"
            ".some(h => h.textContent.includes('东莞汇通贸易有限公司'))"
        )
        heading = (
            "[...document.querySelectorAll('[data-testid=\"stMain\"] h3')]"
            ".some(h => h.textContent.startsWith('时间线'))"
        )
        assert browser.wait_until(f"{chosen} && {heading}", timeout=60)  # C0014's page
        time.sleep(1.5)
        assert browser.evaluate(EXCEPTIONS) == 0
        screenshot(browser, "customer-timeline-zh", folder)
    finally:
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            session=True, width=1400, height=1800, deviceScaleFactor=1, mobile=False,
        )  # fmt: skip
