"""The benchmark table as an SVG bar chart: per benchmark, one bar per other implementation, its
time divided by iridium's. The scale is logarithmic (base 2) and bars grow from 1 (as fast as
iridium): up means iridium is faster, down means the other is. Plain SVG, no dependencies."""

import math
from xml.sax.saxutils import escape

COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#9c755f", "#e15759", "#76b7b2"]
LOW, HIGH = -6, 3          # log2 range of the axis: 1/64 .. 8
WIDTH, HEIGHT = 900, 440
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 56, 84


def _y(ratio):
    clamped = min(max(math.log2(ratio), LOW), HIGH)
    return TOP + (HIGH - clamped) / (HIGH - LOW) * (HEIGHT - TOP - BOTTOM)


def write_svg(path, benchmarks, impls, medians, footer=""):
    """impls: (key, label) pairs, iridium first; medians[benchmark][key] in seconds; footer: one
    line under the legend (the start-up comparison)."""
    others = impls[1:]
    plot_width = WIDTH - LEFT - RIGHT
    group = plot_width / len(benchmarks)
    bar = group * 0.8 / len(others)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="15">'
        "Time / plain iridium run's time (log scale; above 1: the plain run is faster)</text>",
    ]
    for power in range(LOW, HIGH + 1):
        y = _y(2.0 ** power)
        label = f"{2 ** power:g}" if power >= 0 else f"1/{2 ** -power}"
        weight = 'stroke="#333" stroke-width="1.5"' if power == 0 else 'stroke="#ddd"'
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" {weight}/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    one = _y(1.0)
    for b, name in enumerate(benchmarks):
        x0 = LEFT + b * group + group * 0.1
        ours = medians[name][impls[0][0]]
        for i, (key, label) in enumerate(others):
            ratio = medians[name][key] / ours
            y = _y(ratio)
            top, height = (y, one - y) if y < one else (one, y - one)
            x = x0 + i * bar
            out.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar - 2:.1f}" height="{max(height, 1):.1f}" '
                       f'fill="{COLORS[i % len(COLORS)]}"><title>{escape(label)}: {ratio:.2f}x</title></rect>')
            text_y = top - 4 if y < one else top + height + 12
            out.append(f'<text x="{x + (bar - 2) / 2:.1f}" y="{text_y:.1f}" text-anchor="middle" font-size="10">{ratio:.2f}</text>')
        out.append(f'<text x="{LEFT + b * group + group / 2:.1f}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle">{escape(name)}</text>')
    legend_x = LEFT
    for i, (_, label) in enumerate(others):
        out.append(f'<rect x="{legend_x}" y="{HEIGHT - 44}" width="12" height="12" fill="{COLORS[i % len(COLORS)]}"/>')
        out.append(f'<text x="{legend_x + 16}" y="{HEIGHT - 34}">{escape(label)}</text>')
        legend_x += 24 + 8 * len(label)
    if footer:
        out.append(f'<text x="{WIDTH / 2}" y="{HEIGHT - 10}" text-anchor="middle" font-size="11" fill="#333">{escape(footer)}</text>')
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
