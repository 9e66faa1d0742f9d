"""The follow-up pages: overview, the agreement, focus areas, districts and the report.

Every page runs a constant number of queries: counts come from aggregates in
the database and long lists are paginated.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from agreement.current import current_agreement
from agreement.models import Area, FocusArea

from . import charts
from .models import (
    FLAGS,
    Measure,
    ProgressUpdate,
    Review,
    Status,
    flag_conditions,
    flag_description,
)
from .roles import has_role

PAGE_SIZE = 25
ATTENTION_ROWS = 5


def _agreement(request):
    agreement = current_agreement(request)
    if agreement is None:
        raise Http404(_("No agreement has been entered yet."))
    return agreement


def _measures(agreement):
    """The agreement's live (not archived) measures."""
    return Measure.objects.filter(focus_area__agreement=agreement, is_archived=False)


def _flag_conditions(today):
    return flag_conditions(today, settings.STALE_AFTER_DAYS)


def _stat_columns(today):
    """Counts by status and by flag, for one aggregate query."""
    columns = {"total": Count("pk")}
    for value, _label in Status.choices:
        columns[f"status_{value}"] = Count("pk", filter=Q(status=value))
    for name, condition in _flag_conditions(today).items():
        columns[f"flag_count_{name}"] = Count("pk", filter=condition)
    return columns


STAT_KEYS = ["total", *(f"status_{v}" for v in Status.values), *(f"flag_count_{n}" for n in FLAGS)]


def _summary(row):
    """Counts by status and flag from one aggregate row, ready for a template."""
    row = row or {}
    counts = {value: row.get(f"status_{value}", 0) for value, _label in Status.choices}
    total = row.get("total", 0)
    countable = total - counts[Status.CANCELLED]
    return {
        "total": total,
        # Cancelled measures are left out of the share done, so "done of countable"
        # is the fraction that matches the percentage shown beside it.
        "countable": countable,
        "counts": counts,
        "by_status": [(value, label, counts[value]) for value, label in Status.choices],
        "done": counts[Status.DONE],
        "share_done": round(100 * counts[Status.DONE] / countable) if countable else 0,
        "bar": charts.status_bar(counts, Status.choices),
        "flags": [
            (name, label, row.get(f"flag_count_{name}", 0))
            for name, label in FLAGS.items()
            if row.get(f"flag_count_{name}", 0)
        ],
    }


def _add_up(rows):
    """One aggregate row from several (focus areas into the whole agreement)."""
    rows = list(rows)
    return {key: sum(row.get(key, 0) for row in rows) for key in STAT_KEYS}


def _month_columns(agreement):
    """Per calendar month of the agreement: how many measures run in it."""
    return {
        f"month_{i}": Count("pk", filter=Q(start_date__lte=end, end_date__gte=start))
        for i, (start, end) in enumerate(charts.month_spans(agreement))
    }


def _timeline(agreement, rows, labels, today):
    """The heatmap of running measures, one row per group, from aggregate rows
    that carry the month columns."""
    months = len(charts.month_spans(agreement))
    lines = [
        (label, [rows.get(key, {}).get(f"month_{i}", 0) for i in range(months)])
        for key, label in labels
    ]
    return charts.heatmap(agreement, lines, today)


@require_safe
def overview(request):
    if not request.user.has_perm("measures.view_measure"):
        if not has_role(request.user):
            # Logged in but not yet given a role: say so, and whom to ask.
            return render(request, "measures/no_role.html")
        raise PermissionDenied
    today = timezone.localdate()
    agreement = _agreement(request)
    user = request.user
    focus_areas = list(agreement.focus_areas.all())
    measures = _measures(agreement)
    conditions = _flag_conditions(today)

    # One pass over the measures gives the cards, the totals and the timeline.
    rows = {
        row["focus_area"]: row
        for row in measures.order_by()
        .values("focus_area")
        .annotate(**_stat_columns(today), **_month_columns(agreement))
    }
    cards = [(fa, _summary(rows.get(fa.pk))) for fa in focus_areas]
    totals = _summary(_add_up(rows.values()))

    attention = []
    flag_counts = {name: count for name, _label, count in totals["flags"]}
    for name, label in FLAGS.items():
        if not flag_counts.get(name):
            continue
        examples = list(
            measures.filter(conditions[name])
            .select_related("focus_area")
            .order_by("end_date", "pk")[:ATTENTION_ROWS]
        )
        attention.append(
            {
                "name": name,
                "label": label,
                "description": flag_description(name),
                "count": flag_counts[name],
                "examples": examples,
            }
        )

    recent = list(
        ProgressUpdate.objects.filter(
            measure__focus_area__agreement=agreement, measure__is_archived=False
        )
        .select_related("measure", "author")
        .order_by("-reported_on", "-created_at", "-pk")[:8]
    )

    waiting = None
    if user.has_perm("measures.add_review"):
        waiting = ProgressUpdate.objects.awaiting_review(user).count()
    mine = None
    if user.has_perm("measures.change_measure"):
        flagged = Q()
        for condition in conditions.values():
            flagged |= condition
        mine = list(
            measures.filter(owner=user)
            .with_flags(today)
            .with_needs_changes()
            .filter(flagged | Q(needs_changes=True))
            .select_related("focus_area")
            .order_by("end_date", "pk")[:10]
        )

    return render(
        request,
        "measures/overview.html",
        {
            "agreement": agreement,
            "today": today,
            "days_elapsed": agreement.days_elapsed(today),
            "days_left": agreement.days_left(today),
            "share_elapsed": agreement.share_elapsed(today),
            "elapsed_bar": charts.span(
                agreement, agreement.valid_from, min(today, agreement.valid_until), today
            ),
            "totals": totals,
            "cards": cards,
            "attention": attention,
            "timeline": _timeline(agreement, rows, [(fa.pk, fa.name) for fa in focus_areas], today),
            "recent": recent,
            "waiting": waiting,
            "mine": mine,
        },
    )


@require_safe
@permission_required("measures.view_measure", raise_exception=True)
def agreement_detail(request):
    today = timezone.localdate()
    agreement = _agreement(request)
    focus_areas = agreement.focus_areas.annotate(
        measure_count=Count("measures", filter=Q(measures__is_archived=False))
    )
    areas = Area.objects.annotate(
        measure_count=Count(
            "measures",
            filter=Q(measures__is_archived=False, measures__focus_area__agreement=agreement),
        )
    )
    return render(
        request,
        "measures/agreement_detail.html",
        {
            "agreement": agreement,
            "focus_areas": focus_areas,
            "areas": areas,
            "days_elapsed": agreement.days_elapsed(today),
            "days_left": agreement.days_left(today),
            "share_elapsed": agreement.share_elapsed(today),
        },
    )


def _measure_page(request, queryset, agreement, today):
    page = Paginator(
        queryset.select_related("focus_area", "owner")
        .with_latest_update()
        .with_flags(today)
        .order_by("start_date", "title", "pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return page, charts.gantt(agreement, page.object_list, today)


@require_safe
@permission_required("measures.view_measure", raise_exception=True)
def focus_area_detail(request, slug):
    today = timezone.localdate()
    agreement = _agreement(request)
    focus_area = get_object_or_404(FocusArea, agreement=agreement, slug=slug)
    measures = _measures(agreement).filter(focus_area=focus_area)
    summary = _summary(measures.order_by().aggregate(**_stat_columns(today)))
    page, gantt = _measure_page(request, measures, agreement, today)
    return render(
        request,
        "measures/focusarea_detail.html",
        {
            "agreement": agreement,
            "focus_area": focus_area,
            "summary": summary,
            "page": page,
            "gantt": gantt,
            "today": today,
        },
    )


@require_safe
@permission_required("measures.view_measure", raise_exception=True)
def area_detail(request, slug):
    today = timezone.localdate()
    agreement = _agreement(request)
    area = get_object_or_404(Area, slug=slug)
    focus_areas = list(agreement.focus_areas.all())
    measures = _measures(agreement).filter(areas=area)
    rows = {
        row["focus_area"]: row
        for row in measures.order_by().values("focus_area").annotate(**_stat_columns(today))
    }
    by_focus_area = [(fa, _summary(rows.get(fa.pk))) for fa in focus_areas]
    summary = _summary(_add_up(rows.values()))
    page, gantt = _measure_page(request, measures, agreement, today)
    return render(
        request,
        "measures/area_detail.html",
        {
            "agreement": agreement,
            "area": area,
            "summary": summary,
            "by_focus_area": by_focus_area,
            "page": page,
            "gantt": gantt,
            "today": today,
        },
    )


class ReportPeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The first day of the period (YYYY-MM-DD)."),
    )
    end = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The last day of the period (YYYY-MM-DD)."),
    )

    def add_prefix(self, field_name):
        # The query string says `from` and `to`, which are Python keywords.
        return {"start": "from", "end": "to"}.get(field_name, field_name)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The period cannot end before it starts."))
        return cleaned


@require_safe
@permission_required("measures.view_measure", raise_exception=True)
def report(request):
    today = timezone.localdate()
    agreement = _agreement(request)
    default_start = max(agreement.valid_from, today - datetime.timedelta(days=182))
    default_end = min(today, agreement.valid_until)
    if "from" in request.GET or "to" in request.GET:
        form = ReportPeriodForm(request.GET)
        valid = form.is_valid()
    else:
        form = ReportPeriodForm(initial={"start": default_start, "end": default_end})
        valid = False
    start = form.cleaned_data["start"] if valid else default_start
    end = form.cleaned_data["end"] if valid else default_end
    if form.is_bound and not valid:
        sections = []
    else:
        in_period = (
            ProgressUpdate.objects.filter(reported_on__range=(start, end))
            .select_related("author")
            .prefetch_related(
                Prefetch("reviews", queryset=Review.objects.select_related("reviewer"))
            )
            .order_by("reported_on", "pk")
        )
        measures = (
            _measures(agreement)
            .with_latest_update(until=end)
            .with_flags(today)
            .filter(start_date__lte=end, end_date__gte=start)
            .select_related("focus_area", "owner")
            .prefetch_related(Prefetch("updates", queryset=in_period, to_attr="period_updates"))
            .order_by("focus_area__position", "start_date", "title", "pk")
        )
        grouped = {}
        for measure in measures:
            grouped.setdefault(measure.focus_area_id, []).append(measure)
        sections = [
            {
                "focus_area": fa,
                "measures": grouped.get(fa.pk, []),
                "summary": _summary(
                    {
                        "total": len(grouped.get(fa.pk, [])),
                        **{
                            f"status_{value}": sum(
                                1 for m in grouped.get(fa.pk, []) if m.status == value
                            )
                            for value, _label in Status.choices
                        },
                    }
                ),
            }
            for fa in agreement.focus_areas.all()
        ]
    return render(
        request,
        "measures/report.html",
        {
            "agreement": agreement,
            "form": form,
            "start": start,
            "end": end,
            "sections": sections,
            "today": today,
            "generated": timezone.localtime(),
            "assessments": ProgressUpdate.Assessment.choices,
        },
    )
