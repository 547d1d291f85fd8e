"""Charts as SVG text, drawn on the server (no script, no external resource): prints well."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

STATE_COLOURS = {
    "draft": "#9aa5b1",
    "submitted": "#e0a526",
    "reviewed": "#3b82c4",
    "approved": "#2f9e55",
}


def stacked_bars(
    rows: Sequence[tuple[str, dict[str, int]]],
    labels: dict[str, str],
    *,
    width: int = 760,
    bar_height: int = 18,
    label_width: int = 300,
    title: str = "",
) -> str:
    """One horizontal bar per row, split by state; a legend on top. Every count is labelled
    in text too, so the chart reads in black and white."""
    gap, top = 8, 34
    height = top + len(rows) * (bar_height + gap) + 10
    plot = width - label_width - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" font-family="sans-serif" '
        f'font-size="12">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    x = 0
    for state, colour in STATE_COLOURS.items():
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="14">{escape(labels.get(state, state))}</text>')
        x += 30 + 8 * len(labels.get(state, state))
    for n, (label, counts) in enumerate(rows):
        y = top + n * (bar_height + gap)
        total = sum(counts.values())
        short = label if len(label) <= 48 else label[:47] + "…"
        parts.append(
            f'<text x="0" y="{y + bar_height - 5}"><title>{escape(label)}</title>'
            f"{escape(short)}</text>"
        )
        offset = label_width
        for state, colour in STATE_COLOURS.items():
            count = counts.get(state, 0)
            if not count:
                continue
            w = plot * count / total
            parts.append(
                f'<rect x="{offset:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" '
                f'fill="{colour}"><title>{escape(labels.get(state, state))}: {count}</title></rect>'
            )
            if w >= 14:
                parts.append(
                    f'<text x="{offset + w / 2:.1f}" y="{y + bar_height - 5}" '
                    f'text-anchor="middle" fill="#fff">{count}</text>'
                )
            offset += w
        parts.append(f'<text x="{label_width + plot + 6}" y="{y + bar_height - 5}">{total}</text>')
    parts.append("</svg>")
    return "".join(parts)
