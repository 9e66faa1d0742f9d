from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .forms import TypedText
from .models import Agreement, Area, FocusArea, ReportingPeriod


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
