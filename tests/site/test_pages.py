"""Rendered Markdown pages of the sample company at fixed periods (2025-11 and 2025-12),
compared with reviewed snapshots in `tests/site/snapshots/<lang>/`.

After a deliberate change (of the pages, the sample data or a figure), regenerate them with

    REPORTGEN_UPDATE_SNAPSHOTS=1 uv run --extra dev pytest -q tests/site/test_pages.py

and review the diff before committing it. Nothing in a page is volatile: no build time, and
the as-of date and input checksums come from the data."""

from __future__ import annotations

import os
import re

import pytest
from site_helpers import SNAPSHOTS, sample_data

from reportgen.report.lang import LANGS, Lang
from reportgen.report.render import Renderer

UPDATE = os.environ.get("REPORTGEN_UPDATE_SNAPSHOTS") == "1"


def pages(lang: str) -> dict:
    data = sample_data()
    renderer = Renderer(data, Lang(lang, data.ds.base_currency, data.ds.digits))
    first_key = data.key_accounts.row(0, named=True)
    chosen = [
        renderer.home(),
        renderer.reviews_index(),
        *[renderer.review(p) for p in data.reviews],
        renderer.customers_index(),
        renderer.customer(first_key["customer_id"], first_key["slug"]),
        renderer.methodology(),
        renderer.quality(),
    ]
    return {page.path: page.markdown for page in chosen}


@pytest.mark.parametrize("lang", LANGS)
def test_pages_match_the_reviewed_snapshots(lang):
    rendered = pages(lang)
    folder = SNAPSHOTS / lang
    if UPDATE:
        for path, text in rendered.items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    stored = {p.relative_to(folder).as_posix() for p in folder.rglob("*.md")}
    assert stored == set(rendered), "pages added or gone: regenerate the snapshots"
    for path, text in rendered.items():
        expected = (folder / path).read_text(encoding="utf-8")
        assert text == expected, f"{lang}/{path} differs from its snapshot"


def test_rendering_twice_gives_the_same_text():
    assert pages("zh") == pages("zh")


def test_chinese_pages_are_chinese():
    """Headings and column headings carry no English (the data's own text may)."""
    for path, text in pages("zh").items():
        lines = text.splitlines()
        # headings, but a credit file's title: that is the customer's name
        labels = [
            line
            for line in lines
            if line.startswith("##")
            or (line.startswith("# ") and not path.startswith("customers/C"))
        ]
        labels += [lines[k - 1] for k, line in enumerate(lines) if line.startswith("|---")]
        for label in labels:
            assert not re.search(r"\b(?!DSO|BPDSO|ADD|CEI|SHA|KPI)[A-Za-z]{3,}", label), (
                path,
                label,
            )
