"""Chart specifications as plain Plotly figure dicts (data, layout, config).

The site ships plotly.min.js and a few lines of script that draw every spec found on a page
(`site/assets/javascripts/reportgen.js`), so charts need neither a CDN nor the plotly Python
package at build time. Specs carry only numbers and our own labels, never customer text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

# aging buckets from healthy to bad: green, then yellow to dark red
BUCKET_COLOURS = {
    "not_due": "#2e7d32",
    "1-30": "#c0ca33",
    "31-60": "#fbc02d",
    "61-90": "#fb8c00",
    "91-120": "#e53935",
    "121+": "#8e0000",
}
SERIES_COLOURS = ("#1565c0", "#ef6c00", "#6a1b9a", "#2e7d32", "#c62828")
HEIGHT = 360


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | Decimal | int | None]
    colour: str | None = None


def _numbers(values: Sequence[float | Decimal | int | None]) -> list[float | None]:
    """JSON numbers: exact decimals become floats for drawing only (tables show the exact
    values); blanks stay gaps."""
    return [None if v is None else round(float(v), 4) for v in values]


def _layout(title: str, y_title: str, *, barmode: str | None = None, percent: bool = False):
    layout: dict = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "height": HEIGHT,
        "margin": {"l": 70, "r": 20, "t": 50, "b": 60},
        "xaxis": {"type": "category", "automargin": True},
        "yaxis": {
            "title": {"text": y_title},
            "tickformat": ",.1f" if percent else ",.0f",
            "rangemode": "tozero",
            "automargin": True,
        },
        # at the foot of the figure, not of the plot: a legend just below the plot would
        # cover the axis labels whenever they are rotated (plotly.js issue 7415)
        "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
        "hovermode": "x unified",
        "separators": ".,",
    }
    if barmode:
        layout["barmode"] = barmode
    return layout


def bar_chart(
    title: str,
    x: Sequence[str],
    series: Sequence[Series],
    *,
    y_title: str,
    unit: str,
    stacked: bool = False,
) -> dict:
    """Bars per category, side by side or stacked (an amount split into parts)."""
    data = [
        {
            "type": "bar",
            "name": s.name,
            "x": list(x),
            "y": _numbers(s.values),
            "hovertemplate": f"%{{y:,.2f}} {unit}",
            **({"marker": {"color": s.colour}} if s.colour else {}),
        }
        for s in series
    ]
    layout = _layout(title, y_title, barmode="stack" if stacked else "group")
    return {"data": data, "layout": layout, "config": CONFIG}


def line_chart(
    title: str,
    x: Sequence[str],
    series: Sequence[Series],
    *,
    y_title: str,
    unit: str,
    percent: bool = False,
) -> dict:
    """One line per series over the periods; a blank value is a gap, not a zero."""
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": s.name,
            "x": list(x),
            "y": _numbers(s.values),
            "hovertemplate": f"%{{y:,.1f}} {unit}".rstrip(),
            "line": {"color": s.colour or SERIES_COLOURS[k % len(SERIES_COLOURS)]},
        }
        for k, s in enumerate(series)
    ]
    layout = _layout(title, y_title, percent=percent)
    if not percent:
        layout["yaxis"]["tickformat"] = ",.0f"
    return {"data": data, "layout": layout, "config": CONFIG}


CONFIG = {"displaylogo": False, "responsive": True}
