"""The law's chain (Lag 2023:196): from the situation report (lägesbild) and
its problems, through the measures that address them, to the indicators that
show their effect, and the citizen promises (medborgarlöften) the measures
keep. Each page is of the current agreement and runs a constant number of
queries, however many measures there are.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from agreement.models import CitizenPromise, Indicator, IndicatorValue, SituationReport

from . import charts
from .forms import IndicatorValueForm
from .freshness import current_agreement
from .models import ASSESSMENTS, Measure, MeasureIndicator, MeasurePromise

form_methods = require_http_methods(["GET", "HEAD", "POST"])


def _agreement(request):
    agreement = current_agreement(request)
    if agreement is None:
        raise Http404(_("No agreement has been entered yet."))
    return agreement


def _live_measures():
    """The measures as the chain's pages list them: live, with their current assessment."""
    return (
        Measure.objects.active()
        .with_assessment()
        .select_related("focus_area")
        .order_by("title", "pk")
    )


def _assessment_words():
    return dict(ASSESSMENTS)


def _with_assessment_labels(measures):
    words = _assessment_words()
    for measure in measures:
        measure.assessment_text = words[measure.assessment]
    return measures


# --- The situation report and its problems


@require_safe
@permission_required("agreement.view_situationreport", raise_exception=True)
def situation_latest(request):
    agreement = _agreement(request)
    return _situation_page(request, agreement, SituationReport.objects.latest_for(agreement))


@require_safe
@permission_required("agreement.view_situationreport", raise_exception=True)
def situation_detail(request, pk):
    agreement = _agreement(request)
    report = get_object_or_404(SituationReport, pk=pk, agreement=agreement)
    return _situation_page(request, agreement, report)


def _situation_page(request, agreement, report):
    """A situation report's problems, each with the live measures that
    address it; with `?unaddressed=1` only the problems none addresses."""
    reports = list(
        SituationReport.objects.filter(agreement=agreement).order_by("-prepared_on", "-pk")
    )
    problems = []
    if report is not None:
        problems = list(
            report.problems.select_related("focus_area")
            .prefetch_related(
                "areas",
                Prefetch("measures", queryset=_live_measures(), to_attr="live_measures"),
            )
            .order_by(F("focus_area__position").asc(nulls_last=True), "pk")
        )
    for problem in problems:
        _with_assessment_labels(problem.live_measures)
    unaddressed = [p for p in problems if not p.live_measures]
    only_unaddressed = request.GET.get("unaddressed") == "1"
    return render(
        request,
        "measures/situationreport_detail.html",
        {
            "agreement": agreement,
            "report": report,
            "reports": reports,
            "is_latest": bool(reports) and report is not None and report.pk == reports[0].pk,
            "problems": unaddressed if only_unaddressed else problems,
            "problem_count": len(problems),
            "unaddressed_count": len(unaddressed),
            "only_unaddressed": only_unaddressed,
            "without_problem": Measure.objects.active()
            .of_agreement(agreement)
            .without_problem()
            .count(),
        },
    )


# --- Indicators


def _measure_counts():
    """How many live measures name the indicator."""
    counted = (
        MeasureIndicator.objects.filter(indicator=OuterRef("pk"), measure__is_archived=False)
        .order_by()
        .values("indicator")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), Value(0))


def _verdicts(indicators):
    """Each indicator's verdict and share of the way, and how many have each verdict."""
    counts = dict.fromkeys(Indicator.Verdict.values, 0)
    for indicator in indicators:
        indicator.verdict_value = indicator.verdict()
        indicator.verdict_label = Indicator.Verdict(indicator.verdict_value).label
        indicator.share = indicator.share_of_way()
        counts[indicator.verdict_value] += 1
    return [
        {"value": value, "label": label, "count": counts[value]}
        for value, label in Indicator.Verdict.choices
    ]


@require_safe
@permission_required("agreement.view_indicator", raise_exception=True)
def indicator_list(request):
    agreement = _agreement(request)
    indicators = list(
        Indicator.objects.filter(agreement=agreement)
        .select_related("focus_area")
        .with_latest()
        .annotate(measure_count=_measure_counts())
        .order_by(F("focus_area__position").asc(nulls_last=True), "title", "pk")
    )
    return render(
        request,
        "measures/indicator_list.html",
        {
            "agreement": agreement,
            "indicators": indicators,
            "verdicts": _verdicts(indicators),
            "can_add_value": request.user.has_perm("agreement.add_indicatorvalue"),
        },
    )


def _get_indicator(request, pk):
    """An indicator of the current agreement; other agreements' are not found."""
    return get_object_or_404(
        Indicator.objects.select_related("focus_area", "agreement"),
        pk=pk,
        agreement=_agreement(request),
    )


@require_safe
@permission_required("agreement.view_indicator", raise_exception=True)
def indicator_detail(request, pk):
    indicator = _get_indicator(request, pk)
    today = timezone.localdate()
    values = list(indicator.values.select_related("entered_by").order_by("measured_on", "pk"))
    since_baseline = [v for v in values if v.measured_on >= indicator.baseline_on]
    latest = since_baseline[-1] if since_baseline else None
    indicator.latest_value = latest.value if latest else None
    indicator.latest_on = latest.measured_on if latest else None
    _verdicts([indicator])
    # Each value's change from the one before, for the table.
    previous = None
    for value in values:
        value.change = None if previous is None else value.value - previous.value
        previous = value
    measures = _with_assessment_labels(
        list(
            Measure.objects.filter(indicators=indicator)
            .active()
            .with_assessment()
            .select_related("focus_area")
            .order_by("title", "pk")
        )
    )
    return render(
        request,
        "measures/indicator_detail.html",
        {
            "agreement": indicator.agreement,
            "indicator": indicator,
            "values": values,
            "newest_first": list(reversed(values)),
            "latest": latest,
            "chart": charts.indicator_chart(indicator, values, today),
            "areas": list(indicator.areas.all()),
            "measures": measures,
            "today": today,
            "can_add_value": request.user.has_perm("agreement.add_indicatorvalue"),
        },
    )


@form_methods
@permission_required("agreement.add_indicatorvalue", raise_exception=True)
def indicator_value_create(request, pk):
    indicator = _get_indicator(request, pk)
    form = IndicatorValueForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        value = form.save(commit=False)
        value.entered_by = request.user
        value._history_user = request.user
        try:
            with transaction.atomic():
                value.save()
        except IntegrityError:
            # Someone entered a value for the same day a moment ago.
            form.add_error(
                "measured_on",
                _(
                    "A value for %(day)s was entered by someone else a moment ago. One value "
                    "per day: choose another day, or ask an administrator to correct that one."
                )
                % {"day": value.measured_on.isoformat()},
            )
        else:
            messages.success(
                request,
                _("The value for %(day)s was saved.") % {"day": value.measured_on.isoformat()},
            )
            return redirect("measures:indicator", pk=indicator.pk)
    latest = IndicatorValue.objects.filter(indicator=indicator).order_by("-measured_on").first()
    return render(
        request,
        "measures/indicatorvalue_form.html",
        {"form": form, "indicator": indicator, "latest": latest},
    )


# --- Citizen promises


@require_safe
@permission_required("agreement.view_citizenpromise", raise_exception=True)
def promise_list(request):
    agreement = _agreement(request)
    promises = list(
        CitizenPromise.objects.filter(agreement=agreement)
        .prefetch_related(Prefetch("measures", queryset=_live_measures(), to_attr="live_measures"))
        .order_by("-valid_from", "title", "pk")
    )
    for promise in promises:
        _with_assessment_labels(promise.live_measures)
    return render(
        request,
        "measures/citizenpromise_list.html",
        {"agreement": agreement, "promises": promises, "today": timezone.localdate()},
    )


@require_safe
@permission_required("agreement.view_citizenpromise", raise_exception=True)
def promise_detail(request, pk):
    agreement = _agreement(request)
    promise = get_object_or_404(CitizenPromise, pk=pk, agreement=agreement)
    measures = _with_assessment_labels(
        list(
            Measure.objects.filter(
                pk__in=MeasurePromise.objects.filter(promise=promise).values("measure")
            )
            .active()
            .with_latest_update()
            .with_assessment()
            .select_related("focus_area", "owner")
            .order_by("title", "pk")
        )
    )
    counts = dict.fromkeys(_assessment_words(), 0)
    for measure in measures:
        counts[measure.assessment] += 1
    return render(
        request,
        "measures/citizenpromise_detail.html",
        {
            "agreement": agreement,
            "promise": promise,
            "measures": measures,
            "assessments": [
                {"value": value, "label": label, "count": counts[value], "delta": None}
                for value, label in ASSESSMENTS
            ],
            "today": timezone.localdate(),
        },
    )
