"""The follow-up pages: the overview, the agreement, focus areas and districts.

Every page runs a constant number of queries: the figures come from
`MeasureQuerySet.counts` in one aggregate query, and long lists are
paginated. This module only puts the figures into words and shapes.
"""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, OuterRef, Q, When
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from agreement.models import (
    Area,
    CitizenPromise,
    FocusArea,
    Indicator,
    ReportingPeriod,
    SituationReport,
)

from . import charts
from .freshness import cached_page, cached_page_part, current_agreement
from .models import (
    ASSESSMENT_VALUES,
    ASSESSMENTS,
    FLAGS,
    Measure,
    MeasureProblem,
    ProgressUpdate,
    Status,
    addresses_problem,
    flag_conditions,
)
from .roles import has_role

PAGE_SIZE = 25
# Rows of the overview's lists before "show all".
ATTENTION_ROWS = 10
ASSESSED_ROWS = 8
RECENT_ROWS = 8
MINE_ROWS = 10
# Bars a focus area's or district's page draws in its timeline; more than
# that and the page links to the timeline on a page of its own instead.
TIMELINE_ROWS = 100


def _agreement(request):
    agreement = current_agreement(request)
    if agreement is None:
        raise Http404("No agreement has been entered yet.")
    return agreement


def _live(agreement):
    """The agreement's live (not archived) measures."""
    return Measure.objects.active().of_agreement(agreement)


def summary(row, *, compared=False):
    """One row of `MeasureQuerySet.counts` in words: by status (with the share
    done and a bar), by assessment (with the change since the day compared
    with), and the flags that occur."""
    row = row or {}
    counts = {value: row.get(f"status_{value}", 0) for value in Status.values}
    total = row.get("total", 0)
    # Cancelled measures will never be done, so they do not count against it.
    countable = total - counts[Status.CANCELLED]
    words = dict(ASSESSMENTS)
    return {
        "total": total,
        "countable": countable,
        "done": counts[Status.DONE],
        "share_done": round(100 * counts[Status.DONE] / countable) if countable else 0,
        "bar": charts.status_bar(counts, Status.choices),
        "assessments": [
            {
                "value": value,
                "label": words[value],
                "count": row.get(f"assessment_{value}", 0),
                "delta": row.get(f"assessment_{value}", 0) - row.get(f"before_{value}", 0)
                if compared
                else None,
            }
            for value in ASSESSMENT_VALUES
        ],
        "flags": [
            (name, label, row.get(f"flag_{name}", 0))
            for name, label in FLAGS.items()
            if row.get(f"flag_{name}", 0)
        ],
    }


def add_up(rows):
    """One counts row from several (the focus areas into the whole agreement)."""
    total = {}
    for row in rows:
        for key, value in row.items():
            if isinstance(value, int) and key != "focus_area":
                total[key] = total.get(key, 0) + value
    return total


def _previous_period_end(agreement, period, today):
    """The day the overview compares assessments with: the end of the period
    before the one reported now (or before today)."""
    before = period.starts_on if period else today
    previous = (
        ReportingPeriod.objects.filter(agreement=agreement, ends_on__lt=before)
        .order_by("-ends_on")
        .first()
    )
    return previous


@require_safe
def overview(request):
    user = request.user
    if not user.has_perm("measures.view_measure"):
        if not has_role(user):
            # Logged in but not yet given a role: say so, and whom to ask.
            return render(request, "measures/no_role.html")
        raise PermissionDenied
    agreement = _agreement(request)
    body = cached_page_part(
        "overview",
        agreement.pk,
        user.pk,
        render=lambda: _overview_body(agreement, user),
        holder=user,
    )
    return render(
        request,
        "measures/overview.html",
        {"agreement": agreement, "body": mark_safe(body)},  # noqa: S308 — our own rendered template
    )


def _overview_body(agreement, user):
    """Everything below the overview's heading, for one user: the shared
    figures and the lists that are the user's own."""
    today = timezone.localdate()
    focus_areas = list(agreement.focus_areas.all())
    measures = _live(agreement)
    period = agreement.periods.for_reporting(today)
    previous = _previous_period_end(agreement, period, today)
    months = charts.month_spans(agreement)

    # One pass over the measures: the cards, the totals and the timeline.
    rows = measures.counts(
        today,
        by="focus_area",
        compare_until=previous.ends_on if previous else None,
        months=months,
    )
    compared = previous is not None
    cards = [(fa, summary(rows.get(fa.pk), compared=compared)) for fa in focus_areas]
    totals = summary(add_up(rows.values()), compared=compared)

    conditions = flag_conditions(today)
    any_flag = Q()
    for condition in conditions.values():
        any_flag |= condition
    attention = list(
        measures.filter(any_flag).for_listing(today).order_by("end_date", "pk")[:ATTENTION_ROWS]
    )
    attention_total = measures.filter(any_flag).count()

    # Red first, then yellow: what the steering group talks about.
    assessed = list(
        measures.for_listing(today)
        .filter(latest_assessment__in=["red", "yellow"])
        .annotate(rank=Case(When(latest_assessment="red", then=0), default=1))
        .order_by("rank", "last_reported_on", "pk")[:ASSESSED_ROWS]
    )

    recent = list(
        ProgressUpdate.objects.filter(
            measure__focus_area__agreement=agreement, measure__is_archived=False
        )
        .select_related("measure", "author")
        .newest_first()[:RECENT_ROWS]
    )

    waiting = None
    if user.has_perm("measures.add_review"):
        waiting = ProgressUpdate.objects.awaiting_review(user).count()

    reporting = None
    if period is not None:
        counts = Measure.objects.due_counts(period)
        my_due = list(
            Measure.objects.due_in(period)
            .with_reported_in(period)
            .filter(owner=user, reported_in_period=False)
            .select_related("focus_area")
            .order_by("end_date", "title", "pk")[:MINE_ROWS]
        )
        last_day = period.reopened_until if period.is_reopened(today) else period.deadline
        reporting = {
            "period": period,
            "last_day": last_day,
            "days_to_deadline": (last_day - today).days,
            "mine": my_due,
            **counts,
        }

    mine = None
    if user.has_perm("measures.change_measure"):
        mine = list(
            measures.filter(owner=user)
            .with_flags(today)
            .with_needs_changes()
            .filter(any_flag | Q(needs_changes=True))
            .select_related("focus_area")
            .order_by("end_date", "pk")[:MINE_ROWS]
        )

    return render_to_string(
        "measures/_overview_body.html",
        {
            "agreement": agreement,
            "user": user,
            "today": today,
            "days_elapsed": agreement.days_elapsed(today),
            "days_left": agreement.days_left(today),
            "share_elapsed": agreement.share_elapsed(today),
            "totals": totals,
            "cards": cards,
            "compared_with": previous,
            "attention": attention,
            "attention_total": attention_total,
            "assessed": assessed,
            "timeline": _timeline(agreement, rows, [(fa.pk, fa.name) for fa in focus_areas], today),
            "recent": recent,
            "waiting": waiting,
            "reporting": reporting,
            "mine": mine,
        },
    )


def _timeline(agreement, rows, labels, today):
    """The heatmap of running measures, one row per group, from counts rows
    that carry the month columns."""
    months = len(charts.month_spans(agreement))
    lines = [
        (label, [rows.get(key, {}).get(f"month_{i}", 0) for i in range(months)])
        for key, label in labels
    ]
    return charts.heatmap(agreement, lines, today)


@require_safe
@permission_required("measures.view_measure", raise_exception=True)
def agreement_detail(request):
    agreement = _agreement(request)

    def make():
        today = timezone.localdate()
        return {
            "chain": _chain(agreement),
            "focus_areas": agreement.focus_areas.annotate(
                measure_count=Count("measures", filter=Q(measures__is_archived=False))
            ),
            "areas": Area.objects.in_swedish_order().annotate(
                measure_count=Count(
                    "measures",
                    filter=Q(
                        measures__is_archived=False, measures__focus_area__agreement=agreement
                    ),
                )
            ),
            "days_elapsed": agreement.days_elapsed(today),
            "days_left": agreement.days_left(today),
            "share_elapsed": agreement.share_elapsed(today),
        }

    return cached_page(
        request,
        "measures/agreement_detail.html",
        "measures/_agreement_body.html",
        "agreement",
        [agreement.pk],
        make,
        agreement=agreement,
    )


def _chain(agreement):
    """The law's chain at a glance: the newest situation report and its
    problems no live measure addresses, the action plan's measures and those
    that name no problem, the indicators by verdict, the citizen promises."""
    report = SituationReport.objects.latest_for(agreement)
    problems = {"total": 0, "unaddressed": 0}
    if report is not None:
        addressed = Exists(
            MeasureProblem.objects.filter(problem=OuterRef("pk"), measure__is_archived=False)
        )
        problems = report.problems.aggregate(
            total=Count("pk"), unaddressed=Count("pk", filter=~Q(addressed))
        )
    measures = _live(agreement).aggregate(
        total=Count("pk"), without_problem=Count("pk", filter=~Q(addresses_problem()))
    )
    indicators = list(Indicator.objects.filter(agreement=agreement).with_latest())
    verdicts = dict.fromkeys(Indicator.Verdict.values, 0)
    for indicator in indicators:
        verdicts[indicator.verdict()] += 1
    return {
        "report": report,
        "problems": problems,
        "measures": measures,
        "indicator_count": len(indicators),
        "verdicts": [
            {"value": value, "label": label, "count": verdicts[value]}
            for value, label in Indicator.Verdict.choices
            if verdicts[value]
        ],
        "promise_count": CitizenPromise.objects.filter(agreement=agreement).count(),
    }


def _measure_page(request, queryset, agreement, today):
    """A page of the measures' table, and the timeline of all of them, or
    None when they are too many to read on the page (see TIMELINE_ROWS)."""
    ordered = queryset.for_listing(today).order_by("start_date", "title", "pk")
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    if page.paginator.count > TIMELINE_ROWS:
        return page, None
    return page, _timeline_of(queryset, agreement, today)


def _timeline_of(queryset, agreement, today):
    everyone = queryset.with_flags(today).order_by("start_date", "title", "pk")
    return charts.timeline(agreement, everyone, today)


@require_safe
@permission_required("measures.view_measure", raise_exception=True)
def focus_area_detail(request, slug):
    agreement = _agreement(request)
    focus_area = get_object_or_404(FocusArea, agreement=agreement, slug=slug)

    def make():
        today = timezone.localdate()
        measures = _live(agreement).filter(focus_area=focus_area)
        previous = _previous_period_end(agreement, agreement.periods.for_reporting(today), today)
        figures = summary(
            measures.counts(today, compare_until=previous.ends_on if previous else None),
            compared=previous is not None,
        )
        page, timeline = _measure_page(request, measures, agreement, today)
        return {
            "summary": figures,
            "compared_with": previous,
            "page": page,
            "timeline": timeline,
            "timeline_url": reverse("measures:focus_area_timeline", args=[slug]),
            "today": today,
            "indicators": list(
                Indicator.objects.filter(focus_area=focus_area)
                .with_latest()
                .order_by("title", "pk")
            ),
        }

    return cached_page(
        request,
        "measures/focusarea_detail.html",
        "measures/_focusarea_body.html",
        "focusarea",
        [focus_area.pk],
        make,
        agreement=agreement,
        focus_area=focus_area,
    )


@require_safe
@permission_required("measures.view_measure", raise_exception=True)
def area_detail(request, slug):
    agreement = _agreement(request)
    area = get_object_or_404(Area, slug=slug)

    def make():
        today = timezone.localdate()
        focus_areas = list(agreement.focus_areas.all())
        measures = _live(agreement).filter(areas=area)
        rows = measures.counts(today, by="focus_area")
        page, timeline = _measure_page(request, measures, agreement, today)
        return {
            "summary": summary(add_up(rows.values())),
            "by_focus_area": [(fa, summary(rows.get(fa.pk))) for fa in focus_areas],
            "page": page,
            "timeline": timeline,
            "timeline_url": reverse("measures:area_timeline", args=[slug]),
            "today": today,
        }

    return cached_page(
        request,
        "measures/area_detail.html",
        "measures/_area_body.html",
        "area",
        [agreement.pk, area.pk],
        make,
        agreement=agreement,
        area=area,
    )


@require_safe
@permission_required("measures.view_measure", raise_exception=True)
def focus_area_timeline(request, slug):
    """Every measure of a focus area in one timeline, however many."""
    agreement = _agreement(request)
    focus_area = get_object_or_404(FocusArea, agreement=agreement, slug=slug)
    measures = _live(agreement).filter(focus_area=focus_area)
    back = reverse("measures:focus_area", args=[slug])
    return _timeline_page(request, agreement, focus_area, measures, back)


@require_safe
@permission_required("measures.view_measure", raise_exception=True)
def area_timeline(request, slug):
    """Every measure of a district in one timeline, however many."""
    agreement = _agreement(request)
    area = get_object_or_404(Area, slug=slug)
    back = reverse("measures:area", args=[slug])
    return _timeline_page(request, agreement, area, _live(agreement).filter(areas=area), back)


def _timeline_page(request, agreement, group, measures, back):
    def make():
        return {"timeline": _timeline_of(measures, agreement, timezone.localdate())}

    return cached_page(
        request,
        "measures/timeline.html",
        "measures/_timeline_body.html",
        "timeline",
        [agreement.pk, type(group).__name__, group.pk],
        make,
        agreement=agreement,
        group=group,
        back=back,
    )
