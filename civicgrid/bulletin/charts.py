"""Charts of the 社区报 drawn on the server as inline SVG: the web page, the PDF (WeasyPrint
draws SVG) and the WeChat article show the same picture, with no script and no image host.
Labels are escaped; values are the article's figures."""

from django.utils.html import escape

FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"
PALETTE = ["#b3261e", "#c9822b", "#2f6f9f", "#4d8a4f", "#7a5c99", "#8a8a8a"]


def _number(value) -> str:
    value = float(value)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def bars(rows, *, unit: str = "", colours=None, width: int = 320) -> str:
    """A horizontal bar chart: rows of (label, value); empty string when there is nothing to
    draw (a chart of zeros says nothing)."""
    rows = [(str(label), float(value or 0)) for label, value in rows]
    top = max((value for _label, value in rows), default=0)
    if not rows or top <= 0:
        return ""
    bar_h, gap, label_w, value_w = 16, 6, 96, 56
    span = width - label_w - value_w
    height = len(rows) * (bar_h + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'style="font-family:{FONT};font-size:11px">'
    ]
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(1, round(span * value / top))
        colour = (colours or PALETTE)[i % len(colours or PALETTE)]
        parts.append(
            f'<text x="{label_w - 4}" y="{y + 12}" text-anchor="end">{escape(label[:10])}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{colour}"/>'
            f'<text x="{label_w + w + 4}" y="{y + 12}">{_number(value)}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
