"""Time the dashboard on a large ledger: the first view, filter changes, every page — the
Worklist, Ratings and a customer's timeline too (AppTest).

    uv run python dashboard/measure.py bench/data/1000000

Prints seconds per step; caches are warm only from what the steps before computed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent / "app.py")


def main(data: str) -> None:
    os.environ["REPORTGEN_DATA"] = str(Path(data).resolve())
    at = AppTest.from_file(APP, default_timeout=600)

    def step(name: str, action) -> None:
        start = time.perf_counter()
        action()
        assert not at.exception, [e.message for e in at.exception]
        print(f"{name:<46} {time.perf_counter() - start:6.2f} s", flush=True)

    step("first view (load, KPIs, aging, trend)", at.run)
    segment = at.multiselect(key="filter_segment").options[0]
    step(
        f"segment filter {segment} (new)",
        lambda: at.multiselect(key="filter_segment").set_value([segment]).run(),
    )
    step(
        "segment filter cleared (cached)",
        lambda: at.multiselect(key="filter_segment").set_value([]).run(),
    )
    step(
        f"segment filter {segment} again (cached)",
        lambda: at.multiselect(key="filter_segment").set_value([segment]).run(),
    )
    owner = at.multiselect(key="filter_owner").options[0]
    step(
        f"+ owner filter {owner} (new)",
        lambda: at.multiselect(key="filter_owner").set_value([owner]).run(),
    )
    step(
        "filters cleared (cached)",
        lambda: (
            at.multiselect(key="filter_segment").set_value([]),
            at.multiselect(key="filter_owner").set_value([]).run(),
        ),
    )
    step("language 中文 (cached)", lambda: at.radio(key="lang").set_value("zh").run())
    step("Aging page", lambda: at.switch_page("sections/aging.py").run())
    step("Aging by segment", lambda: at.selectbox(key="aging_by").set_value("segment").run())
    step("Credit page", lambda: at.switch_page("sections/credit.py").run())
    # issue 7: the worklist (ratings of D's month for its priority), its filters, the
    # ratings of the period, then a customer's timeline (12 periods of ratings)
    step("Worklist page", lambda: at.switch_page("sections/worklist.py").run())
    step(
        "Worklist: status late, 90+ days (filter)",
        lambda: (
            at.multiselect(key="worklist_status").set_value(["late"]),
            at.number_input(key="worklist_min_days").set_value(90).run(),
        ),
    )
    step("Worklist in English", lambda: at.radio(key="lang").set_value("en").run())
    step("Ratings page", lambda: at.switch_page("sections/ratings.py").run())
    step(
        "Ratings: downgrades (filter)",
        lambda: at.multiselect(key="ratings_change").set_value(["down"]).run(),
    )
    step("Customer page (with its timeline)", lambda: at.switch_page("sections/customer.py").run())
    pick = at.selectbox(key="customer_pick")
    other = pick.options[min(1, len(pick.options) - 1)].split(" · ")[0]  # "id · name"
    step("another customer (behaviour, timeline)", lambda: pick.set_value(other).run())
    step("Overview again (cached)", lambda: at.switch_page("sections/overview.py").run())


if __name__ == "__main__":
    main(sys.argv[1])
