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
    }


def _year_ticks(agreement):
    ticks = []
    for year in range(agreement.valid_from.year + 1, agreement.valid_until.year + 1):
        ticks.append({"label": str(year), "x": _x(agreement, datetime.date(year, 1, 1))})
    return ticks


def gantt(agreement, measures, today):
    """One bar per measure across the agreement's period."""
    rows = []
    for index, measure in enumerate(measures):
        bar = span(agreement, measure.start_date, measure.end_date, today)
        rows.append({"measure": measure, "y": index * 26, **bar})
    return {
        "rows": rows,
        "height": max(len(rows) * 26, 26),
        "today": _x(agreement, today),
        "today_inside": agreement.covers(today),
        "years": _year_ticks(agreement),
    }
