from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    F,
    IntegerField,
    Min,
    Prefetch,
    Q,
    Value,
    When,
    Window,
)
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import charts, imports, services, spreadsheet
from .bulk import BulkChange, Plan
from .filters import MeasureFilter
from .forms import (
    BulkEditForm,
    ImportForm,
    MeasureForm,
    ProgressUpdateForm,
    ReviewForm,
    ReviewQueueFilter,
)
from .freshness import cached_page, current_agreement
from .history import change_log, display_value
from .models import (
    FLAGS,
    NO_PROBLEM,
    NO_PROBLEM_DESCRIPTION,
    NO_PROBLEM_LABEL,
    ImportBatch,
    ImportRow,
    Measure,
    ProgressUpdate,
    Review,
    flag_description,
)
from .roles import person_name, user_may_report

PAGE_SIZE = 25
REVIEW_PAGE_SIZE = 50
PREVIEW_PAGE_SIZE = 50
# Importing and bulk editing change many measures' plans at once: municipal
# staff and administrators.
PLAN_EDITORS = ("measures.add_measure", "measures.change_measure")

# Pages with a form take GET (and HEAD) to show it and POST to send it; every
# other method is answered 405.
form_methods = require_http_methods(["GET", "HEAD", "POST"])


SORTABLE = [
    ("title", gettext_lazy("Measure")),
    ("focus_area", gettext_lazy("Focus area")),
    ("status", gettext_lazy("Status")),
    ("responsible_party", gettext_lazy("Responsible")),
    ("owner", gettext_lazy("Contact person")),
    ("start_date", gettext_lazy("Start")),
    ("end_date", gettext_lazy("End")),
    ("progress", gettext_lazy("Progress")),
]


def _active_filters(data):
    """How many filters the query sets; a date range's two ends count once."""
    return len(
        {
            key.removesuffix("_from").removesuffix("_to")
            for key, values in data.lists()
            if key != "o" and any(values)
        }
    )


def _sort_columns(data):
    """Each sortable column's link (toggling the direction) and its aria-sort, by key."""
    current = data.get("o", "")
    base = data.copy()
    base.pop("o", None)
    columns = {}
    for key, label in SORTABLE:
        if current == key:
            state, target = "ascending", f"-{key}"
        elif current == f"-{key}":
            state, target = "descending", key
        else:
            state, target = None, key
        base["o"] = target
        columns[key] = {"label": label, "url": "?" + base.urlencode(), "sort": state}
    return columns


# --- Access: one helper per object, each also choosing what to load with it.


def _current_agreement(request):
    agreement = current_agreement(request)
    if agreement is None:
        raise Http404(_("No agreement has been entered yet."))
    return agreement


def _get_measure(request, pk, *, need="view"):
    """The measure, if the user may `need` it: view, change, archive or report."""
    user = request.user
    measure = get_object_or_404(
        Measure.objects.select_related("focus_area__agreement", "owner"), pk=pk
    )
    if need == "report":
        allowed = user_may_report(user, measure)
    else:
        allowed = user.has_perm(f"measures.{need}_measure")
    if not allowed:
        raise PermissionDenied
    return measure


def _get_update_for_review(request, pk):
    update = get_object_or_404(
        ProgressUpdate.objects.select_related("measure__focus_area", "author"), pk=pk
    )
    if not request.user.has_perm("measures.add_review"):
        raise PermissionDenied
    if update.author_id == request.user.pk:
        # Nobody approves their own report.
        raise PermissionDenied
    return update


# --- Measures


@require_safe
@permission_required("measures.view_measure", raise_exception=True)
def measure_list(request):
    today = timezone.localdate()
    agreement = _current_agreement(request)
    data = request.GET.copy()
    data.pop("page", None)
    filterset = MeasureFilter(
        data or None, queryset=Measure.objects.for_listing(today), agreement=agreement
    )
    paginator = Paginator(filterset.qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    querystring = data.urlencode()
    return render(
        request,
        "measures/measure_list.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "page": page,
            "paginator": paginator,
            "querystring": querystring,
            "mine": data.get("owner") == str(request.user.pk) and len(data) == 1,
            "flags": FLAGS,
            "no_problem": (NO_PROBLEM, NO_PROBLEM_LABEL, NO_PROBLEM_DESCRIPTION),
            "sort": _sort_columns(data),
            "active_filters": _active_filters(data),
            "can_create": request.user.has_perm("measures.add_measure"),
            "can_edit_many": request.user.has_perms(PLAN_EDITORS),
            "bulk_form": BulkEditForm(agreement=agreement),
        },
    )


@require_safe
@permission_required("measures.view_measure", raise_exception=True)
def measure_detail(request, pk):
    measure = _get_measure(request, pk)
    today = timezone.localdate()
    annotated = (
        Measure.objects.filter(pk=pk)
        .with_latest_update()
        .with_flags(today)
        .with_needs_changes()
        .get()
    )
    updates = list(
        measure.updates.select_related("author").prefetch_related(
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer"))
        )
    )
    agreement = measure.focus_area.agreement
    user = request.user
    return render(
        request,
        "measures/measure_detail.html",
        {
            "measure": measure,
            "flags": annotated.flags(),
            "flag_details": [(label, flag_description(key)) for key, label in annotated.flags()],
            "needs_changes": annotated.needs_changes,
            "latest_progress": annotated.latest_progress,
            "assessment": annotated.latest_assessment,
            "assessment_label": annotated.assessment_label(),
            "areas": list(measure.areas.in_swedish_order()),
            "problems": list(
                measure.problems.select_related("situation_report").order_by(
                    "-situation_report__prepared_on", "pk"
                )
            ),
            "indicators": list(measure.indicators.with_latest().order_by("title", "pk")),
            "promises": list(measure.promises.order_by("-valid_from", "title", "pk")),
            "no_problem_label": NO_PROBLEM_LABEL,
            "updates": updates,
            "history": change_log(measure),
            "agreement": agreement,
            "bar": charts.span(agreement, measure.start_date, measure.end_date, today),
            "today": today,
            "can_edit": user.has_perm("measures.change_measure") and not measure.is_archived,
            "can_archive": user.has_perm("measures.archive_measure"),
            "can_report": user_may_report(user, measure) and not measure.is_archived,
            "can_review": user.has_perm("measures.add_review"),
        },
    )


@form_methods
@permission_required("measures.add_measure", raise_exception=True)
def measure_create(request):
    agreement = _current_agreement(request)
    form = MeasureForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        measure = services.measure_create(form=form, by=request.user)
        messages.success(request, _("The measure was saved."))
        return redirect(measure)
    return _render_measure_form(request, form, agreement, None)


@form_methods
@permission_required("measures.change_measure", raise_exception=True)
def measure_edit(request, pk):
    measure = _get_measure(request, pk, need="change")
    agreement = measure.focus_area.agreement
    if measure.is_archived and request.method != "POST":
        messages.warning(request, _("Archived measures cannot be edited. Restore it first."))
        return redirect(measure)
    form = MeasureForm(request.POST or None, instance=measure, agreement=agreement)
    conflict = None
    if request.method == "POST" and form.is_valid():
        if measure.is_archived:
            # Archived while the form was open: keep what was typed.
            form.add_error(
                None,
                _(
                    "The measure was archived while you were editing, so your changes are "
                    "not saved. They are still in the form below: copy what you need, or "
                    "ask for the measure to be restored and save again."
                ),
            )
            return _render_measure_form(request, form, agreement, measure)
        if not form.has_changed():
            # Saved unchanged: nothing is written, not even a new version.
            messages.info(request, _("Nothing was changed, so nothing was saved."))
            return redirect(measure)
        expected = form.cleaned_data.get("version") or 0
        try:
            services.measure_edit(form=form, expected_version=expected, by=request.user)
        except services.EditConflict as exc:
            conflict = _conflict_rows(form, exc.current)
            # The next save is made knowing the other version.
            data = request.POST.copy()
            data["version"] = exc.current.version
            form = MeasureForm(data, instance=exc.current, agreement=agreement)
            form.is_valid()
            conflict_by = exc.current.updated_by
            messages.warning(
                request,
                _(
                    "%(who)s saved this measure after you opened it. Your changes are "
                    "not saved yet: compare them with the saved version below, then "
                    "save again or cancel."
                )
                % {"who": person_name(conflict_by) if conflict_by else _("Someone else")},
            )
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(measure)
    return _render_measure_form(request, form, agreement, measure, conflict=conflict)


def _render_measure_form(request, form, agreement, measure, conflict=None):
    return render(
        request,
        "measures/measure_form.html",
        {"form": form, "agreement": agreement, "measure": measure, "conflict": conflict},
    )


def _conflict_rows(form, current):
    """(label, saved value, your value) for each field where the two differ."""
    rows = []
    for name in form.Meta.fields:
        mine = form.cleaned_data.get(name)
        if Measure._meta.get_field(name).many_to_many:
            theirs = list(getattr(current, name).all())
            mine = list(mine or [])
            same = {a.pk for a in theirs} == {a.pk for a in mine}
        else:
            theirs = getattr(current, name)
            same = theirs == mine
        if not same:
            rows.append(
                (
                    Measure._meta.get_field(name).verbose_name.capitalize(),
                    display_value(name, theirs),
                    display_value(name, mine),
                )
            )
    return rows


@require_POST
@permission_required("measures.archive_measure", raise_exception=True)
def measure_archive(request, pk):
    measure = _get_measure(request, pk, need="archive")
    archive = request.POST.get("archive", "1") != "0"
    services.measure_set_archived(measure=measure, archived=archive, by=request.user)
    if archive:
        messages.success(request, _("The measure was archived. It is kept with its history."))
    else:
        messages.success(request, _("The measure was restored from the archive."))
    return redirect(measure)


# --- Progress updates and reviews


@form_methods
@permission_required("measures.add_progressupdate", raise_exception=True)
def progress_update_create(request, pk):
    measure = _get_measure(request, pk)
    may_report = user_may_report(request.user, measure)
    if request.method != "POST":
        if not may_report:
            raise PermissionDenied
        if measure.is_archived:
            messages.warning(request, _("Archived measures take no progress updates."))
            return redirect(measure)
    measure.latest_progress = (
        measure.updates.newest_first().values_list("progress", flat=True).first()
    )
    form = ProgressUpdateForm(request.POST or None, measure=measure)
    status = 200
    if request.method == "POST" and form.is_valid():
        # Whatever changed while the form was open, the text typed comes back.
        if not may_report:
            status = 403
            form.add_error(
                None,
                _(
                    "You can no longer report on this measure: its responsible party was "
                    "changed while you were writing. Your report is not saved; copy it "
                    "from the form below and give it to the measure's contact person."
                ),
            )
        elif measure.is_archived:
            form.add_error(
                None,
                _(
                    "The measure was archived while you were writing, so your report is "
                    "not saved. It is still in the form below: copy what you need, or ask "
                    "for the measure to be restored and send it again."
                ),
            )
        else:
            services.progress_update_create(form=form, by=request.user)
            messages.success(request, _("The progress update was saved."))
            return redirect(measure)
    return render(
        request,
        "measures/progressupdate_form.html",
        {"form": form, "measure": measure, "today": timezone.localdate()},
        status=status,
    )


@require_safe
@permission_required("measures.add_review", raise_exception=True)
def review_queue(request):
    """The liaison's queue, kept under the data version for each reviewer
    (measures.freshness): it changes only when something is written."""
    agreement = _current_agreement(request)

    def make():
        form = ReviewQueueFilter(request.GET or None, agreement=agreement)
        pending = ProgressUpdate.objects.awaiting_review(request.user)
        if form.is_valid():
            if form.cleaned_data["focus_area"]:
                pending = pending.filter(measure__focus_area=form.cleaned_data["focus_area"])
            if form.cleaned_data["party"]:
                pending = pending.filter(measure__responsible_party=form.cleaned_data["party"])
        # Several reports of one measure are read together, from the measure
        # whose oldest report has waited longest. A filter keeps or drops all
        # of a measure's reports, so the oldest is the same among those shown.
        pending = (
            pending.annotate(
                measure_first=Window(Min("reported_on"), partition_by=[F("measure_id")])
            )
            .select_related("measure__focus_area", "author")
            .order_by("measure_first", "measure_id", "reported_on", "created_at", "pk")
        )
        paginator = Paginator(pending, REVIEW_PAGE_SIZE)
        return {
            "page": paginator.get_page(request.GET.get("page")),
            "paginator": paginator,
            "form": form,
        }

    return cached_page(
        request,
        "measures/review_queue.html",
        "measures/_review_queue_body.html",
        "reviews",
        [request.user.pk],
        make,
    )


@form_methods
@permission_required("measures.add_review", raise_exception=True)
def review_create(request, update_pk):
    update = _get_update_for_review(request, update_pk)
    existing = update.reviews.select_related("reviewer").first()
    previous = (
        ProgressUpdate.objects.filter(measure=update.measure)
        .filter(
            Q(reported_on__lt=update.reported_on)
            | Q(reported_on=update.reported_on, created_at__lt=update.created_at)
        )
        .newest_first()
        .select_related("author")
        .first()
    )
    form = ReviewForm(request.POST or None, progress_update=update)
    if request.method == "POST" and form.is_valid():
        if existing is not None:
            form.add_error(None, _already_reviewed(existing))
        elif update.measure.is_archived:
            form.add_error(
                None,
                _(
                    "The measure was archived while you were reviewing, so your review is "
                    "not saved. It is still in the form below."
                ),
            )
        else:
            try:
                review = services.review_create(form=form, by=request.user)
            except services.AlreadyReviewed as exc:
                existing = exc.review
                form.add_error(None, _already_reviewed(existing))
            else:
                return _after_review(request, review)
    return render(
        request,
        "measures/review_form.html",
        {
            "form": form,
            "update": update,
            "measure": update.measure,
            "existing": existing,
            "previous": previous,
        },
    )


def _already_reviewed(review):
    return _(
        "%(who)s reviewed this progress update while you were writing, so your review is "
        "not saved. It is still in the form below; their decision is shown above."
    ) % {"who": person_name(review.reviewer)}


def _after_review(request, review):
    if review.verdict == Review.Verdict.APPROVED:
        messages.success(request, _("The progress update was approved."))
    else:
        messages.success(request, _("The progress update was sent back for changes."))
    next_update = (
        ProgressUpdate.objects.awaiting_review(request.user).values_list("pk", flat=True).first()
    )
    if request.POST.get("then") == "next" and next_update:
        return redirect("measures:review", update_pk=next_update)
    return redirect("measures:review_queue")


# --- Import from a spreadsheet


def _get_batch(request, pk):
    """An import preview; only its uploader's."""
    return get_object_or_404(
        ImportBatch.objects.select_related("agreement"), pk=pk, created_by=request.user
    )


@form_methods
@permission_required(PLAN_EDITORS, raise_exception=True)
def measure_import(request):
    agreement = _current_agreement(request)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.read_upload(
                form.cleaned_data["file"], agreement=agreement, by=request.user
            )
        except spreadsheet.Unreadable as exc:
            form.add_error("file", exc.message)
        else:
            return redirect(batch)
    return render(
        request,
        "measures/measure_import.html",
        {"form": form, "agreement": agreement, "lifetime_hours": 24},
    )


# The upload may be larger than other forms' bodies (see the middleware):
# the file's own limit, and room for the rest of the form.
measure_import.request_body_limit = spreadsheet.MAX_BYTES + 64 * 1024


@require_safe
@permission_required(PLAN_EDITORS, raise_exception=True)
def import_template(request):
    agreement = _current_agreement(request)
    response = HttpResponse(
        imports.template_workbook(agreement),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="atgarder-mall.xlsx"'
    return response


PREVIEW_SHOWS = {
    "all": (gettext_lazy("All rows"), None),
    "error": (gettext_lazy("Errors"), [ImportRow.Kind.ERROR]),
    "changes": (gettext_lazy("New and changed"), [ImportRow.Kind.NEW, ImportRow.Kind.CHANGED]),
    "unchanged": (gettext_lazy("Unchanged"), [ImportRow.Kind.UNCHANGED]),
}
_KIND_ORDER = [ImportRow.Kind.ERROR, ImportRow.Kind.CHANGED, ImportRow.Kind.NEW]


@require_safe
@permission_required(PLAN_EDITORS, raise_exception=True)
def import_preview(request, pk):
    batch = _get_batch(request, pk)
    expired = batch.status == ImportBatch.Status.PENDING and batch.is_expired()
    show = request.GET.get("show")
    if show not in PREVIEW_SHOWS:
        show = "all"
    # Errors first, then what would change, then the rest; each by row.
    # The stored cells are for the confirmation, not for the page.
    rows = (
        batch.rows.defer("cells")
        .annotate(
            rank=Case(
                *[When(kind=kind, then=Value(i)) for i, kind in enumerate(_KIND_ORDER)],
                default=Value(len(_KIND_ORDER)),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "line")
    )
    kinds = PREVIEW_SHOWS[show][1]
    if kinds:
        rows = rows.filter(kind__in=kinds)
    paginator = Paginator(rows, PREVIEW_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    counts = {
        "all": batch.row_count,
        "error": batch.error_count,
        "changes": batch.to_save,
        "unchanged": batch.unchanged_count,
    }
    return render(
        request,
        "measures/measure_import_preview.html",
        {
            "batch": batch,
            "expired": expired,
            "page": page,
            "paginator": paginator,
            "querystring": f"show={show}",
            "show": show,
            "tabs": [(key, label, counts[key]) for key, (label, _kinds) in PREVIEW_SHOWS.items()],
        },
    )


@require_POST
@permission_required(PLAN_EDITORS, raise_exception=True)
def import_confirm(request, pk):
    batch = _get_batch(request, pk)
    if batch.error_count:
        messages.warning(
            request,
            _("Nothing was saved: correct the rows with errors in the file and upload it again."),
        )
        return redirect(batch)
    try:
        new, changed = imports.confirm(batch, by=request.user)
    except imports.NotPending:
        batch.refresh_from_db()
        if batch.status == ImportBatch.Status.APPLIED:
            messages.info(
                request, _("The file has already been imported. Nothing was saved again.")
            )
        else:
            messages.warning(
                request,
                _("The preview has expired and nothing was saved. Upload the file again."),
            )
        return redirect(batch)
    except imports.Stale as exc:
        imports.refresh(batch, exc.outcomes)
        messages.warning(
            request,
            _(
                "Measures have changed since the preview was made, so nothing was saved. "
                "The preview now shows the rows as they stand; check them and confirm again."
            ),
        )
        return redirect(batch)
    except services.EditConflict:
        messages.warning(
            request,
            _(
                "Someone saved one of the measures just now, so nothing was saved. "
                "Confirm again to check the rows against their change."
            ),
        )
        return redirect(batch)
    if new or changed:
        messages.success(
            request,
            _("The file was imported: %(new)s new and %(changed)s changed measures.")
            % {"new": new, "changed": changed},
        )
    else:
        messages.success(
            request, _("Nothing needed saving: every measure was already as in the file.")
        )
    return redirect("measures:list")


# --- Bulk edit


def _bulk_selection(form, agreement):
    """The chosen measures: the ticked ones, or every hit of the list's filter
    run again here, so that "all hits" means the hits as they are now."""
    measures = Measure.objects.select_related("focus_area__agreement", "owner").prefetch_related(
        "areas"
    )
    if form.cleaned_data["all"]:
        data = QueryDict(form.cleaned_data["filter"])
        filterset = MeasureFilter(
            data or None,
            queryset=Measure.objects.for_listing(timezone.localdate()),
            agreement=agreement,
        )
        measures = measures.filter(pk__in=filterset.qs.values("pk"))
    else:
        measures = measures.filter(pk__in=form.cleaned_data["ids"])
    return list(measures.order_by("start_date", "title", "pk"))


@require_POST
@permission_required(PLAN_EDITORS, raise_exception=True)
def measure_bulk(request):
    """POST `ids` (or `all` and `filter`), `action` and its value: first the
    confirmation of what would change, then, with `confirm`, the change."""
    agreement = _current_agreement(request)
    form = BulkEditForm(request.POST, agreement=agreement)
    back = reverse("measures:list")
    if request.POST.get("filter"):
        back += "?" + QueryDict(request.POST["filter"]).urlencode()
    context = {"form": form, "agreement": agreement, "back": back}
    if not form.is_valid():
        return render(request, "measures/measure_bulk.html", context)
    action = form.cleaned_data["action"]
    if action in ("archive", "restore") and not request.user.has_perm("measures.archive_measure"):
        raise PermissionDenied
    change = BulkChange(action, form.value())
    plan = Plan(change, _bulk_selection(form, agreement))
    confirmed = bool(request.POST.get("confirm") and plan.changing and not plan.problems)
    # The fingerprint says the confirmation was given for these measures at
    # these versions; an older view of them is shown again as they are now.
    if confirmed and form.cleaned_data["fingerprint"] == plan.fingerprint:
        try:
            services.measures_bulk_edit(
                measures=plan.changing, change=change, by=request.user, reason=change.reason
            )
        except services.EditConflict:
            # Saved by someone between reading the measures and writing them.
            plan = Plan(change, _bulk_selection(form, agreement))
        else:
            count = len(plan.changing)
            messages.success(
                request,
                ngettext(
                    "%(count)s measure was changed.", "%(count)s measures were changed.", count
                )
                % {"count": count},
            )
            return redirect(back)
    context.update(change=change, plan=plan, stale=confirmed)
    return render(request, "measures/measure_bulk.html", context)
