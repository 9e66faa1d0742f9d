"""Geometry for the server-rendered SVG charts. Templates draw; this measures.

All x positions are in a 0–1000 coordinate system across the agreement's
validity period.
"""

import datetime
import math

WIDTH = 1000


def _x(agreement, day):
    total = (agreement.valid_until - agreement.valid_from).days or 1
    share = (day - agreement.valid_from).days / total
    return round(max(0.0, min(1.0, share)) * WIDTH, 1)


def span(agreement, start, end, today):
    """Where a measure (or any span of days) sits within the agreement's period."""
    x1, x2 = _x(agreement, start), _x(agreement, end)
    return {
        "x": x1,
        "width": max(x2 - x1, 3.0),
        "today": _x(agreement, today),
        "today_inside": agreement.covers(today),
    }


def month_spans(agreement):
    """(first day, last day) of each calendar month the agreement touches."""
    months = []
    day = agreement.valid_from.replace(day=1)
    while day <= agreement.valid_until:
        following = (day + datetime.timedelta(days=32)).replace(day=1)
        months.append(
            (
                max(day, agreement.valid_from),
                min(following - datetime.timedelta(days=1), agreement.valid_until),
            )
        )
        day = following
    return months


def status_bar(counts, choices):
    """Segments of a stacked bar: one per status with a count, in choice order."""
    total = sum(counts.get(value, 0) for value, _ in choices)
    segments = []
    x = 0.0
    for value, label in choices:
        n = counts.get(value, 0)
        if not n:
            continue
        width = WIDTH * n / total
        segments.append(
            {
                "status": value,
                "label": label,
                "count": n,
                "x": round(x, 1),
                "width": round(width, 1),
            }
        )
        x += width
    return {"segments": segments, "total": total}


def heatmap(agreement, rows, today):
    """Rows of month cells shaded by how many measures run that month.

    `rows` is a list of (label, [count per month]) in the order of month_spans.
    """
    months = month_spans(agreement)
    peak = max((n for _, counts in rows for n in counts), default=0) or 1
    drawn = []
    for index, (label, counts) in enumerate(rows):
        cells = []
        for (start, end), n in zip(months, counts, strict=True):
            x1 = _x(agreement, start)
            x2 = _x(agreement, end + datetime.timedelta(days=1))
            cells.append(
                {
                    "x": x1,
                    "width": round(max(x2 - x1 - 1, 1), 1),
                    "count": n,
                    "opacity": round(0.12 + 0.88 * n / peak, 2) if n else 0,
                    "month": start.strftime("%Y-%m"),
                }
            )
        drawn.append({"label": label, "y": index * 34, "cells": cells, "counts": counts})
    return {
        "rows": drawn,
        "height": len(rows) * 34,
        "today": _x(agreement, today),
        "today_inside": agreement.covers(today),
        "table": [
            (start.strftime("%Y-%m"), [counts[i] for _label, counts in rows])
            for i, (start, _end) in enumerate(months)
        ],
        "years": _year_ticks(agreement),
        "legend": _shade_legend(peak),
    }


def _shade_legend(peak, steps=4):
    """The heatmap's scale: a few counts from 1 to the peak and their shades."""
    values = sorted({max(1, round(peak * i / steps)) for i in range(1, steps + 1)})
    return [{"count": n, "opacity": round(0.12 + 0.88 * n / peak, 2)} for n in values]


def _year_ticks(agreement):
    ticks = []
    for year in range(agreement.valid_from.year + 1, agreement.valid_until.year + 1):
        ticks.append({"label": str(year), "x": _x(agreement, datetime.date(year, 1, 1))})
    return ticks


def _month_ticks(agreement):
    """Where each month of the agreement begins, labelled with the year where
    one begins (and at the first month)."""
    ticks = []
    for index, (start, _end) in enumerate(month_spans(agreement)):
        labelled = start.month == 1 or index == 0
        ticks.append(
            {
                "x": _x(agreement, start),
                "label": start.strftime("%Y") if labelled else "",
                "month": start.month,
            }
        )
    return ticks


# The timeline's axis drawn twice, for wide and for narrow screens, so that
# its year labels read at the size of body text on both.
AXIS_SIZES = [
    {"name": "wide", "height": 40, "tick": 30, "text": 24},
    {"name": "narrow", "height": 70, "tick": 55, "text": 44},
]


def timeline(agreement, measures, today):
    """One labelled bar per measure across the agreement's period, with the
    months marked, today's line, and the end marked where it has passed
    without the measure being done. `measures` carry `flag_overdue`."""
    rows = []
    for measure in measures:
        bar = span(agreement, measure.start_date, measure.end_date, today)
        rows.append(
            {
                "measure": measure,
                "overdue": getattr(measure, "flag_overdue", False),
                "end_x": _x(agreement, measure.end_date),
                **bar,
            }
        )
    return {
        "rows": rows,
        "months": _month_ticks(agreement),
        "axis_sizes": AXIS_SIZES,
        "years": _year_ticks(agreement),
        "today": _x(agreement, today),
        "today_inside": agreement.covers(today),
    }


# --- An indicator's line chart: baseline, target, values and today.

LINE_WIDTH, LINE_HEIGHT = 1000, 420
_LEFT, _RIGHT, _TOP, _BOTTOM = 120, 40, 74, 60


def _nice_step(span, ticks=5):
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` ticks."""
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _decimals(step):
    """Decimals needed to write multiples of `step`."""
    text = f"{step:.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _value_axis(numbers, *, percent):
    low, high = min(numbers), max(numbers)
    never_negative = low >= 0
    if low == high:
        low, high = low - 1, high + 1
    step = _nice_step(high - low)
    bottom = math.floor(low / step - 0.5) * step
    top = math.ceil(high / step + 0.5) * step
    if never_negative and bottom < 0:
        bottom = 0.0
    if percent:
        bottom, top = max(bottom, 0.0), min(top, 100.0)
    count = round((top - bottom) / step)
    return bottom, top, [bottom + i * step for i in range(count + 1)], _decimals(step)


def _time_ticks(first, last):
    """New Year's days in the span, with midsummer's months too when that gives few."""
    years = range(first.year, last.year + 2)
    ticks = [datetime.date(y, 1, 1) for y in years if first <= datetime.date(y, 1, 1) <= last]
    if len(ticks) < 3:
        halves = [datetime.date(y, 7, 1) for y in years]
        ticks = sorted(ticks + [d for d in halves if first <= d <= last])
    return ticks


def indicator_chart(indicator, values, today):
    """Where to draw an indicator's baseline, target, values and today.

    `values` are the indicator's values in date order. Every position is in a
    LINE_WIDTH × LINE_HEIGHT coordinate system; numbers come back with the
    decimals their axis needs, for the labels.
    """
    days = [indicator.baseline_on, indicator.target_on, today, *(v.measured_on for v in values)]
    first, last = min(days), max(days)
    pad = datetime.timedelta(days=max((last - first).days // 40, 7))
    first, last = first - pad, last + pad
    numbers = [
        float(indicator.baseline_value),
        float(indicator.target_value),
        *(float(v.value) for v in values),
    ]
    bottom, top, value_ticks, decimals = _value_axis(numbers, percent=indicator.unit == "percent")
    plot_width = LINE_WIDTH - _LEFT - _RIGHT
    plot_height = LINE_HEIGHT - _TOP - _BOTTOM
    total = (last - first).days

    def x(day):
        return round(_LEFT + plot_width * (day - first).days / total, 1)

    def y(number):
        share = (float(number) - bottom) / (top - bottom)
        return round(_TOP + plot_height * (1 - max(0.0, min(1.0, share))), 1)

    points = [
        {"x": x(v.measured_on), "y": y(v.value), "value": v.value, "day": v.measured_on}
        for v in values
    ]
    return {
        "width": LINE_WIDTH,
        "height": LINE_HEIGHT,
        "left": _LEFT,
        "right": LINE_WIDTH - _RIGHT,
        "top": _TOP,
        "bottom": LINE_HEIGHT - _BOTTOM,
        "value_ticks": [{"y": y(t), "value": round(t, decimals)} for t in value_ticks],
        "decimals": decimals,
        "time_ticks": [
            {
                "x": x(d),
                "label": str(d.year) if d.month == 1 else d.strftime("%Y-%m"),
            }
            for d in _time_ticks(first, last)
        ],
        "points": points,
        "line": " ".join(f"{p['x']},{p['y']}" for p in points),
        "baseline": _marker(x(indicator.baseline_on), y(indicator.baseline_value)),
        "target": _marker(x(indicator.target_on), y(indicator.target_value)),
        "today": x(today),
        "tick_label_x": _LEFT - 14,
        "time_label_y": LINE_HEIGHT - _BOTTOM + 36,
        "tick_end_y": LINE_HEIGHT - _BOTTOM + 10,
        "today_label_y": _TOP - 12,
        "unit_label_y": 26,
    }


def _marker(x, y, size=11):
    """A point and the diamond drawn around it."""
    diamond = f"{x},{round(y - size, 1)} {round(x + size, 1)},{y} {x},{round(y + size, 1)} " + (
        f"{round(x - size, 1)},{y}"
    )
    return {"x": x, "y": y, "diamond": diamond}
