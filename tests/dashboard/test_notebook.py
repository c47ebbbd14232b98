"""notebooks/credit_review.ipynb runs top to bottom (nbclient, a fresh kernel) and shows the
same figures as the core."""

from __future__ import annotations

import os

import nbformat
from dashboard_helpers import ROOT, SAMPLE
from nbclient import NotebookClient

NOTEBOOK = ROOT / "notebooks" / "credit_review.ipynb"


def test_the_notebook_runs_top_to_bottom(monkeypatch):
    monkeypatch.setenv("REPORTGEN_DATA", str(SAMPLE))
    monkeypatch.setenv("REPORTGEN_AS_OF", "2025-12-31")
    book = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        book,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()
    outputs = [o for cell in book.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "base currency CNY, 25,001 invoices" in text
    assert "'AR at end': '86,881,617.91'" in text  # reportgen kpis --period 2025-12
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) for o in outputs)
    assert os.environ["REPORTGEN_DATA"] == str(SAMPLE)
