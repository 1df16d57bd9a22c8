"""Charts of the ranked assessment report, as PNG bytes (for the PDF and the leadership
dashboard alike).

Drawn with matplotlib's object-oriented API on the Agg canvas: a `Figure` is made, saved
and dropped, never registered with pyplot, so no figure stays open and the "too many open
figures" warning cannot arise (it is switched off all the same). All text is drawn in
Noto Sans SC (registered with matplotlib's font manager on first use); names from the data
pass through `reports.fonts.drawable` and are never parsed as mathtext, so a name such as
``$x$`` shows as typed and no character triggers a missing-glyph warning.

Every chart function takes the report and a level ("unit", "service_point" or "cadre")
and returns PNG bytes, or None when the level has nothing to draw:

``composite_chart``
    Rated targets in rank order, each composite with its confidence interval as a whisker,
    coloured by grade, with the grade marks as lines. Up to `LABELLED_UP_TO` targets: a
    labelled dot-and-whisker chart ("rank. name" per row); more: a caterpillar plot over
    the ranks without per-target labels (readable for 2,000 cadres).
``funnel_chart``
    The funnel plot of SCORING.md from ``result["funnel"][group]``: satisfaction rate
    against n, the level's average rate, the 95% and 99.8% limits (the result's own limits
    at each target's n, joined by lines) and the high and low signals marked (named when
    there are at most `NAMED_SIGNALS_UP_TO` of them).
``indicator_heatmap``
    Targets × indicators (the composite's indicator scores). Selection rule
    (`heatmap_selection`): every target of the level that has indicator scores when there
    are at most `HEATMAP_ALL_UP_TO` (40), in the result's order; otherwise the
    `HEATMAP_EACH_END` (20) best and the 20 worst rated targets by rank, with a gap between.
``change_chart``
    Composite against the previous campaign's composite, with the diagonal "no change";
    None when `report.previous` knows none of the level's targets.

``level_charts(report, group) -> list[Chart]`` gives the charts of a level that have
something to show, each a `Chart(group, kind, title, png)`.

matplotlib, Pillow and numpy take about a second to import, so they are imported inside
the functions that draw: importing this module (as the app does) does not load them.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from .fonts import chinese_font_path, drawable
from .tables import (
    HEATMAP_ALL_UP_TO,
    HEATMAP_EACH_END,
    LABELLED_UP_TO,
    ReportInput,
    Row,
    format_share,
    labels,
    level_of,
    ranked_rows,
    scoring_params,
)

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

#: Signals of the funnel plot are named when there are at most this many.
NAMED_SIGNALS_UP_TO = 20
#: The change chart names every target up to this many, else the largest rises and falls.
CHANGE_NAMED_UP_TO = 30
CHANGE_NAMED_EXTREMES = 3
DPI = 150

GRADE_COLOURS = {
    "excellent": "#1a9850",
    "competent": "#3b6fb6",
    "basic": "#e08214",
    "incompetent": "#c62828",
}
UNRATED_COLOUR = "#9e9e9e"

#: Held while a chart is drawn (see chart_style).
_DRAWING = threading.RLock()


@dataclass(frozen=True)
class Chart:
    """A rendered chart: its level, its kind ("composite", "funnel", "indicators",
    "change"), its translated title and the PNG."""

    group: str
    kind: str
    title: str
    png: bytes


@cache
def font_family() -> str:
    """Noto Sans SC registered with matplotlib; returns its family name."""
    from matplotlib import font_manager

    path = str(chinese_font_path())
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


@contextmanager
def chart_style() -> Iterator[None]:
    """The look every chart of the reports shares, with the bundled CJK font. One chart
    at a time per process: matplotlib's rc_context changes its global settings, and a
    chart drawn meanwhile in another thread (a threaded server) would lose the font."""
    import matplotlib

    with (
        _DRAWING,
        matplotlib.rc_context(
            {
                "font.family": [font_family()],
                "font.size": 9,
                "axes.titlesize": 11,
                "axes.spines.top": False,
                "axes.spines.right": False,
                "text.parse_math": False,
                "text.usetex": False,
                "figure.max_open_warning": 0,
            }
        ),
    ):
        yield


def figure_png(figure: Figure, dpi: int) -> bytes:
    """The figure as an opaque RGB PNG (no alpha channel: smaller, and a PDF embeds it
    without a soft mask)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    figure.set_dpi(dpi)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", dpi=(dpi, dpi))
    figure.clear()
    return buffer.getvalue()


def _colour(row: Row) -> str:
    return GRADE_COLOURS.get(row.grade or "", UNRATED_COLOUR)


def _grade_legend(report: ReportInput, rows: Sequence[Row]) -> list[Line2D]:
    from matplotlib.lines import Line2D

    names = labels(report)
    present = {row.grade for row in rows}
    handles = [
        Line2D([], [], marker="o", linestyle="", color=colour, label=names.grades[grade])
        for grade, colour in GRADE_COLOURS.items()
        if grade in present
    ]
    if any(not row.rated for row in rows):
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                color=UNRATED_COLOUR,
                label=names.statuses["insufficient"],
            )
        )
    return handles


def _label(row: Row) -> str:
    name = drawable(row.name)
    return f"{row.rank}. {name}" if row.rank is not None else f"— {name}"


def _grade_marks(report: ReportInput) -> list[tuple[float, str, str]]:
    _ = report.gettext
    params = scoring_params(report)
    return [
        (params.fail_below, _("Incompetent below"), GRADE_COLOURS["incompetent"]),
        (params.basic_below, _("Basic below"), GRADE_COLOURS["basic"]),
        (params.excellent_min, _("Excellent from"), GRADE_COLOURS["excellent"]),
    ]


def composite_chart(
    report: ReportInput, group: str, *, titled: bool = True, dpi: int = DPI
) -> bytes | None:
    """Ranked composites with confidence whiskers (see the module); None without a rated
    target."""
    import numpy as np
    from matplotlib.figure import Figure

    rows = [row for row in ranked_rows(report, group) if row.rated and row.composite is not None]
    if not rows:
        return None
    _ = report.gettext
    composite = np.array([row.composite for row in rows], dtype=float)
    low = np.array([row.ci[0] if row.ci else row.composite for row in rows], dtype=float)
    high = np.array([row.ci[1] if row.ci else row.composite for row in rows], dtype=float)
    colours = [_colour(row) for row in rows]
    span = (float(low.min()) - 10, float(high.max()) + 10)
    marks = [mark for mark in _grade_marks(report) if span[0] <= mark[0] <= span[1]]
    count = len(rows)
    with chart_style():
        if count <= LABELLED_UP_TO:
            figure = Figure(figsize=(10, max(3.0, 0.27 * count + 1.6)), layout="constrained")
            axes = figure.add_subplot()
            position = np.arange(count)
            axes.hlines(position, low, high, colors=colours, linewidth=1.4, alpha=0.8)
            axes.scatter(composite, position, c=colours, s=26, zorder=3)
            axes.set_yticks(position, [_label(row) for row in rows])
            axes.set_ylim(count - 0.5, -0.5)
            axes.set_xlabel(_("Composite score"))
            for value, text, colour in marks:
                axes.axvline(value, color=colour, linestyle=":", linewidth=1, label=text)
        else:
            figure = Figure(figsize=(10, 5.4), layout="constrained")
            axes = figure.add_subplot()
            position = np.arange(1, count + 1)
            axes.vlines(
                position,
                low,
                high,
                colors=colours,
                linewidth=max(0.25, min(1.2, 300 / count)),
                alpha=0.45,
            )
            axes.scatter(
                position,
                composite,
                c=colours,
                s=max(1.5, min(14, 3000 / count)),
                linewidths=0,
                zorder=3,
            )
            axes.set_xlim(0, count + 1)
            axes.set_xlabel(_("Rank"))
            axes.set_ylabel(_("Composite score"))
            for value, text, colour in marks:
                axes.axhline(value, color=colour, linestyle=":", linewidth=1, label=text)
        handles = _grade_legend(report, rows) + axes.get_legend_handles_labels()[0]
        figure.legend(
            handles=handles, loc="outside lower center", ncols=min(len(handles), 4), frameon=False
        )
        if titled:
            axes.set_title(composite_title(report, group))
        return figure_png(figure, dpi)


def composite_title(report: ReportInput, group: str) -> str:
    _ = report.gettext
    return _("%(level)s: composite scores by rank, with %(confidence)s confidence intervals") % {
        "level": labels(report).group(group),
        "confidence": format_share(scoring_params(report).confidence),
    }


def _funnel_of(report: ReportInput, group: str) -> dict | None:
    level = level_of(group)
    for name, funnel in (report.result.get("funnel") or {}).items():
        if level_of(name) == level and funnel.get("targets"):
            return funnel
    return None


def funnel_title(report: ReportInput, group: str) -> str:
    _ = report.gettext
    names = labels(report)
    funnel = _funnel_of(report, group)
    category = funnel["category"] if funnel else scoring_params(report).funnel_category
    return _("%(level)s: funnel plot of the satisfaction rate (%(category)s)") % {
        "level": names.group(group),
        "category": names.category(category),
    }


def funnel_chart(
    report: ReportInput, group: str, *, titled: bool = True, dpi: int = DPI
) -> bytes | None:
    """The funnel plot of a level from the result's funnel (see the module); None when
    the result has no funnel for the level."""
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    funnel = _funnel_of(report, group)
    if funnel is None:
        return None
    _ = report.gettext
    names = labels(report)
    name_of = {row.id: row.name for row in ranked_rows(report, group)}
    ids = list(funnel["targets"])
    entries = [funnel["targets"][identifier] for identifier in ids]
    n = np.array([entry["n"] for entry in entries], dtype=float)
    p = np.array([entry["p"] for entry in entries], dtype=float)
    signal = [entry["signal"] for entry in entries]
    order = np.argsort(n, kind="stable")
    # The limits depend on n only: one point per distinct n, taken from the result.
    distinct, first = np.unique(n[order], return_index=True)
    at = order[first]

    def limit(key: str) -> np.ndarray:
        return np.array([entries[i][key] for i in at], dtype=float)

    with chart_style():
        figure = Figure(figsize=(10, 5.6), layout="constrained")
        axes = figure.add_subplot()
        style = {"marker": "_" if len(distinct) == 1 else None, "markersize": 14}
        axes.plot(
            distinct,
            limit("hi998"),
            color="#555555",
            linewidth=1.2,
            label=_("%(level)s limits") % {"level": "99.8%"},
            **style,
        )
        axes.plot(distinct, limit("lo998"), color="#555555", linewidth=1.2, **style)
        axes.plot(
            distinct,
            limit("hi95"),
            color="#888888",
            linewidth=1,
            linestyle="--",
            label=_("%(level)s limits") % {"level": "95%"},
            **style,
        )
        axes.plot(distinct, limit("lo95"), color="#888888", linewidth=1, linestyle="--", **style)
        axes.axhline(
            funnel["p_bar"],
            color="#3b6fb6",
            linewidth=1,
            label=_("Average rate %(rate)s") % {"rate": f"{100 * funnel['p_bar']:.1f}%"},
        )
        kinds = (
            ("within", "o", UNRATED_COLOUR, _("Within the limits")),
            (
                "high",
                "^",
                GRADE_COLOURS["excellent"],
                _("Above the %(level)s limit") % {"level": "99.8%"},
            ),
            (
                "low",
                "v",
                GRADE_COLOURS["incompetent"],
                _("Below the %(level)s limit") % {"level": "99.8%"},
            ),
        )
        size = max(4.0, min(30.0, 6000 / max(len(ids), 1)))
        for kind, marker, colour, text in kinds:
            chosen = [i for i, value in enumerate(signal) if value == kind]
            if chosen:
                axes.scatter(
                    n[chosen],
                    p[chosen],
                    marker=marker,
                    color=colour,
                    zorder=3,
                    label=text,
                    s=size if kind == "within" else max(size * 1.8, 18),
                    linewidths=0,
                    alpha=0.6 if kind == "within" else 0.9,
                )
        signals = [i for i, value in enumerate(signal) if value != "within"]
        if len(signals) <= NAMED_SIGNALS_UP_TO:
            for i in signals:
                axes.annotate(
                    drawable(name_of.get(ids[i], ids[i])),
                    (n[i], p[i]),
                    fontsize=7,
                    xytext=(4, 3),
                    textcoords="offset points",
                )
        axes.yaxis.set_major_formatter(PercentFormatter(1.0))
        axes.set_xlabel(
            _("Responses (%(category)s)") % {"category": names.category(funnel["category"])}
        )
        axes.set_ylabel(_("Satisfaction rate"))
        axes.set_xlim(left=0)
        bottom, top = axes.get_ylim()
        axes.set_ylim(max(bottom, -0.02), min(top, 1.02))
        figure.legend(loc="outside lower center", ncols=3, frameon=False)
        if titled:
            axes.set_title(funnel_title(report, group))
        return figure_png(figure, dpi)


def heatmap_selection(report: ReportInput, group: str) -> tuple[list[Row], int | None, int]:
    """The rows of the heat map, the position of the gap (None when all are shown) and
    the number of rows left out. Rule: all rows with indicator scores when at most
    HEATMAP_ALL_UP_TO, else the HEATMAP_EACH_END best and worst rated rows by rank."""
    rows = [row for row in ranked_rows(report, group) if row.indicators]
    if len(rows) <= HEATMAP_ALL_UP_TO:
        return rows, None, 0
    rated = [row for row in rows if row.rated]
    if len(rated) <= 2 * HEATMAP_EACH_END:
        return rated, None, len(rows) - len(rated)
    chosen = rated[:HEATMAP_EACH_END] + rated[-HEATMAP_EACH_END:]
    return chosen, HEATMAP_EACH_END, len(rows) - len(chosen)


def heatmap_title(report: ReportInput, group: str) -> str:
    _ = report.gettext
    level = labels(report).group(group)
    _rows, gap, _left = heatmap_selection(report, group)
    if gap is None:
        return _("%(level)s: indicator scores") % {"level": level}
    return _("%(level)s: indicator scores of the %(count)s best and %(count)s worst") % {
        "level": level,
        "count": HEATMAP_EACH_END,
    }


def indicator_heatmap(
    report: ReportInput, group: str, *, titled: bool = True, dpi: int = DPI
) -> bytes | None:
    """Targets × indicators (see the module); None when no target has indicator scores."""
    import matplotlib
    import numpy as np
    from matplotlib.figure import Figure

    rows, gap, left_out = heatmap_selection(report, group)
    if not rows:
        return None
    _ = report.gettext
    names = labels(report)
    indicators: list[str] = []
    for row in rows:
        indicators += [key for key in row.indicators if key not in indicators]
    values = np.array(
        [[row.indicators.get(key, math.nan) for key in indicators] for row in rows], dtype=float
    )
    finite = values[np.isfinite(values)]
    low = 5 * math.floor(float(finite.min()) / 5)
    high = 5 * math.ceil(float(finite.max()) / 5)
    if high <= low:
        low, high = low - 5, high + 5
    with chart_style():
        width = min(14.0, max(10.0, 3.0 + 1.2 * len(indicators)))
        figure = Figure(figsize=(width, max(3.2, 0.18 * len(rows) + 1.6)), layout="constrained")
        axes = figure.add_subplot()
        colour_map = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#dddddd")
        image = axes.imshow(
            np.ma.masked_invalid(values),
            cmap=colour_map,
            vmin=low,
            vmax=high,
            aspect="auto",
            interpolation="nearest",
        )
        slanted = len(indicators) > 5
        axes.set_xticks(
            np.arange(len(indicators)),
            [drawable(names.indicator(key)) for key in indicators],
            rotation=30 if slanted else 0,
            ha="right" if slanted else "center",
        )
        axes.set_yticks(np.arange(len(rows)), [_label(row) for row in rows])
        axes.tick_params(length=0)
        for side in ("top", "right", "bottom", "left"):
            axes.spines[side].set_visible(False)
        if len(indicators) <= 12:
            for i in range(len(rows)):
                for j in range(len(indicators)):
                    if math.isfinite(values[i, j]):
                        axes.text(
                            j,
                            i,
                            f"{values[i, j]:.1f}",
                            ha="center",
                            va="center",
                            fontsize=7,
                            color="#111111",
                        )
        if gap is not None:
            axes.axhline(gap - 0.5, color="white", linewidth=9)
            axes.text(
                (len(indicators) - 1) / 2,
                gap - 0.5,
                _("… %(count)s targets not shown …") % {"count": left_out},
                ha="center",
                va="center",
                fontsize=7,
                color="#333333",
            )
        figure.colorbar(image, ax=axes, shrink=0.8, label=_("Indicator score"))
        if titled:
            axes.set_title(heatmap_title(report, group))
        return figure_png(figure, dpi)


def change_title(report: ReportInput, group: str) -> str:
    _ = report.gettext
    return _("%(level)s: composite score against the previous campaign") % {
        "level": labels(report).group(group)
    }


def change_chart(
    report: ReportInput, group: str, *, titled: bool = True, dpi: int = DPI
) -> bytes | None:
    """This campaign's composite against the previous one (see the module); None when no
    target of the level has both."""
    import numpy as np
    from matplotlib.figure import Figure

    rows = [
        row
        for row in ranked_rows(report, group)
        if row.composite is not None and row.previous is not None
    ]
    if not rows:
        return None
    _ = report.gettext
    before = np.array([row.previous for row in rows], dtype=float)
    after = np.array([row.composite for row in rows], dtype=float)
    lowest = math.floor(min(before.min(), after.min())) - 1
    highest = math.ceil(max(before.max(), after.max())) + 1
    with chart_style():
        figure = Figure(figsize=(8.5, 6.8), layout="constrained")
        axes = figure.add_subplot()
        axes.plot(
            [lowest, highest],
            [lowest, highest],
            color="#888888",
            linewidth=1,
            linestyle="--",
            label=_("No change"),
        )
        axes.scatter(
            before,
            after,
            c=[_colour(row) for row in rows],
            s=max(4.0, min(30.0, 6000 / len(rows))),
            linewidths=0,
            zorder=3,
        )
        if len(rows) <= CHANGE_NAMED_UP_TO:
            named = range(len(rows))
        else:
            order = np.argsort(after - before, kind="stable")
            named = [*order[:CHANGE_NAMED_EXTREMES], *order[-CHANGE_NAMED_EXTREMES:]]
        for i in named:
            axes.annotate(
                drawable(rows[i].name),
                (before[i], after[i]),
                fontsize=7,
                xytext=(4, 3),
                textcoords="offset points",
            )
        axes.set_xlim(lowest, highest)
        axes.set_ylim(lowest, highest)
        axes.set_aspect("equal")
        axes.set_xlabel(_("Composite in the previous campaign"))
        axes.set_ylabel(_("Composite in this campaign"))
        handles = _grade_legend(report, rows) + axes.get_legend_handles_labels()[0]
        figure.legend(
            handles=handles, loc="outside lower center", ncols=min(len(handles), 5), frameon=False
        )
        if titled:
            axes.set_title(change_title(report, group))
        return figure_png(figure, dpi)


def level_charts(
    report: ReportInput, group: str, *, titled: bool = True, dpi: int = DPI
) -> list[Chart]:
    """The charts of a level that have something to show, in the report's order."""
    charts = []
    for kind, draw, title in (
        ("composite", composite_chart, composite_title),
        ("funnel", funnel_chart, funnel_title),
        ("indicators", indicator_heatmap, heatmap_title),
        ("change", change_chart, change_title),
    ):
        png = draw(report, group, titled=titled, dpi=dpi)
        if png is not None:
            charts.append(Chart(level_of(group), kind, title(report, group), png))
    return charts
