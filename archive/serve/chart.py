"""The chart of a query over time, as an inline SVG drawn here (no script, nothing fetched):
bars for the articles matching in each period, against the left axis; a line for their share
of all the articles of the period, against the right axis. Both numbers are shown because a
33 % spike may be one article of three.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 56, 28, 52
#: The most x-axis labels written (every k-th period when there are more).
MAX_LABELS = 12


def _nice(top: float) -> float:
    """A round axis maximum at or above `top`."""
    if top <= 0:
        return 1.0
    step = 1.0
    while step * 10 < top:
        step *= 10
    for factor in (1, 2, 2.5, 5, 10):
        if step * factor >= top:
            return step * factor
    return step * 10


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def svg(series: Sequence[dict[str, Any]], *, query: str, by: str) -> str:
    """The chart of `series` (period, matching, all, share) as an SVG element."""
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = HEIGHT - TOP - BOTTOM
    n = max(len(series), 1)
    slot = inner_w / n
    # counts are whole: an axis of 4 steps up to at least 4, never a tick at 0.5 articles
    top_count = max(4.0, _nice(max((r["matching"] for r in series), default=0)))
    if top_count % 4:
        top_count = 4 * -(-top_count // 4)
    top_share = _nice(max((r["share"] or 0) * 100 for r in series) if series else 0)
    title = f"Articles matching \u201c{query}\u201d per {by}: count (bars) and share (line)"
    out = [f'<svg class="warta-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
           f'aria-label="{escape(title)}">',
           f"<title>{escape(title)}</title>"]
    base_y = TOP + inner_h
    # axes and grid
    for i in range(5):
        y = base_y - inner_h * i / 4
        out.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                   f'y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text class="axis-count" x="{LEFT - 6}" y="{y + 4:.1f}" '
                   f'text-anchor="end" font-size="11">{_num(top_count * i / 4)}</text>')
        out.append(f'<text class="axis-share" x="{WIDTH - RIGHT + 6}" y="{y + 4:.1f}" '
                   f'font-size="11" fill="#b35900">{_num(top_share * i / 4)}%</text>')
    out.append(f'<text x="14" y="{TOP + inner_h / 2:.0f}" font-size="11" '
               f'transform="rotate(-90 14 {TOP + inner_h / 2:.0f})" text-anchor="middle">'
               "matching articles</text>")
    out.append(f'<text x="{WIDTH - 10}" y="{TOP + inner_h / 2:.0f}" font-size="11" '
               f'fill="#b35900" transform="rotate(90 {WIDTH - 10} {TOP + inner_h / 2:.0f})" '
               'text-anchor="middle">share of all articles</text>')
    every = max(1, -(-len(series) // MAX_LABELS))
    points = []
    for i, row in enumerate(series):
        x = LEFT + slot * i
        h = inner_h * row["matching"] / top_count
        share = row["share"]
        share_text = "no articles" if share is None else f"{share * 100:.1f}% of {row['all']:,}"
        tip = f"{row['period']}: {row['matching']:,} matching, {share_text}"
        out.append(f'<rect class="bar" data-period="{escape(row["period"])}" '
                   f'data-matching="{row["matching"]}" data-all="{row["all"]}" '
                   f'x="{x + slot * 0.15:.1f}" y="{base_y - h:.1f}" width="{slot * 0.7:.1f}" '
                   f'height="{h:.1f}" fill="#3a6ea5"><title>{escape(tip)}</title></rect>')
        if share is not None:
            y = base_y - inner_h * share * 100 / top_share
            points.append((x + slot / 2, y, tip))
        if i % every == 0:
            lx, ly = x + slot / 2, base_y + 14
            out.append(f'<text class="period" x="{lx:.1f}" y="{ly:.1f}" font-size="10" '
                       f'text-anchor="end" transform="rotate(-35 {lx:.1f} {ly:.1f})">'
                       f"{escape(row['period'])}</text>")
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        out.append(f'<polyline class="share" points="{path}" fill="none" stroke="#b35900" '
                   'stroke-width="2"/>')
        for x, y, tip in points:
            out.append(f'<circle class="share-point" cx="{x:.1f}" cy="{y:.1f}" r="2.5" '
                       f'fill="#b35900"><title>{escape(tip)}</title></circle>')
    if not series:
        out.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">'
                   "No dated articles</text>")
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base_y}" y2="{base_y}" '
               'stroke="#333"/>')
    out.append("</svg>")
    return "".join(out)
