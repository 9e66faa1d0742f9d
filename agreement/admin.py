from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .forms import TypedText
from .models import (
    Agreement,
    Area,
    CitizenPromise,
    FocusArea,
    Indicator,
    IndicatorValue,
    Problem,
    ReportingPeriod,
    SituationReport,
)


@admin.action(
    permissions=["delete"],
    description=delete_selected.short_description,
)
def _delete_selected_explained(modeladmin, request, queryset):
    response = delete_selected(modeladmin, request, queryset)
    if isinstance(response, TemplateResponse):
        response.context_data["refused_delete_explanation"] = modeladmin.refused_delete_explanation
    return response


class TypedTextAdminMixin:
    """Text fields keep their line breaks as stored when a form is saved unchanged."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if type(db_field) in (models.CharField, models.TextField) and not db_field.choices:
            kwargs.setdefault("form_class", TypedText)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ExplainRefusedDeleteMixin(TypedTextAdminMixin):
    """When the database refuses a deletion (PROTECT), the admin says why and
    what to do instead, on the delete page and for the bulk delete action."""

    refused_delete_explanation = ""

    def delete_view(self, request, object_id, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "refused_delete_explanation": self.refused_delete_explanation,
        }
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions["delete_selected"] = (_delete_selected_explained, name, description)
        return actions


class FocusAreaInline(TypedTextAdminMixin, admin.TabularInline):
    model = FocusArea
    extra = 0
    fields = ["position", "name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Agreement)
class AgreementAdmin(ExplainRefusedDeleteMixin, admin.ModelAdmin):
    refused_delete_explanation = _(
        "An agreement whose focus areas have measures is kept: its follow-up is the record "
        "of what the parties did."
    )
    list_display = [
        "title",
        "municipality",
        "police_area",
        "signed_on",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["valid_from", "valid_until"]
    search_fields = ["title", "municipality", "police_area", "goal"]
    date_hierarchy = "valid_from"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [FocusAreaInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "goal"]}),
        (_("Parties"), {"fields": ["municipality", "police_area"]}),
        (_("Period"), {"fields": ["signed_on", "valid_from", "valid_until"]}),
        (
            _("Action plan"),
            {
                "fields": ["plan_decided_on", "plan_decided_by", "plan_reference"],
                "description": _(
                    "The decision on the action plan made from the situation report "
                    "(Lag 2023:196), shown on the agreement's page."
                ),
            },
        ),
    ]


@admin.register(FocusArea)
class FocusAreaAdmin(ExplainRefusedDeleteMixin, admin.ModelAdmin):
    refused_delete_explanation = _(
        "A focus area with measures is part of the agreement's follow-up. Move its "
        "measures to another focus area first, or archive them."
    )
    list_display = ["name", "agreement", "position", "slug"]
    list_filter = ["agreement"]
    list_select_related = ["agreement"]
    search_fields = ["name", "description"]
    ordering = ["agreement", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Area)
class AreaAdmin(ExplainRefusedDeleteMixin, admin.ModelAdmin):
    refused_delete_explanation = _(
        "Measures are registered in this district, and they would silently lose it. "
        "Remove the district from those measures first, or keep it: the police's list "
        "of vulnerable areas is changed by ticking “vulnerable area”, not by deleting."
    )
    list_display = ["name", "slug", "is_vulnerable"]
    list_editable = ["is_vulnerable"]
    list_filter = ["is_vulnerable"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(TypedTextAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "agreement", "starts_on", "ends_on", "deadline", "reopened_until"]
    list_filter = ["agreement"]
    list_select_related = ["agreement"]
    search_fields = ["name", "reopen_reason"]
    ordering = ["agreement", "starts_on"]
    fieldsets = [
        (None, {"fields": ["agreement", "name"]}),
        (_("Dates"), {"fields": ["starts_on", "ends_on", "deadline"]}),
        (
            _("Reopening"),
            {
                "fields": ["reopened_until", "reopen_reason"],
                "description": _(
                    "A closed period takes reports again until this day. Say why: the "
                    "reason is kept in the period's history."
                ),
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        if "reopened_until" in form.changed_data or "reopen_reason" in form.changed_data:
            obj._change_reason = obj.reopen_reason
        super().save_model(request, obj, form, change)


# --- From lägesbild to effect


def _person(user):
    """A person by full name, marked when they have left; as everywhere in the app."""
    if user is None:
        return "–"
    name = user.get_full_name() or user.get_username()
    if not user.is_active:
        return gettext("%(name)s (inactive)") % {"name": name}
    return name


class ProblemInline(TypedTextAdminMixin, admin.StackedInline):
    model = Problem
    extra = 0
    fields = [("title", "focus_area"), "areas", "description"]
    autocomplete_fields = ["areas"]
    show_change_link = True


@admin.register(SituationReport)
class SituationReportAdmin(ExplainRefusedDeleteMixin, SimpleHistoryAdmin):
    refused_delete_explanation = _(
        "Measures address problems of this situation report. It is kept as the ground the "
        "action plan was decided on; enter a newer situation report beside it instead."
    )
    list_display = ["title", "agreement", "prepared_on", "problem_count"]
    list_filter = ["agreement", "prepared_on"]
    list_select_related = ["agreement"]
    search_fields = ["title", "summary", "sources", "problems__title"]
    date_hierarchy = "prepared_on"
    inlines = [ProblemInline]
    fieldsets = [
        (None, {"fields": ["agreement", "title", "prepared_on"]}),
        (_("Content"), {"fields": ["summary", "sources"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(problem_count=Count("problems"))

    @admin.display(description=_("problems"), ordering="problem_count")
    def problem_count(self, obj):
        return obj.problem_count


@admin.register(Problem)
class ProblemAdmin(ExplainRefusedDeleteMixin, SimpleHistoryAdmin):
    refused_delete_explanation = _(
        "Measures address this problem, and they would silently lose the link to the "
        "situation report. Remove the problem from those measures first."
    )
    list_display = ["title", "situation_report", "focus_area"]
    list_filter = ["situation_report", "focus_area", "areas"]
    list_select_related = ["situation_report", "focus_area"]
    search_fields = ["title", "description", "situation_report__title"]
    filter_horizontal = ["areas"]
    fields = ["situation_report", "title", "focus_area", "areas", "description"]


# Values are typed as Swedes write them, with a decimal comma.
DECIMAL_COMMA = {models.DecimalField: {"localize": True}}


class IndicatorValueInline(TypedTextAdminMixin, admin.TabularInline):
    model = IndicatorValue
    formfield_overrides = DECIMAL_COMMA
    extra = 1
    fields = ["measured_on", "value", "comment", "entered_by_name", "created_at"]
    readonly_fields = ["entered_by_name", "created_at"]
    ordering = ["-measured_on"]

    @admin.display(description=_("entered by"))
    def entered_by_name(self, obj):
        return _person(obj.entered_by) if obj.entered_by_id else "–"


def _you_entered(request, value):
    if not value.entered_by_id:
        value.entered_by = request.user
    value._history_user = request.user


@admin.register(Indicator)
class IndicatorAdmin(ExplainRefusedDeleteMixin, SimpleHistoryAdmin):
    refused_delete_explanation = _(
        "Measures name this indicator to show their effect. Remove it from those measures "
        "first; its values are kept as long as the indicator is."
    )
    list_display = [
        "title",
        "focus_area",
        "source",
        "unit",
        "direction",
        "baseline_value",
        "target_value",
        "target_on",
        "value_count",
    ]
    list_filter = ["agreement", "focus_area", "source", "unit", "direction"]
    list_select_related = ["focus_area"]
    formfield_overrides = DECIMAL_COMMA
    search_fields = ["title", "description"]
    filter_horizontal = ["areas"]
    inlines = [IndicatorValueInline]
    fieldsets = [
        (None, {"fields": ["agreement", "title", "focus_area", "areas", "description"]}),
        (_("What is measured"), {"fields": ["source", "unit", "direction"]}),
        (
            _("Baseline and target"),
            {
                "fields": [("baseline_value", "baseline_on"), ("target_value", "target_on")],
                "description": _(
                    "The baseline is the value before the measures and may lie before the "
                    "agreement's period; the target day lies within it."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(value_count=Count("values"))

    @admin.display(description=_("values"), ordering="value_count")
    def value_count(self, obj):
        return obj.value_count

    def save_formset(self, request, form, formset, change):
        for value in formset.save(commit=False):
            _you_entered(request, value)
            value.save()
        for value in formset.deleted_objects:
            value.delete()
        formset.save_m2m()


@admin.register(IndicatorValue)
class IndicatorValueAdmin(TypedTextAdminMixin, SimpleHistoryAdmin):
    list_display = ["indicator", "measured_on", "value", "entered_by_name", "created_at"]
    list_filter = ["indicator__agreement", "indicator", "measured_on"]
    list_select_related = ["indicator", "entered_by"]
    formfield_overrides = DECIMAL_COMMA
    search_fields = ["indicator__title", "comment"]
    date_hierarchy = "measured_on"
    autocomplete_fields = ["indicator"]
    fields = ["indicator", "measured_on", "value", "comment", "entered_by_name", "created_at"]
    readonly_fields = ["entered_by_name", "created_at"]

    @admin.display(description=_("entered by"), ordering="entered_by__first_name")
    def entered_by_name(self, obj):
        return _person(obj.entered_by) if obj.entered_by_id else "–"

    def save_model(self, request, obj, form, change):
        _you_entered(request, obj)
        super().save_model(request, obj, form, change)


@admin.register(CitizenPromise)
class CitizenPromiseAdmin(ExplainRefusedDeleteMixin, SimpleHistoryAdmin):
    refused_delete_explanation = _(
        "Measures keep this citizen promise. Remove it from those measures first; an expired "
        "promise is kept as the record of what was promised."
    )
    list_display = ["title", "agreement", "signed_on", "valid_from", "valid_until"]
    list_filter = ["agreement", "valid_from"]
    list_select_related = ["agreement"]
    search_fields = ["title", "text"]
    date_hierarchy = "valid_from"
    fieldsets = [
        (None, {"fields": ["agreement", "title", "text"]}),
        (_("Period"), {"fields": ["signed_on", "valid_from", "valid_until"]}),
    ]
