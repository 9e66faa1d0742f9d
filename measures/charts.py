"""Geometry for the server-rendered SVG charts. Templates draw; this measures.

All x positions are in a 0–1000 coordinate system across the agreement's
validity period.
"""

import datetime

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
