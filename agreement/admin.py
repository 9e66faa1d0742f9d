from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Agreement, Area, FocusArea


class FocusAreaInline(admin.TabularInline):
    model = FocusArea
    extra = 0
    fields = ["position", "name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
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
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "agreement", "position", "slug"]
    list_filter = ["agreement"]
    list_select_related = ["agreement"]
    search_fields = ["name", "description"]
    ordering = ["agreement", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_vulnerable"]
    list_editable = ["is_vulnerable"]
    list_filter = ["is_vulnerable"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
