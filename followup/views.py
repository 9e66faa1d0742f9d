from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agreement.models import ReportingPeriod
from measures.freshness import (
    cached,
    cached_page,
    cached_page_part,
    current_agreement,
    query_key,
)
from measures.models import Measure
from measures.roles import person_name

from . import pdf, report
from .forms import DecisionForm, DecisionStatusForm, MeetingForm, ReopenForm, ReportForm
from .models import Decision, Meeting

form_methods = require_http_methods(["GET", "HEAD", "POST"])
WORKLIST_PAGE_SIZE = 50
MEETINGS_PAGE_SIZE = 25


def _agreement(request):
    agreement = current_agreement(request)
    if agreement is None:
        raise Http404(_("No agreement has been entered yet."))
    return agreement


# --- Access: one helper per object


def _get_period(request, pk):
    """A reporting period of the current agreement; other agreements' are not found."""
    return get_object_or_404(ReportingPeriod, pk=pk, agreement=_agreement(request))


def _save_as(user, form):
    """Saves the form's object with `user` as the author of its history entry."""
    obj = form.save(commit=False)
    obj._history_user = user
    obj.save()
    return obj


def _get_meeting(request, pk, *, need="view"):
    """A meeting of the current agreement, if the user may `need` it (view or change)."""
    meeting = get_object_or_404(
        # The frozen report is large: read only where it is shown.
        Meeting.objects.select_related("agreement", "period", "frozen_by").defer("snapshot"),
        pk=pk,
        agreement=_agreement(request),
    )
    if not request.user.has_perm(f"followup.{need}_meeting"):
        raise PermissionDenied
    return meeting


def _get_decision(request, pk):
    decision = get_object_or_404(
        Decision.objects.select_related("meeting"),
        pk=pk,
        meeting__agreement=_agreement(request),
    )
    if not request.user.has_perm("followup.change_decision"):
        raise PermissionDenied
    return decision


# --- The report


def _report_span(request, agreement, today):
    """The form and the (start, end, period) it asks for; the reporting
    period due now when nothing is asked."""
    form = ReportForm(request.GET or None, agreement=agreement)
    fallback = (
        agreement.periods.for_reporting(today)
        or agreement.periods.filter(starts_on__lte=today).order_by("-starts_on").first()
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data.get("start") and data.get("end"):
            return form, data["start"], data["end"], None
        if data.get("period"):
            period = data["period"]
            return form, period.starts_on, period.ends_on, period
    if form.is_bound and not form.is_valid():
        return form, None, None, None
    if fallback is None:
        return form, agreement.valid_from, min(today, agreement.valid_until), None
    if not form.is_bound:
        form = ReportForm(initial={"period": fallback}, agreement=agreement)
    return form, fallback.starts_on, fallback.ends_on, fallback


@require_safe
@permission_required("measures.view_measure", raise_exception=True)
def report_view(request):
    agreement = _agreement(request)

    detail = request.GET.get("detail") == "1"

    def make():
        today = timezone.localdate()
        form, start, end, period = _report_span(request, agreement, today)
        if start is None:
            return {"form": form, "report": None, "title": _("Follow-up report")}
        built = report.build(
            agreement=agreement,
            start=start,
            end=end,
            today=today,
            period=period,
            page=request.GET.get("page") or "1",
            detail=detail,
        )
        shown, exceptions = _on_screen(request, built)
        return {
            "form": form,
            "report": {**shown, "presented": report.present(shown)},
            "exceptions_page": exceptions,
            "detail": detail,
            "generated": timezone.localtime(),
            "title": " ".join(filter(None, [_("Follow-up report"), built["period"]["name"]])),
        }

    # The whole report is kept under the data version, the day and the
    # address (measures.freshness): the next request after any write makes it anew.
    return cached_page(
        request,
        "followup/report.html",
        "followup/_report_page.html",
        "report",
        [agreement.pk],
        make,
        agreement=agreement,
    )


def _on_screen(request, data):
    """A report's data as the screen shows it: the exceptions a page at a
    time (a meeting's PDF has them all), and the page of them."""
    exceptions = Paginator(data["exceptions"], report.EXCEPTIONS_PER_PAGE).get_page(
        request.GET.get("exceptions_page")
    )
    shown = {
        **data,
        "exceptions": list(exceptions.object_list),
        "exception_count": len(data["exceptions"]),
    }
    return shown, exceptions


# --- Reporting periods


@require_safe
@permission_required("agreement.view_reportingperiod", raise_exception=True)
def period_list(request):
    today = timezone.localdate()
    agreement = _agreement(request)
    periods = list(agreement.periods.all())
    counts = cached(
        f"period-counts:{agreement.pk}:{today.isoformat()}",
        lambda: Measure.objects.period_counts(periods),
        holder=request.user,
    )
    current = agreement.periods.for_reporting(today)
    rows = [
        {
            "period": p,
            "is_open": p.is_open(today),
            "is_reopened": p.is_reopened(today),
            "has_started": p.starts_on <= today,
            "is_current": current is not None and p.pk == current.pk,
            **counts[p.pk],
        }
        for p in periods
    ]
    return render(
        request,
        "followup/period_list.html",
        {"agreement": agreement, "rows": rows, "today": today},
    )


def _worklist(request, period, reopen_form=None):
    """The worklist's lists, kept for each user under the data version
    (measures.freshness), around the form that reopens the period."""
    today = timezone.localdate()
    user = request.user

    def make():
        mine = request.GET.get("mine") == "1"
        due = (
            Measure.objects.due_in(period)
            .with_reported_in(period)
            .with_latest_update(until=period.ends_on)
            .select_related("focus_area", "owner")
        )
        if mine:
            due = due.filter(owner=user)
        # The user's own first, then by contact person and unit.
        ordered = due.annotate(is_mine=Q(owner=user)).order_by(
            "-is_mine", "owner__first_name", "owner__last_name", "responsible_unit", "title", "pk"
        )
        unreported = Paginator(ordered.filter(reported_in_period=False), WORKLIST_PAGE_SIZE)
        reported = Paginator(
            ordered.filter(reported_in_period=True).order_by("focus_area__position", "title", "pk"),
            WORKLIST_PAGE_SIZE,
        )
        return {
            "unreported": unreported.get_page(request.GET.get("page")),
            "reported": reported.get_page(request.GET.get("reported_page")),
            "totals": Measure.objects.due_counts(period),
            "mine": mine,
        }

    return cached_page(
        request,
        "followup/period_detail.html",
        "followup/_period_body.html",
        "worklist",
        [period.pk, user.pk],
        make,
        period=period,
        agreement=period.agreement,
        is_open=period.is_open(today),
        is_reopened=period.is_reopened(today),
        can_reopen=user.has_perm("agreement.change_reportingperiod"),
        reopen_form=reopen_form or ReopenForm(instance=period),
        today=today,
    )


@require_safe
@permission_required("agreement.view_reportingperiod", raise_exception=True)
def period_detail(request, pk):
    """The worklist: due measures not yet reported, then the reported ones."""
    return _worklist(request, _get_period(request, pk))


@require_POST
@permission_required("agreement.change_reportingperiod", raise_exception=True)
def period_reopen(request, pk):
    period = _get_period(request, pk)
    form = ReopenForm(request.POST, instance=period)
    if form.is_valid():
        period = form.save(commit=False)
        period._history_user = request.user
        period._change_reason = period.reopen_reason
        period.save()
        messages.success(
            request,
            _("%(name)s takes reports again until %(day)s.")
            % {"name": period.name, "day": period.reopened_until.isoformat()},
        )
        return redirect("followup:period", pk=period.pk)
    # The worklist again, with what was typed and why it was refused.
    period.refresh_from_db()
    return _worklist(request, period, reopen_form=form)


# --- Meetings and decisions


@require_safe
@permission_required("followup.view_meeting", raise_exception=True)
def meeting_list(request):
    agreement = _agreement(request)
    meetings = (
        Meeting.objects.filter(agreement=agreement)
        .defer("snapshot")
        .select_related("period")
        .annotate(
            decision_count=Count("decisions"),
            open_count=Count("decisions", filter=Q(decisions__status=Decision.Status.OPEN)),
        )
        .order_by("-held_on", "-pk")
    )
    page = Paginator(meetings, MEETINGS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "followup/meeting_list.html",
        {
            "agreement": agreement,
            "page": page,
            "can_add": request.user.has_perm("followup.add_meeting"),
        },
    )


@form_methods
@permission_required("followup.add_meeting", raise_exception=True)
def meeting_create(request):
    agreement = _agreement(request)
    today = timezone.localdate()
    initial = {}
    period = agreement.periods.for_reporting(today)
    if period is not None:
        initial = {
            "period": period,
            "title": _("Steering group: follow-up of %(name)s") % {"name": period.name},
        }
    form = MeetingForm(request.POST or None, agreement=agreement, initial=initial)
    if request.method == "POST" and form.is_valid():
        meeting = _save_as(request.user, form)
        messages.success(request, _("The meeting was saved."))
        return redirect(meeting)
    return render(request, "followup/meeting_form.html", {"form": form, "meeting": None})


@require_safe
@permission_required("followup.view_meeting", raise_exception=True)
def meeting_detail(request, pk):
    meeting = _get_meeting(request, pk)
    decisions = list(meeting.decisions.select_related("owner", "measure"))
    frozen_report = None
    if meeting.is_frozen:
        # The frozen report never changes; kept like a page's body all the same.
        frozen_report = cached_page_part(
            "meeting-report",
            meeting.pk,
            query_key(request),
            render=lambda: _frozen_report(request, meeting),
            holder=request.user,
        )
    return render(
        request,
        "followup/meeting_detail.html",
        {
            "meeting": meeting,
            "decisions": decisions,
            "frozen_report": mark_safe(frozen_report or ""),  # noqa: S308 — our own rendered template
            "today": timezone.localdate(),
            "can_change": request.user.has_perm("followup.change_meeting"),
            "can_decide": request.user.has_perm("followup.add_decision") and not meeting.is_frozen,
            "can_move_decisions": request.user.has_perm("followup.change_decision"),
        },
    )


def _frozen_report(request, meeting):
    """The report frozen with the minutes, a page of its lists at a time."""
    snapshot = meeting.snapshot
    shown, exceptions = _on_screen(request, snapshot)
    measures = Paginator(snapshot["measures"], report.MEASURES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    shown["measures"] = list(measures.object_list)
    return render_to_string(
        "followup/_frozen_report.html",
        {
            "meeting": meeting,
            "report": shown,
            "r": report.present(shown),
            "exceptions_page": exceptions,
            "pages": measures,
        },
        request,
    )


@form_methods
@permission_required("followup.change_meeting", raise_exception=True)
def meeting_edit(request, pk):
    meeting = _get_meeting(request, pk, need="change")
    if meeting.is_frozen and request.method != "POST":
        messages.info(request, _("The minutes are frozen and can no longer be edited."))
        return redirect(meeting)
    form = MeetingForm(request.POST or None, instance=meeting, agreement=meeting.agreement)
    if request.method == "POST" and meeting.is_frozen:
        # Frozen while the form was open: what was typed comes back, unsaved.
        form = MeetingForm(request.POST, agreement=meeting.agreement)
        form.is_valid()
        form.add_error(
            None,
            _(
                "The minutes were frozen while you were editing, so your changes are not "
                "saved. They are still in the form below: copy what you need."
            ),
        )
    elif request.method == "POST" and form.is_valid():
        meeting = _save_as(request.user, form)
        messages.success(request, _("Your changes were saved."))
        return redirect(meeting)
    return render(request, "followup/meeting_form.html", {"form": form, "meeting": meeting})


@require_POST
@permission_required("followup.change_meeting", raise_exception=True)
def meeting_freeze(request, pk):
    meeting = _get_meeting(request, pk, need="change")
    today = timezone.localdate()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.is_frozen:
            messages.info(request, _("The minutes were already frozen; nothing was changed."))
            return redirect(meeting)
        meeting.frozen_at = timezone.localtime().replace(microsecond=0)
        meeting.frozen_by = request.user
        snapshot = report.for_meeting(meeting, today=today)
        snapshot["meeting"]["frozen_at"] = meeting.frozen_at.strftime("%Y-%m-%d %H:%M")
        snapshot["meeting"]["frozen_by"] = person_name(request.user)
        meeting.snapshot = snapshot
        meeting._history_user = request.user
        meeting.save(update_fields=["snapshot", "frozen_at", "frozen_by"])
    messages.success(request, _("The minutes are frozen with the report as it stands today."))
    return redirect(meeting)


@form_methods
@permission_required("followup.add_decision", raise_exception=True)
def decision_create(request, pk):
    meeting = _get_meeting(request, pk)
    form = DecisionForm(request.POST or None, meeting=meeting)
    if meeting.is_frozen:
        if request.method == "POST":
            form.is_valid()
            form.add_error(
                None,
                _(
                    "The minutes were frozen, so no decision can be added to them. Your "
                    "text is still in the form below."
                ),
            )
        else:
            messages.info(request, _("The minutes are frozen; no decision can be added."))
            return redirect(meeting)
    elif request.method == "POST" and form.is_valid():
        _save_as(request.user, form)
        messages.success(request, _("The decision was added."))
        return redirect(meeting)
    return render(request, "followup/decision_form.html", {"form": form, "meeting": meeting})


@require_POST
@permission_required("followup.change_decision", raise_exception=True)
def decision_status(request, pk):
    decision = _get_decision(request, pk)
    form = DecisionStatusForm(request.POST)
    if form.is_valid():
        decision = form.apply(decision)
        decision._history_user = request.user
        decision.save(update_fields=["status", "done_on"])
        messages.success(request, _("The decision's status was saved."))
    else:
        messages.error(request, _("Choose open or done."))
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect(decision.meeting)


@require_safe
@permission_required("followup.view_meeting", raise_exception=True)
def meeting_pdf(request, pk):
    """The meeting's report as a PDF: the frozen one once frozen, else as it stands."""
    meeting = _get_meeting(request, pk)
    content = pdf.meeting_report(meeting, today=timezone.localdate(), holder=request.user)
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"styrgrupp-{meeting.held_on.isoformat()}-{meeting.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
