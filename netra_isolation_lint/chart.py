"""The history chart: one small panel per figure over the commits, as inline SVG.

Self-contained (no script, no font or stylesheet fetched) and readable without colour: every panel is titled
with its figure and has its own scale, lines are black, and each point carries a ``<title>`` (the commit, its
date and the value) that a browser shows on hover.
"""

from __future__ import annotations

from collections import Counter
from html import escape

PANEL_W, PANEL_H, GAP, COLUMNS = 430, 120, 24, 2
PLOT_TOP, PLOT_BOTTOM, PLOT_LEFT, PLOT_RIGHT = 30, 26, 48, 12
FAMILIES = (("NIL1xx", "singleton findings (NIL1xx)"), ("NIL2xx", "context findings (NIL2xx)"),
            ("NIL3xx", "emitter findings (NIL3xx)"), ("NIL4xx", "event and API findings (NIL4xx)"))


def families(codes: Counter) -> Counter:
    """Findings per rule family: NIL1xx (singleton), NIL2xx (context), NIL3xx (emitters), NIL4xx (events, API)."""
    found: Counter = Counter()
    for code, count in codes.items():
        found[f"{code[:4]}xx"] += count
    return found


def series(points, metrics) -> list[tuple[str, list[float | int]]]:
    """(title, values) per panel: each of ``metrics`` ((key, label) pairs), then each family."""
    found = [(label, [p.metrics[key] for p in points]) for key, label in metrics]
    per_point = [families(p.codes) for p in points]
    found += [(label, [f[family] for f in per_point]) for family, label in FAMILIES]
    return found


def svg(points, metrics, standalone: bool = False) -> str:
    panels = series(points, metrics)
    rows = -(-len(panels) // COLUMNS)
    width = COLUMNS * PANEL_W + (COLUMNS - 1) * GAP
    height = rows * PANEL_H + (rows - 1) * GAP + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11" role="img">',
             f"<title>Migration history, {len(points)} commits from {escape(points[0].commit.date)} to "
             f"{escape(points[-1].commit.date)}</title>"]
    for index, (label, values) in enumerate(panels):
        x = (index % COLUMNS) * (PANEL_W + GAP)
        y = (index // COLUMNS) * (PANEL_H + GAP)
        parts.append(_panel(x, y, label, values, points))
    parts.append("</svg>")
    text = "\n".join(parts) + "\n"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text) if standalone else text


def _panel(x: int, y: int, label: str, values: list[float | int], points) -> str:
    share = any(isinstance(v, float) for v in values)
    low, high = (0.0, 1.0) if share else (0, max(max(values), 1))
    left, right = x + PLOT_LEFT, x + PANEL_W - PLOT_RIGHT
    top, bottom = y + PLOT_TOP, y + PANEL_H - PLOT_BOTTOM

    def px(i: int) -> float:
        return left + (right - left) * (i / (len(values) - 1) if len(values) > 1 else 0.5)

    def py(v: float) -> float:
        return bottom - (bottom - top) * ((v - low) / (high - low) if high > low else 0)

    def shown(v: float | int) -> str:
        return f"{v:.0%}" if share else str(v)

    out = [f'<g><text x="{x}" y="{y + 14}" font-weight="bold">{escape(label)}</text>',
           f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#555"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#555"/>',
           f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{shown(high)}</text>',
           f'<text x="{left - 4}" y="{bottom}" text-anchor="end">{shown(low)}</text>',
           f'<text x="{left}" y="{bottom + 14}">{escape(points[0].commit.date[:10])}</text>',
           f'<text x="{right}" y="{bottom + 14}" text-anchor="end">{escape(points[-1].commit.date[:10])}</text>',
           f'<text x="{right}" y="{y + 14}" text-anchor="end">last: {shown(values[-1])}</text>']
    line = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(values))
    out.append(f'<polyline points="{line}" fill="none" stroke="#000" stroke-width="1.5"/>')
    for i, (v, point) in enumerate(zip(values, points)):
        commit = point.commit
        out.append(f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="2.5" fill="#000"><title>{commit.sha[:9]} '
                   f'{escape(commit.date)}: {shown(v)} ({escape(commit.subject[:60])})</title></circle>')
    out.append("</g>")
    return "\n".join(out)
