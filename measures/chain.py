"""The law's chain (Lag 2023:196): from the situation report (lägesbild) and
its problems, through the measures that address them, to the indicators that
show their effect, and the citizen promises (medborgarlöften) the measures
keep. Each page is of the current agreement and runs a constant number of
queries, however many measures there are.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from agreement.models import CitizenPromise, Indicator, IndicatorValue, SituationReport

from . import charts
from .forms import IndicatorValueForm
from .freshness import cached_page, current_agreement
from .models import ASSESSMENTS, Measure, MeasureIndicator, MeasureProblem, MeasurePromise

form_methods = require_http_methods(["GET", "HEAD", "POST"])

# The most measures a problem, promise or indicator lists on the chain's
# pages; the list of measures, filtered to it, has all of them. Without a
# cap the pages grow with the data (at 5,000 measures /situation/ was 1 MB).
LINKED_ROWS = 10


def _agreement(request):
    agreement = current_agreement(request)
    if agreement is None:
        raise Http404(_("No agreement has been entered yet."))
    return agreement


def _newest_links(through, field, row):
    """The row's (problem's, promise's or indicator's) links to live measures,
    in the link model `through` whose foreign key to it is `field`, the most
    recent first.

    The chain's pages show the LINKED_ROWS measures most recently linked, by
    title, and link to the list of all. Taken in the order of the link table's
    index on the row, only those few are read. The first ten by title would
    sort every measure of the row, and a sliced Prefetch also works out every
    one's assessment first: at 5,000 measures /situation/ became more than
    twice as slow as at 50."""
    return through.objects.filter(**{field: row}, measure__is_archived=False).order_by("-pk")


def _linked_ids(through, field):
    """Annotations `linked_0` … `linked_9`: the ids of the row's LINKED_ROWS
    most recently linked live measures, None where it has fewer."""
    newest = _newest_links(through, field, OuterRef("pk")).values("measure")
    return {f"linked_{i}": Subquery(newest[i : i + 1]) for i in range(LINKED_ROWS)}


def _with_linked_measures(rows):
    """Set each row's `linked_measures` from its `_linked_ids`, by title, with
    their assessment; in one query however many rows and measures there are."""
    ids = {getattr(row, f"linked_{i}") for row in rows for i in range(LINKED_ROWS)}
    ids.discard(None)
    measures = {}
    if ids:
        shown = (
            Measure.objects.filter(pk__in=ids)
            .with_assessment()
            .select_related("focus_area")
            .only("pk", "title", "focus_area__name")  # all the pages show of them
            .order_by("title", "pk")
        )
        measures = {measure.pk: measure for measure in _with_assessment_labels(shown)}
    for row in rows:
        linked = {getattr(row, f"linked_{i}") for i in range(LINKED_ROWS)}
        row.linked_measures = [m for pk, m in measures.items() if pk in linked]
    return rows


def _live_count(through, field):
    """How many live measures name the row, through the link model `through`
    whose foreign key to the row is `field`: one subquery, not one per row."""
    # Not joined to the measures: the few archived ones are looked up once.
    counted = (
        through.objects.filter(**{field: OuterRef("pk")})
        .exclude(measure__in=Measure.objects.filter(is_archived=True))
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), Value(0))


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

    def make():
        reports = list(
            SituationReport.objects.filter(agreement=agreement).order_by("-prepared_on", "-pk")
        )
        problems = []
        if report is not None:
            problems = list(
                report.problems.select_related("focus_area")
                .annotate(
                    measure_count=_live_count(MeasureProblem, "problem"),
                    **_linked_ids(MeasureProblem, "problem"),
                )
                .prefetch_related("areas")
                .order_by(F("focus_area__position").asc(nulls_last=True), "pk")
            )
        _with_linked_measures(problems)
        unaddressed = [p for p in problems if not p.measure_count]
        only_unaddressed = request.GET.get("unaddressed") == "1"
        return {
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
        }

    return cached_page(
        request,
        "measures/situationreport_detail.html",
        "measures/_situationreport_detail_body.html",
        "situation",
        [agreement.pk, report.pk if report else ""],
        make,
        agreement=agreement,
        report=report,
    )


# --- Indicators


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
    can_add_value = request.user.has_perm("agreement.add_indicatorvalue")

    def make():
        indicators = list(
            Indicator.objects.filter(agreement=agreement)
            .select_related("focus_area")
            .with_latest()
            .annotate(measure_count=_live_count(MeasureIndicator, "indicator"))
            .order_by(F("focus_area__position").asc(nulls_last=True), "title", "pk")
        )
        return {"indicators": indicators, "verdicts": _verdicts(indicators)}

    return cached_page(
        request,
        "measures/indicator_list.html",
        "measures/_indicator_list_body.html",
        "indicators",
        [agreement.pk, can_add_value],
        make,
        agreement=agreement,
        can_add_value=can_add_value,
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
    found = _get_indicator(request, pk)
    can_add_value = request.user.has_perm("agreement.add_indicatorvalue")

    def make():
        indicator = (
            Indicator.objects.select_related("focus_area", "agreement")
            .annotate(
                measure_count=_live_count(MeasureIndicator, "indicator"),
                **_linked_ids(MeasureIndicator, "indicator"),
            )
            .get(pk=found.pk)
        )
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
        _with_linked_measures([indicator])
        return {
            "indicator": indicator,
            "values": values,
            "newest_first": list(reversed(values)),
            "latest": latest,
            "chart": charts.indicator_chart(indicator, values, today),
            "areas": list(indicator.areas.all()),
            "measures": indicator.linked_measures,
            "today": today,
        }

    return cached_page(
        request,
        "measures/indicator_detail.html",
        "measures/_indicator_detail_body.html",
        "indicator",
        [found.pk, can_add_value],
        make,
        agreement=found.agreement,
        indicator=found,
        can_add_value=can_add_value,
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

    def make():
        promises = list(
            CitizenPromise.objects.filter(agreement=agreement)
            .annotate(
                measure_count=_live_count(MeasurePromise, "promise"),
                **_linked_ids(MeasurePromise, "promise"),
            )
            .order_by("-valid_from", "title", "pk")
        )
        _with_linked_measures(promises)
        return {"promises": promises, "today": timezone.localdate()}

    return cached_page(
        request,
        "measures/citizenpromise_list.html",
        "measures/_citizenpromise_list_body.html",
        "promises",
        [agreement.pk],
        make,
        agreement=agreement,
    )


@require_safe
@permission_required("agreement.view_citizenpromise", raise_exception=True)
def promise_detail(request, pk):
    agreement = _agreement(request)
    promise = get_object_or_404(CitizenPromise, pk=pk, agreement=agreement)

    def make():
        measures = _with_assessment_labels(
            list(
                Measure.objects.filter(
                    pk__in=_newest_links(MeasurePromise, "promise", promise).values("measure")[
                        :LINKED_ROWS
                    ]
                )
                .with_latest_update()
                .with_assessment()
                .select_related("focus_area", "owner")
                .order_by("title", "pk")
            )
        )
        # Counted by the database over all of them, not only the rows shown.
        linked = Measure.objects.filter(
            pk__in=MeasurePromise.objects.filter(promise=promise).values("measure")
        ).active()
        counts = dict.fromkeys(_assessment_words(), 0)
        counts.update(
            linked.with_assessment().order_by().values_list("assessment").annotate(n=Count("pk"))
        )
        return {
            "measures": measures,
            "measure_count": sum(counts.values()),
            "assessments": [
                {"value": value, "label": label, "count": counts[value], "delta": None}
                for value, label in ASSESSMENTS
            ],
            "today": timezone.localdate(),
        }

    return cached_page(
        request,
        "measures/citizenpromise_detail.html",
        "measures/_citizenpromise_detail_body.html",
        "promise",
        [promise.pk],
        make,
        agreement=agreement,
        promise=promise,
    )
