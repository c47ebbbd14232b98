"""Headless Chromium through the DevTools protocol: prints HTML pages to PDF (the letters) and
drives the browser tests of the site and the dashboard.

One browser serves many pages: starting Chromium costs about a second, a page a fraction of
that. Chromium is the system's (`chromium`, `chromium-browser`, Google Chrome, or the path in
`REPORTGEN_CHROMIUM`); nothing is downloaded. CJK text needs a CJK font on the system (Debian:
`fonts-wqy-microhei` or `fonts-noto-cjk`).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ENV = "REPORTGEN_CHROMIUM"
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: apt-get install chromium fonts-wqy-microhei) "
    f"or set {ENV} to the path of a Chromium or Chrome executable"
)
# no background traffic to a network that may not be there; --no-sandbox because CI runs as root
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--window-size=1280,1000",
)


def chromium() -> str | None:
    """The Chromium to use: `REPORTGEN_CHROMIUM` when set, else the first one on PATH."""
    given = os.environ.get(ENV)
    if given:
        return shutil.which(given)
    return next((found for name in NAMES if (found := shutil.which(name))), None)


class Browser:
    """One headless Chromium with one tab; use as a context manager."""

    def __init__(self, executable: str | None = None):
        import websocket  # only when a browser is wanted

        executable = executable or chromium()
        if executable is None:
            raise RuntimeError(f"Chromium was not found: {INSTALL_HINT}")
        self.profile = tempfile.mkdtemp(prefix="reportgen-chromium-")
        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.is_file() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError(f"Chromium ({executable}) did not start")
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}{path}", timeout=60, suppress_origin=True
        )
        self.ids = itertools.count(1)
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.call("Page.enable", session=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def call(self, method: str, session: bool = False, **params) -> dict:
        message_id = next(self.ids)
        message = {"id": message_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        self.ws.settimeout(timeout)
        while time.monotonic() < deadline:
            event = json.loads(self.ws.recv())
            self.events.append(event)
            if event.get("method") == method:
                return event
        raise TimeoutError(method)

    def open(self, url: str) -> None:
        """Go to `url` and wait until it has loaded."""
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired")

    def pdf(self, page: Path) -> bytes:
        """The HTML file `page` printed to PDF: the page's own `@page` size and margins, A4
        where it gives none, backgrounds printed."""
        self.open(page.resolve().as_uri())
        result = self.call(
            "Page.printToPDF",
            session=True,
            printBackground=True,
            preferCSSPageSize=True,
            paperWidth=8.27,  # A4, in inches
            paperHeight=11.69,
        )
        return base64.b64decode(result["data"])

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)
