"""Charts drawn by the server as SVG (no script): horizontal bars, and the alignment heat-map with a
colour-blind-safe sequential scale (viridis) and its legend."""

from __future__ import annotations

from html import escape
from typing import Callable, Sequence

from markupsafe import Markup

# viridis, 9 stops from 0 to 1 (perceptually uniform, readable with every common colour-vision deficiency)
VIRIDIS = ("#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725")


def viridis(score: float | None) -> str:
    if score is None:
        return "#d9d9d9"
    score = min(max(score, 0.0), 1.0)
    return VIRIDIS[round(score * (len(VIRIDIS) - 1))]


def ink_on(fill: str) -> str:
    """Black or white text, whichever reads on the fill."""
    r, g, b = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    return "#000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 140 else "#ffffff"


def bar_chart(pairs: Sequence[tuple[str, int]], *, title: str, chart_id: str,
              link: Callable[[str], str] | None = None) -> Markup:
    """One bar per (label, count), largest scale first; each bar may link somewhere (e.g. the filtered list)."""
    row, label_width, width = 26, 190, 640
    most = max((n for _, n in pairs), default=0) or 1
    height = row * max(len(pairs), 1) + 10
    role = "group" if link else "img"  # links inside an image would be nested controls
    parts = [f'<svg class="chart" role="{role}" aria-labelledby="{chart_id}-title" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-title">{escape(title)}</title>']
    for i, (label, n) in enumerate(pairs):
        y = 5 + i * row
        bar = max(int((width - label_width - 60) * n / most), 1)
        text = (f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" font-size="13" fill="#1b1f24">'
                f'{escape(label[:28])}</text><rect x="{label_width}" y="{y + 3}" width="{bar}" height="{row - 8}" '
                f'fill="#0b4f8a"><title>{escape(label)}: {n}</title></rect>'
                f'<text x="{label_width + bar + 6}" y="{y + 17}" font-size="13" fill="#1b1f24">{n}</text>')
        parts.append(f'<a href="{escape(link(label))}">{text}</a>' if link else text)
    if not pairs:
        parts.append('<text x="10" y="20" font-size="13" fill="#1b1f24">No meetings.</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def heatmap(codes: Sequence[str], scores: dict[tuple[str, str], tuple[float | None, str]], *, title: str,
            link: Callable[[str, str], str]) -> Markup:
    """A square grid: row `left`, column `right`, the fill the alignment score; each cell links its comparison."""
    cell, margin = 44, 60
    size = margin + cell * len(codes) + 10
    parts = [f'<svg class="chart heatmap" role="group" aria-labelledby="heatmap-title" viewBox="0 0 {size} {size}" '
             f'width="{size}" height="{size}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="heatmap-title">{escape(title)}</title>']
    for i, code in enumerate(codes):
        x = margin + i * cell + cell / 2
        parts.append(f'<text x="{x}" y="{margin - 10}" text-anchor="middle" font-size="13" fill="#1b1f24">{escape(code)}</text>')
        parts.append(f'<text x="{margin - 8}" y="{margin + i * cell + cell / 2 + 5}" text-anchor="end" font-size="13" '
                     f'fill="#1b1f24">{escape(code)}</text>')
    for r, left in enumerate(codes):
        for c, right in enumerate(codes):
            score, relation = scores.get((left, right), (None, "unknown"))
            fill = viridis(score)
            x, y = margin + c * cell, margin + r * cell
            shown = "—" if score is None else f"{score:.1f}"
            label = f"{shown}: {left} vs {right}, {relation}" + (f", score {score:.2f}" if score is not None else "")
            parts.append(f'<a href="{escape(link(left, right))}" aria-label="{escape(label)}"><rect x="{x}" y="{y}" '
                         f'width="{cell - 2}" height="{cell - 2}" fill="{fill}"><title>{escape(label)}</title></rect>'
                         f'<text x="{x + cell / 2 - 1}" y="{y + cell / 2 + 4}" text-anchor="middle" font-size="12" '
                         f'fill="{ink_on(fill)}">{shown}</text></a>')
    parts.append("</svg>")
    return Markup("".join(parts))


def legend() -> Markup:
    stops = "".join(f'<stop offset="{i / (len(VIRIDIS) - 1):.3f}" stop-color="{c}"/>' for i, c in enumerate(VIRIDIS))
    return Markup(f'<svg role="img" aria-labelledby="legend-title" width="260" height="40" viewBox="0 0 260 40" '
                  f'xmlns="http://www.w3.org/2000/svg"><title id="legend-title">Scale: 0 (disjoint) to 1 '
                  f'(equivalent); grey: not comparable</title><defs><linearGradient id="viridis">{stops}'
                  f'</linearGradient></defs><rect x="10" y="4" width="240" height="16" fill="url(#viridis)"/>'
                  f'<text x="10" y="36" font-size="12" fill="#1b1f24">0</text><text x="130" y="36" font-size="12" '
                  f'text-anchor="middle" fill="#1b1f24">0.5</text><text x="250" y="36" font-size="12" '
                  f'text-anchor="end" fill="#1b1f24">1</text></svg>')
