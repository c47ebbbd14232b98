"""The browser tests' Chromium: reportgen's own (reportgen/browser.py), plus what only the
tests need — console errors, uncaught exceptions and failed loads, and JavaScript to evaluate."""

from __future__ import annotations

import json
import time

from reportgen import browser
from reportgen.browser import chromium

__all__ = ["Browser", "chromium"]


class Browser(browser.Browser):
    def __init__(self, executable: str):
        super().__init__(executable)
        for domain in ("Runtime", "Log"):
            self.call(f"{domain}.enable", session=True)

    def evaluate(self, expression: str, timeout: float = 10):
        """The value of a JavaScript expression (awaited when it is a promise)."""
        result = self.call(
            "Runtime.evaluate",
            session=True,
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
            timeout=timeout * 1000,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def wait_until(self, expression: str, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except RuntimeError as exc:  # asked while a redirect replaced the page: ask again
                if "navigated or closed" not in str(exc):
                    raise
                value = None
            if value:
                return value
            time.sleep(0.2)
        return self.evaluate(expression)

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and failed loads since the page was opened."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(json.dumps(params["exceptionDetails"])[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                found.append(json.dumps(params.get("args"))[:500])
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                found.append(f"{entry.get('text')} {entry.get('url', '')}")
        return found
