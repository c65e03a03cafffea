"""Small SVG charts drawn on the server: no script, no inline style (CSP), colours by CSS class
(static/css/control.css). A 360-unit-wide viewBox scaled to the container stays readable on a
phone: labels sit above their bars, not beside them."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360
ROW = 34
BAR = 12


def _svg(height: int, title: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="control-chart" viewBox="0 0 {} {}" role="img" aria-label="{}"'
        ' xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        WIDTH,
        height,
        title,
        title,
        body,
    )


def bars(title: str, rows: list[tuple[str, float, float, str]]) -> SafeString:
    """Horizontal bars, one per row of (label, whole, part, value text): the whole as a light
    bar and the part (overdue of open, median of p90) as a dark bar over its start."""
    if not rows:
        return mark_safe("")
    top = max(max(whole, part) for _label, whole, part, _text in rows) or 1
    scale = (WIDTH - 80) / top
    parts = []
    for index, (label, whole, part, text) in enumerate(rows):
        y = index * ROW
        parts.append(
            format_html(
                '<text class="chart-label" x="0" y="{}">{}</text>'
                '<rect class="chart-bar-whole" x="0" y="{}" width="{}" height="{}"></rect>'
                '<rect class="chart-bar-part" x="0" y="{}" width="{}" height="{}"></rect>'
                '<text class="chart-value" x="{}" y="{}">{}</text>',
                y + 12,
                label if len(label) <= 50 else label[:49] + "…",
                y + 16,
                f"{max(whole * scale, 1):.1f}",
                BAR,
                y + 16,
                f"{part * scale:.1f}",
                BAR,
                f"{max(whole, part) * scale + 4:.1f}",
                y + 26,
                text,
            )
        )
    return _svg(len(rows) * ROW + 4, title, mark_safe("".join(parts)))


def weekly(title: str, weeks: list[tuple[str, int, int]]) -> SafeString:
    """Stacked columns per week: on time (bottom) and late (top), the week's date below."""
    if not weeks:
        return mark_safe("")
    height, base = 150, 124
    top = max(on + late for _label, on, late in weeks) or 1
    slot = WIDTH / len(weeks)
    width = max(min(slot * 0.7, 40), 2)
    scale = (base - 14) / top

    def column(index, label, on, late):
        x = index * slot + (slot - width) / 2
        on_h, late_h = on * scale, late * scale
        show_label = len(weeks) <= 8 or index % max(len(weeks) // 6, 1) == 0
        return (
            f"{x:.1f}",
            f"{base - on_h:.1f}",
            f"{width:.1f}",
            f"{on_h:.1f}",
            f"{x:.1f}",
            f"{base - on_h - late_h:.1f}",
            f"{width:.1f}",
            f"{late_h:.1f}",
            f"{x + width / 2:.1f}",
            base + 16,
            label if show_label else "",
            f"{x + width / 2:.1f}",
            f"{base - on_h - late_h - 3:.1f}",
            (f"{round(100 * on / (on + late))}%" if on + late else ""),
        )

    body = format_html_join(
        "",
        '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<rect class="chart-bar-late" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>'
        '<text class="chart-value" x="{}" y="{}" text-anchor="middle">{}</text>',
        (column(i, *week) for i, week in enumerate(weeks)),
    )
    return _svg(height, title, body)
