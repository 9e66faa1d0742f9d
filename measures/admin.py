from django.contrib import admin
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Measure, ProgressUpdate, Review


class ProgressUpdateInline(admin.StackedInline):
    model = ProgressUpdate
    extra = 0
    fields = [
        ("reported_on", "status", "progress", "assessment"),
        "summary",
        "next_steps",
        "author",
    ]
    autocomplete_fields = ["author"]
    show_change_link = True


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    fields = ["verdict", "comment", "reviewer", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["reviewer"]


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "focus_area",
        "status",
        "responsible_party",
        "owner",
        "start_date",
        "end_date",
        "is_archived",
    ]
    list_filter = [
        "focus_area",
        "status",
        "responsible_party",
        "kind",
        "is_one_off",
        "is_archived",
        "areas",
    ]
    list_select_related = ["focus_area", "owner"]
    search_fields = ["title", "description", "cause", "operational_goal", "responsible_unit"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["owner"]
    filter_horizontal = ["areas"]
    readonly_fields = ["version", "created_at", "created_by", "updated_at", "updated_by"]
    history_list_display = ["status", "end_date"]
    inlines = [ProgressUpdateInline]
    fieldsets = [
        (None, {"fields": ["focus_area", "title"]}),
        (_("Cause"), {"fields": ["cause"]}),
        (_("Measure"), {"fields": ["description", "kind", "is_one_off"]}),
        (_("Operational goal"), {"fields": ["operational_goal"]}),
        (_("When"), {"fields": ["start_date", "end_date"]}),
        (_("Who"), {"fields": ["responsible_party", "responsible_unit", "owner", "areas"]}),
        (_("Follow-up"), {"fields": ["status", "is_archived"]}),
        (
            _("Record"),
            {
                "fields": ["version", "created_at", "created_by", "updated_at", "updated_by"],
                "classes": ["collapse"],
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        if change:
            obj.version = F("version") + 1
        else:
            obj.created_by = request.user
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            obj.refresh_from_db(fields=["version"])


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["measure", "reported_on", "status", "progress", "assessment", "author"]
    list_filter = ["assessment", "status", "reported_on", "measure__focus_area"]
    list_select_related = ["measure", "author"]
    search_fields = ["measure__title", "summary", "next_steps"]
    date_hierarchy = "reported_on"
    autocomplete_fields = ["measure", "author"]
    readonly_fields = ["created_at"]
    inlines = [ReviewInline]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["progress_update", "verdict", "reviewer", "created_at"]
    list_filter = ["verdict", "created_at"]
    list_select_related = ["progress_update__measure", "reviewer"]
    search_fields = ["comment", "progress_update__measure__title"]
    autocomplete_fields = ["progress_update", "reviewer"]
    readonly_fields = ["created_at"]
