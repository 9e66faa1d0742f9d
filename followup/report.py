"""The follow-up report of a period, as plain data.

It follows Brå's three kinds of follow-up: production (what was done: the
measures running, started and finished), process (how the work is followed:
progress updates, assessments and reviews) and effect (the indicators
against their baselines and targets, from the values measured by the
period's end). Page one sums up all three.

The report page draws it, and a meeting freezes it: every value is a string,
a number, a list or a dict, so it goes into a JSON field as it is and reads
back the same whatever happens to the measures later. Labels are looked up
when the report is shown (`labels`), from the stored values.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from agreement.models import Indicator, ReportingPeriod
from measures.models import (
    ASSESSMENT_VALUES,
    ASSESSMENTS,
    FLAGS,
    Measure,
    Party,
    ProgressUpdate,
    Review,
    Status,
    current_assessment,
    status_on,
)
from measures.roles import person_name

from .models import Decision

# Measures per page of the report's list, and per page with full detail.
MEASURES_PER_PAGE = 100
DETAILED_PER_PAGE = 50
# Exceptions per page on the screen (a meeting's record keeps them all).
EXCEPTIONS_PER_PAGE = 50
EXCEPTIONS = ["red", "yellow", "overdue", "not_reported"]


def _row(measure, *, due, reported):
    return {
        "id": measure.pk,
        "title": measure.title,
        "focus_area": measure.focus_area.name,
        "status": measure.status_then,
        "assessment": measure.assessment_then,
        "progress": measure.latest_progress,
        "last_reported_on": _iso(measure.last_reported_on),
        "start_date": measure.start_date.isoformat(),
        "end_date": measure.end_date.isoformat(),
        "party": measure.responsible_party,
        "unit": measure.responsible_unit,
        "owner": person_name(measure.owner) if measure.owner_id else "",
        "flags": [name for name in FLAGS if getattr(measure, f"flag_{name}")],
        "due": due,
        "reported": reported,
    }


def _iso(day):
    return day.isoformat() if day else None


def _exceptions(row):
    reasons = []
    if row["assessment"] in ("red", "yellow"):
        reasons.append(row["assessment"])
    if "overdue" in row["flags"]:
        reasons.append("overdue")
    if row["due"] and not row["reported"]:
        reasons.append("not_reported")
    return reasons


def previous_period(agreement, start):
    """The last reporting period that ended before `start`."""
    return (
        ReportingPeriod.objects.filter(agreement=agreement, ends_on__lt=start)
        .order_by("-ends_on")
        .first()
    )


def _measures(agreement, start, end, today, period):
    """The measures running in the period, with status and assessment as they
    stood at its end, today's flags, and whether they owe and gave a report."""
    due = Measure.objects.due_in(period).filter(pk=OuterRef("pk"))
    return (
        Measure.objects.active()
        .of_agreement(agreement)
        .running_between(start, end)
        .with_latest_update(until=end)
        .with_flags(today)
        .with_reported_in(period)
        .annotate(is_due=Exists(due))
        .select_related("focus_area", "owner")
        .order_by("focus_area__position", "start_date", "title", "pk")
    )


def _annotate_then(measures, end):
    return measures.annotate(status_then=status_on(end), assessment_then=current_assessment(end))


def build(*, agreement, start, end, today, period=None, page=1, detail=False, everything=False):
    """The report of `start`–`end` (a reporting period, or any span of days).

    Page one's summary and the exceptions are always whole; the list of
    measures comes a page at a time, with each measure's reports of the
    period when `detail` is asked for. `everything` gives the whole list in
    one piece, as a meeting freezes it.
    """
    # A span that is no reporting period is followed up the same way.
    period = period or ReportingPeriod(agreement=agreement, starts_on=start, ends_on=end)
    before = previous_period(agreement, start)
    live = Measure.objects.active().of_agreement(agreement).running_between(start, end)
    by_focus_area = live.counts(
        today, by="focus_area", until=end, compare_until=before.ends_on if before else None
    )
    due_by_focus_area = Measure.objects.due_counts(period, by="focus_area")
    focus_areas = []
    for focus_area in agreement.focus_areas.all():
        row = by_focus_area.get(focus_area.pk, {})
        due = due_by_focus_area.get(focus_area.pk, {})
        focus_areas.append(
            {
                "name": focus_area.name,
                "slug": focus_area.slug,
                "total": row.get("total", 0),
                "status": {v: row.get(f"status_{v}", 0) for v in Status.values},
                "assessment": {v: row.get(f"assessment_{v}", 0) for v in ASSESSMENT_VALUES},
                "before": {v: row.get(f"before_{v}", 0) for v in ASSESSMENT_VALUES}
                if before
                else None,
                "flags": {name: row.get(f"flag_{name}", 0) for name in FLAGS},
                "due": due.get("due", 0),
                "reported": due.get("reported", 0),
            }
        )

    measures = _annotate_then(_measures(agreement, start, end, today, period), end)
    rows = [_row(m, due=m.is_due, reported=m.reported_in_period) for m in measures]
    exceptions = []
    for row in rows:
        reasons = _exceptions(row)
        if reasons:
            exceptions.append({**row, "reasons": reasons})
    exceptions.sort(key=lambda r: (min(EXCEPTIONS.index(x) for x in r["reasons"]), r["title"]))

    report = {
        "kinds": _three_kinds(live, start, end),
        "effect": _effect(agreement, end),
        "agreement": {
            "title": agreement.title,
            "parties": f"{agreement.municipality} – {agreement.police_area}",
            "period_label": agreement.period_label,
        },
        "period": {
            "name": period.name or "",
            "start": start.isoformat(),
            "end": end.isoformat(),
            "deadline": _iso(period.deadline),
        },
        "compared_with": {"name": before.name, "end": before.ends_on.isoformat()}
        if before
        else None,
        "today": today.isoformat(),
        "summary": {
            "focus_areas": focus_areas,
            "totals": _add_up(focus_areas),
        },
        "exceptions": exceptions,
        "decisions_due": _decisions_due(agreement, period.deadline or end),
    }
    if everything:
        report["measures"] = rows
        report["pages"] = None
        return report
    per_page = DETAILED_PER_PAGE if detail else MEASURES_PER_PAGE
    paginator = Paginator(rows, per_page)
    shown = paginator.get_page(page)
    report["measures"] = list(shown.object_list)
    report["pages"] = shown
    if detail:
        _add_reports(report["measures"], start, end)
    return report


def _three_kinds(live, start, end):
    """Page one's figures of production and process, one query each."""
    finished = ProgressUpdate.objects.filter(
        measure=OuterRef("pk"), reported_on__range=(start, end), status=Status.DONE
    )
    production = live.order_by().aggregate(
        started=Count("pk", filter=Q(start_date__range=(start, end))),
        finished=Count("pk", filter=Q(Exists(finished))),
    )
    process = (
        ProgressUpdate.objects.filter(measure__in=live, reported_on__range=(start, end))
        .order_by()
        .aggregate(
            updates=Count("pk", distinct=True),
            approved=Count(
                "reviews", filter=Q(reviews__verdict=Review.Verdict.APPROVED), distinct=True
            ),
            needs_changes=Count(
                "reviews", filter=Q(reviews__verdict=Review.Verdict.NEEDS_CHANGES), distinct=True
            ),
        )
    )
    return {"production": production, "process": process}


def _number(value):
    return None if value is None else float(value)


def _effect(agreement, end):
    """Each indicator of the agreement against its baseline and target, by
    the newest value measured on or before the period's last day."""
    indicators = (
        Indicator.objects.filter(agreement=agreement)
        .select_related("focus_area")
        .with_latest(until=end)
        .order_by(F("focus_area__position").asc(nulls_last=True), "title", "pk")
    )
    return [
        {
            "id": i.pk,
            "title": i.title,
            "focus_area": i.focus_area.name if i.focus_area_id else "",
            "unit": i.unit,
            "direction": i.direction,
            "baseline": _number(i.baseline_value),
            "baseline_on": i.baseline_on.isoformat(),
            "target": _number(i.target_value),
            "target_on": i.target_on.isoformat(),
            "value": _number(i.latest_value),
            "measured_on": _iso(i.latest_on),
            "verdict": str(i.verdict()),
            "share": i.share_of_way(),
        }
        for i in indicators
    ]


def _add_up(focus_areas):
    totals = {"total": 0, "due": 0, "reported": 0}
    for key in ("status", "assessment", "flags", "before"):
        totals[key] = {}
    for row in focus_areas:
        for key in ("total", "due", "reported"):
            totals[key] += row[key]
        for key in ("status", "assessment", "flags", "before"):
            for name, count in (row[key] or {}).items():
                totals[key][name] = totals[key].get(name, 0) + count
    if not any(row["before"] is not None for row in focus_areas):
        totals["before"] = None
    return totals


def _decisions_due(agreement, by_day):
    decisions = (
        Decision.objects.filter(meeting__agreement=agreement, status=Decision.Status.OPEN)
        .filter(Q(due_on__lte=by_day))
        .select_related("meeting", "owner", "measure")
        .order_by("due_on", "pk")
    )
    return [
        {
            "text": d.text,
            "due_on": _iso(d.due_on),
            "owner": person_name(d.owner) if d.owner_id else "",
            "meeting": d.meeting.title,
            "measure": d.measure.title if d.measure_id else "",
        }
        for d in decisions
    ]


def _add_reports(rows, start, end):
    """Each measure's progress updates of the period, with their reviews."""
    updates = (
        ProgressUpdate.objects.filter(
            measure__in=[row["id"] for row in rows], reported_on__range=(start, end)
        )
        .select_related("author")
        .prefetch_related(Prefetch("reviews", queryset=Review.objects.select_related("reviewer")))
        .order_by("reported_on", "pk")
    )
    by_measure = {}
    for update in updates:
        by_measure.setdefault(update.measure_id, []).append(
            {
                "reported_on": update.reported_on.isoformat(),
                "status": update.status,
                "assessment": update.assessment,
                "progress": update.progress,
                "summary": update.summary,
                "next_steps": update.next_steps,
                "author": person_name(update.author) if update.author_id else "",
                "reviews": [
                    {"verdict": r.verdict, "reviewer": person_name(r.reviewer)}
                    for r in update.reviews.all()
                ],
            }
        )
    for row in rows:
        row["updates"] = by_measure.get(row["id"], [])


def labels():
    """The Swedish words for the stored values, for templates."""
    return {
        "status": dict(Status.choices),
        "assessment": dict(ASSESSMENTS),
        "flags": dict(FLAGS),
        "party": dict(Party.choices),
        "verdict": dict(Review.Verdict.choices),
        "indicator_verdict": dict(Indicator.Verdict.choices),
    }


# Column heads of the summary table: short, with the shape beside them.
ASSESSMENT_HEADS = [
    ("green", _("Green")),
    ("yellow", _("Yellow")),
    ("red", _("Red")),
    ("none", _("Not assessed")),
]

REASONS = {
    "red": _("Red"),
    "yellow": _("Yellow"),
    "overdue": _("Overdue"),
    "not_reported": _("Not reported"),
}


def _assessment_cells(counts, before):
    words = dict(ASSESSMENTS)
    return [
        {
            "value": value,
            "label": words[value],
            "count": counts.get(value, 0),
            "delta": None if before is None else counts.get(value, 0) - before.get(value, 0),
        }
        for value in ASSESSMENT_VALUES
    ]


def _summary_row(row):
    statuses = dict(Status.choices)
    return {
        **row,
        "assessments": _assessment_cells(row["assessment"], row["before"]),
        "statuses": [
            {"value": value, "label": statuses[value], "count": row["status"].get(value, 0)}
            for value in Status.values
        ],
        "flag_list": [
            {"name": name, "label": FLAGS[name], "count": count}
            for name, count in row["flags"].items()
            if count
        ],
    }


def _measure_row(row):
    words = labels()
    return {
        **row,
        "status_label": words["status"].get(row["status"], row["status"]),
        "assessment_label": words["assessment"].get(row["assessment"], row["assessment"]),
        "party_label": words["party"].get(row["party"], row["party"]),
        "flag_labels": [words["flags"][name] for name in row["flags"] if name in words["flags"]],
        "reason_labels": [
            {"value": reason, "label": REASONS[reason]} for reason in row.get("reasons", [])
        ],
        "updates": [
            {
                **update,
                "status_label": words["status"].get(update["status"], update["status"]),
                "assessment_label": words["assessment"].get(
                    update["assessment"], update["assessment"]
                ),
                "reviews": [
                    {**review, "verdict_label": words["verdict"].get(review["verdict"], "")}
                    for review in update["reviews"]
                ],
            }
            for update in row.get("updates", [])
        ],
    }


def _effect_rows(rows):
    words = dict(Indicator.Verdict.choices)
    return [{**row, "verdict_label": words.get(row["verdict"], row["verdict"])} for row in rows]


def _verdict_counts(rows):
    counts = dict.fromkeys(Indicator.Verdict.values, 0)
    for row in rows:
        counts[row["verdict"]] = counts.get(row["verdict"], 0) + 1
    return [
        {"value": value, "label": label, "count": counts[value]}
        for value, label in Indicator.Verdict.choices
        if counts[value]
    ]


def present(data):
    """The report's data with its values put into words, ready for a template.

    A meeting frozen before the report had its three kinds of follow-up has
    neither `kinds` nor `effect`; its report shows without them."""
    effect = data.get("effect")
    groups = []
    for row in data["measures"]:
        if not groups or groups[-1]["focus_area"] != row["focus_area"]:
            groups.append({"focus_area": row["focus_area"], "rows": []})
        groups[-1]["rows"].append(_measure_row(row))
    return {
        **data,
        "summary": {
            "focus_areas": [_summary_row(row) for row in data["summary"]["focus_areas"]],
            "totals": _summary_row(data["summary"]["totals"]),
        },
        "exceptions": [_measure_row(row) for row in data["exceptions"]],
        "exception_count": data.get("exception_count", len(data["exceptions"])),
        "effect": None if effect is None else _effect_rows(effect),
        "verdicts": None if effect is None else _verdict_counts(effect),
        "groups": groups,
        "assessment_legend": ASSESSMENT_HEADS,
        "status_legend": Status.choices,
    }


def for_meeting(meeting, *, today):
    """A meeting's record: its minutes and decisions, and its period's report
    (the agreement so far, without a period). Frozen, it is the meeting's
    snapshot: it names people and measures as they were named then."""
    period = meeting.period
    if period is not None:
        start, end = period.starts_on, period.ends_on
    else:
        start = meeting.agreement.valid_from
        end = min(meeting.held_on, meeting.agreement.valid_until)
    data = build(
        agreement=meeting.agreement,
        start=start,
        end=end,
        today=today,
        period=period,
        everything=True,
    )
    decisions = meeting.decisions.select_related("owner", "measure").order_by("pk")
    data["meeting"] = {
        "title": meeting.title,
        "held_on": meeting.held_on.isoformat(),
        "participants": meeting.participants,
        "notes": meeting.notes,
        "frozen_at": None,
        "frozen_by": None,
        "decisions": [
            {
                "text": d.text,
                "owner": person_name(d.owner) if d.owner_id else "",
                "due_on": _iso(d.due_on),
                "measure": d.measure.title if d.measure_id else "",
            }
            for d in decisions
        ],
    }
    return data
