"""Charts over time: one target's composite across campaigns (a cadre's trend), and a
campaign's responses day by day (the leadership dashboard). matplotlib loads on the first
chart drawn, not when this module is imported (see `reports.charts`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .charts import chart_style, figure_png


@dataclass(frozen=True)
class TrendPoint:
    """A campaign's result: its label, the composite and its interval (None when unrated
    or undefined)."""

    label: str
    composite: float | None
    ci: tuple[float, float] | None = None


def trend_chart(points: Sequence[TrendPoint], *, title: str, axis_label: str) -> bytes:
    """PNG: composite per campaign, oldest first, whiskers for the interval; a campaign
    without a composite leaves a gap."""
    from matplotlib.figure import Figure

    with chart_style():
        figure = Figure(figsize=(6.4, 2.8))
        axes = figure.add_subplot()
        positions = list(range(len(points)))
        shown = [(x, p) for x, p in zip(positions, points, strict=True) if p.composite is not None]
        if shown:
            xs = [x for x, _ in shown]
            ys = [p.composite for _, p in shown]
            low = [p.composite - p.ci[0] if p.ci else 0.0 for _, p in shown]
            high = [p.ci[1] - p.composite if p.ci else 0.0 for _, p in shown]
            axes.errorbar(xs, ys, yerr=[low, high], fmt="o", color="#8b1a1a", capsize=4)
            for (x0, y0), (x1, y1) in zip(zip(xs, ys), zip(xs[1:], ys[1:])):  # noqa: B905
                if x1 == x0 + 1:  # a campaign without a composite breaks the line
                    axes.plot([x0, x1], [y0, y1], color="#8b1a1a")
            for x, y in zip(xs, ys, strict=True):
                axes.annotate(f"{y:.1f}", (x, y), textcoords="offset points", xytext=(6, 6))
        axes.set_xticks(positions, [p.label for p in points])
        axes.set_xlim(-0.5, max(0.5, len(points) - 0.5))
        axes.set_ylim(0, 100)
        axes.set_ylabel(axis_label)
        axes.set_title(title)
        axes.grid(axis="y", alpha=0.3)
        figure.tight_layout()
        return figure_png(figure, 120)


def daily_chart(
    days: Sequence[str], series: Mapping[str, Sequence[int]], *, title: str, axis_label: str
) -> bytes:
    """PNG: stacked bars of responses per day, one colour per series (e.g. category)."""
    from matplotlib.figure import Figure

    colours = ["#8b1a1a", "#3b6fb6", "#1a9850", "#8a5a00", "#6b7280"]
    with chart_style():
        figure = Figure(figsize=(7.2, 2.8))
        axes = figure.add_subplot()
        positions = list(range(len(days)))
        bottom = [0] * len(days)
        for number, (label, counts) in enumerate(series.items()):
            axes.bar(positions, counts, bottom=bottom, label=label, color=colours[number % 5])
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        step = max(1, len(days) // 12)
        axes.set_xticks(positions[::step], [day[5:] for day in days[::step]])
        axes.set_ylabel(axis_label)
        axes.set_title(title)
        if series:
            axes.legend(frameon=False, fontsize=8)
        axes.grid(axis="y", alpha=0.3)
        figure.tight_layout()
        return figure_png(figure, 120)
