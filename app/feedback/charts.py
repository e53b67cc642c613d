"""Server-rendered SVG charts (stacked bars, a line): no chart library on the phone.

Colours come from classes in app.css (the CSP forbids inline styles); every chart carries a
title for screen readers, and each page also shows the numbers in a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 320, 160
LEFT, BOTTOM, TOP = 30, 20, 8


def _svg(title: str, body: list[str]) -> Markup:
    return Markup(  # noqa: S704  (every text part below is escaped)
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(body)}</svg>')


def _nice_max(value: float) -> float:
    """A round top for the axis: 1, 2, 5 × a power of ten."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _axis(top: float, unit: str = "") -> list[str]:
    plot_h = HEIGHT - BOTTOM - TOP
    out = [f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH}" '
           f'y2="{TOP + plot_h}"/>']
    for frac in (0.5, 1):
        y = TOP + plot_h * (1 - frac)
        label = f"{top * frac:g}{unit}"
        out.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH}" y2="{y:.1f}"/>'
                   f'<text class="tick" x="{LEFT - 3}" y="{y + 4:.1f}">{escape(label)}</text>')
    return out


def stacked_bars(title: str, labels: Sequence[str],
                 series: Sequence[tuple[str, Sequence[int]]]) -> Markup:
    """One bar per label, its parts stacked; `series` is (css class, values) per part."""
    totals = [sum(values[i] for _cls, values in series) for i in range(len(labels))]
    top = _nice_max(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(labels), 1)
    bar = slot * 0.7
    body = _axis(top)
    for i, label in enumerate(labels):
        x = LEFT + i * slot + (slot - bar) / 2
        base: float = TOP + plot_h
        for css, values in series:
            h = plot_h * values[i] / top
            if h > 0:
                base -= h
                body.append(f'<rect class="{escape(css)}" x="{x:.1f}" y="{base:.1f}" '
                            f'width="{bar:.1f}" height="{h:.1f}"/>')
        body.append(f'<text class="lbl" x="{x + bar / 2:.1f}" y="{HEIGHT - 5}">'
                    f'{escape(label)}</text>')
    return _svg(title, body)


def line(title: str, labels: Sequence[str], values: Sequence[float | None]) -> Markup:
    """Percentages (0..1) as a line with dots; gaps where a month has no data."""
    plot_w, plot_h = WIDTH - LEFT, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(labels), 1)
    body = _axis(100, "%")
    points: list[str] = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + i * slot + slot / 2
        body.append(f'<text class="lbl" x="{x:.1f}" y="{HEIGHT - 5}">{escape(label)}</text>')
        if value is None:
            if len(points) > 1:
                body.append(f'<polyline class="ln" points="{" ".join(points)}"/>')
            points = []
            continue
        y = TOP + plot_h * (1 - value)
        points.append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3"/>')
    if len(points) > 1:
        body.append(f'<polyline class="ln" points="{" ".join(points)}"/>')
    return _svg(title, body)
