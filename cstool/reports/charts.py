"""Bar and line charts as inline SVG, drawn here in Python: no script, no font, no file
beside the page. Every text is an SVG ``<text>`` element, so the browser draws it with the
page's font stack (Chinese included) and it prints sharp at any size. Every text passed
in is escaped: names and categories come from tickets and config."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from cstool.reports.render import truncate
from cstool.reports.render import width as text_width

PALETTE = ("#2f6db5", "#e08a2c", "#3a9a5b", "#c0392b", "#7d5ba6")
W = 520          # the viewBox width; the page scales it to the column
FONT = 12
CHAR = 7.0       # width of one display column (a CJK character counts two) at FONT


def ticks(peak: float) -> tuple[float, float]:
    """The axis end and the step between grid lines: a 1, 2 or 5 × 10^k step giving at most
    five lines, at least 1 (the charts count tickets and days)."""
    raw = max(peak, 1) / 5
    exp = 10 ** math.floor(math.log10(raw))
    step = next(m * exp for m in (1, 2, 5, 10) if raw <= m * exp)
    step = max(step, 1)
    return step * max(math.ceil(peak / step), 1), step


def fmt(value: float | None) -> str:
    """A figure as the charts write it: integers without decimals, else one decimal."""
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = FONT, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"{klass}>'
            f"{escape(text)}</text>")


def _svg(height: float, title: str, body: list[str]) -> str:
    return (f'<svg class="chart" viewBox="0 0 {W} {height:.0f}" role="img" aria-label="{escape(title)}" '
            f'preserveAspectRatio="xMidYMid meet"><title>{escape(title)}</title>{"".join(body)}</svg>')


def _empty(title: str, empty: str) -> str:
    return _svg(60, title, [_text(W / 2, 35, empty, "middle", cls="muted")])


def _legend(series: Sequence[tuple[str, object]], y: float) -> list[str]:
    out, x = [], 50.0
    for i, (name, _) in enumerate(series):
        out.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(_text(x + 16, y, name))
        x += 16 + text_width(name) * CHAR + 24
    return out


def _y_axis(left: float, top: float, bottom: float, right: float, top_value: float, step: float,
            unit: str) -> list[str]:
    out = []
    n = round(top_value / step)
    for k in range(n + 1):
        value = step * k
        y = bottom - (bottom - top) * k / n
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" class="grid"/>')
        out.append(_text(left - 6, y + 4, fmt(value) + unit, "end", 10, "muted"))
    return out


def _x_labels(labels: Sequence[str], xs: Sequence[float], y: float, room: float) -> list[str]:
    """Category labels under the axis, every n-th one when they would overlap."""
    widest = max((text_width(s) for s in labels), default=1) * 6.5 + 8
    step = max(1, math.ceil(widest / max(room, 1)))
    return [_text(x, y, s, "middle", 11) for i, (s, x) in enumerate(zip(labels, xs)) if i % step == 0]


def bars(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], title: str, empty: str,
         unit: str = "") -> str:
    """Vertical bars, one group per label, one bar per series (with a legend for several)."""
    if not labels or not any(v for _, values in series for v in values):
        return _empty(title, empty)
    height, left, right, top = 260.0, 44.0, W - 10.0, 30.0
    bottom = height - 40
    peak = max((v or 0) for _, values in series for v in values)
    top_value, step = ticks(peak)
    slot = (right - left) / len(labels)
    bar = max(min(slot * 0.8 / len(series), 28), 1)
    body = _y_axis(left, top, bottom, right, top_value, step, unit)
    if len(series) > 1:
        body += _legend(series, 16)
    for s, (name, values) in enumerate(series):
        for i, value in enumerate(values):
            if not value:
                continue
            h = (bottom - top) * min(value, top_value) / top_value
            x = left + slot * i + (slot - bar * len(series)) / 2 + bar * s
            body.append(f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                        f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(f"{labels[i]} {name}: {fmt(value)}{unit}")}'
                        f"</title></rect>")
            if bar >= 14:
                body.append(_text(x + bar / 2, bottom - h - 3, fmt(value), "middle", 10))
    centres = [left + slot * (i + 0.5) for i in range(len(labels))]
    body.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" class="axis"/>')
    body += _x_labels(labels, centres, bottom + 16, slot)
    return _svg(height, title, body)


def hbars(labels: Sequence[str], values: Sequence[float | None], title: str, empty: str, unit: str = "",
          top_value: float | None = None) -> str:
    """Horizontal bars, one per label, the value written at the end of each bar; a label
    too long for its column is cut short (the tooltip and the table keep it whole)."""
    if not labels or not any(v is not None for v in values):
        return _empty(title, empty)
    row = 24.0
    left = min(max(text_width(s) for s in labels) * CHAR + 16, W * 0.4)
    right = W - 60.0
    height = row * len(labels) + 16
    top_value = top_value or ticks(max((v or 0) for v in values))[0]
    body = []
    for i, (name, value) in enumerate(zip(labels, values)):
        y = 8 + row * i
        body.append(_text(left - 8, y + 15, truncate(name, int((left - 16) / CHAR)), "end"))
        w = 0.0 if value is None else (right - left) * min(value, top_value) / top_value
        if w > 0:
            body.append(f'<rect x="{left:.1f}" y="{y + 3:.1f}" width="{w:.1f}" height="{row - 8:.1f}" '
                        f'fill="{PALETTE[0]}"><title>{escape(f"{name}: {fmt(value)}{unit}")}</title></rect>')
        body.append(_text(left + w + 5, y + 15, fmt(value) + (unit if value is not None else ""), cls="value"))
    body.append(f'<line x1="{left:.1f}" y1="4" x2="{left:.1f}" y2="{height - 8:.1f}" class="axis"/>')
    return _svg(height, title, body)


def lines(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], title: str, empty: str,
          unit: str = "%", top_value: float = 100.0) -> str:
    """Lines over the labels, one per series, with a dot on every figure; a missing figure
    (None: nothing was measured) breaks the line."""
    if not labels or not any(v is not None for _, values in series for v in values):
        return _empty(title, empty)
    height, left, right, top = 260.0, 44.0, W - 10.0, 30.0
    bottom = height - 40
    slot = (right - left) / len(labels)
    xs = [left + slot * (i + 0.5) for i in range(len(labels))]
    body = _y_axis(left, top, bottom, right, top_value, top_value / 4, unit) + _legend(series, 16)
    for s, (name, values) in enumerate(series):
        color = PALETTE[s % len(PALETTE)]
        points: list[list[str]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                points.append([])
                continue
            y = bottom - (bottom - top) * min(value, top_value) / top_value
            points[-1].append(f"{xs[i]:.1f},{y:.1f}")
            body.append(f'<circle cx="{xs[i]:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                        f'<title>{escape(f"{labels[i]} {name}: {fmt(value)}{unit}")}</title></circle>')
        for run in points:
            if len(run) > 1:
                body.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" stroke-width="2"/>')
    body.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" class="axis"/>')
    body += _x_labels(labels, xs, bottom + 16, slot)
    return _svg(height, title, body)
