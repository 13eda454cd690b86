"""Charts for the medvirkningsrapport and the planners' summary: inputs over time, by
category, by channel, by age group — PNG for Word, SVG (text kept as text) for a page.

A chart draws only what a table may show: its bars take the counts *as shown*
(``analysis.suppress_small``), so a group under five arrives as «< 5» and is drawn as a
hatched, outlined bar reaching to five with the label «< 5» — never its own height.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib
import pandas as pd

from ..casework.analysis import SMALL_GROUP, SMALL_LABEL
from ..i18n import t

BLUE = "#1f4e79"
WEEKLY_AFTER_DAYS = 42  # a longer period is drawn per week: 60 daily bars say less


def _figure(rows: int):
    from matplotlib.figure import Figure

    return Figure(figsize=(7, max(1.6, 0.9 + 0.32 * rows)), dpi=150)


def bar_chart(title: str, rows: Sequence[tuple[str, int | str]], axis_label: str):
    """Horizontal bars, one per ``(label, count shown)``, in the given order (first on
    top). A count shown as «< 5» is a hatched outline to five, labelled «< 5»."""
    fig = _figure(len(rows))
    ax = fig.add_subplot()
    labels = [str(label) for label, _ in rows]
    positions = list(range(len(rows)))[::-1]
    peak = max([SMALL_GROUP, *[v for _, v in rows if isinstance(v, int)]])
    for y, (_, shown) in zip(positions, rows, strict=True):
        if isinstance(shown, int):
            ax.barh(y, shown, color=BLUE, height=0.6)
            ax.annotate(str(shown), (shown, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
        else:  # «< 5»: a range, not a height
            ax.barh(y, SMALL_GROUP, color="none", edgecolor=BLUE, hatch="///", linestyle="--", height=0.6)
            ax.annotate(
                SMALL_LABEL,
                (SMALL_GROUP, y),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                style="italic",
            )
    ax.set_yticks(positions, labels, fontsize=8)
    ax.set_xlim(0, peak * 1.15 + 1)
    ax.set_xlabel(axis_label, fontsize=8)
    ax.set_title(title, fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="x", labelsize=8)
    return fig


def time_chart(title: str, per_day: pd.DataFrame, lang: str):
    """Inputs per day (``analysis.per_day``), or per week (Monday) over a longer period."""
    fig = _figure(6)
    ax = fig.add_subplot()
    days = (
        pd.to_datetime(pd.Series(per_day["day"], dtype=object)) if len(per_day) else pd.Series(dtype="datetime64[ns]")
    )
    counts = per_day["inputs"].to_numpy() if len(per_day) else []
    if len(days) and (days.iloc[-1] - days.iloc[0]).days > WEEKLY_AFTER_DAYS:
        weekly = pd.Series(counts, index=days).resample("W-MON", label="left", closed="left").sum()
        ax.bar(weekly.index, weekly.to_numpy(), width=6, color=BLUE, align="edge")
        ax.set_ylabel(t("charts.per_week", lang), fontsize=8)
    else:
        ax.bar(days, counts, width=0.8, color=BLUE)
        ax.set_ylabel(t("charts.per_day", lang), fontsize=8)
    ax.set_title(title, fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    fig.autofmt_xdate()
    return fig


def render(fig, fmt: str) -> bytes:
    """``png`` (Word, PDF) or ``svg`` (a page; text stays text, for screen readers and search)."""
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "kartinnspill"}):
        fig.tight_layout()
        fig.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()
