"""Simple charts as SVG text, drawn on the server for printed reports (WeasyPrint draws inline SVG).

Two kinds: a horizontal bar chart (children ranked) and a line chart (a trend by month). Labels
are escaped; the output is plain SVG 1.1 with no script and no external reference.
"""

from __future__ import annotations

from html import escape

# The body font of the printed page: one CJK font subset in the PDF instead of two (faster to write).
FONT = "Noto Serif CJK SC, serif"
BAR = "#c0392b"
LINE = "#1f5fa8"


def _number(value, percent: bool) -> str:
    if value is None:
        return "—"
    if percent:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def bar_chart(labels: list[str], values: list, *, percent: bool = False, width: int = 640) -> str:
    """Horizontal bars, one per label, longest first as given; ``None`` draws no bar."""
    rows = list(zip(labels, values, strict=True))[:20]
    if not rows:
        return ""
    label_w, bar_h, gap, top = 150, 16, 6, 6
    height = top + len(rows) * (bar_h + gap) + 4
    top_value = max((float(v) for _, v in rows if v is not None), default=0.0) or 1.0
    room = width - label_w - 80
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="10">'
    ]
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar_h + gap)
        name = escape(label if len(label) <= 12 else label[:11] + "…")
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_h - 4}" text-anchor="end">{name}</text>')
        length = 0 if value is None else max(float(value), 0.0) / top_value * room
        parts.append(f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" fill="{BAR}"/>')
        parts.append(
            f'<text x="{label_w + length + 4:.1f}" y="{y + bar_h - 4}">{escape(_number(value, percent))}</text>'
        )
    parts.append(
        f'<line x1="{label_w}" y1="{top - 2}" x2="{label_w}" y2="{height - 2}" stroke="#333" stroke-width="0.8"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(months: list[str], values: list, *, percent: bool = False, width: int = 640, height: int = 200) -> str:
    """A line through the months' values (gaps where a value is ``None``), with the month labels."""
    if not months:
        return ""
    left, right, top, bottom = 56, 16, 12, 30
    numbers = [float(v) for v in values if v is not None]
    high = max(numbers, default=0.0) or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(months) - 1, 1)

    def point(i, v):
        return left + i * step, top + plot_h - float(v) / high * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="9">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{escape(_number(high, percent))}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    segment: list[str] = []
    segments = []
    for i, value in enumerate(values):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        x, y = point(i, value)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{LINE}"/>')
    if segment:
        segments.append(segment)
    for seg in segments:
        parts.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{LINE}" stroke-width="1.6"/>')
    for i, month in enumerate(months):
        x = left + i * step
        parts.append(f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle">{escape(month[2:])}</text>')
    parts.append("</svg>")
    return "".join(parts)
