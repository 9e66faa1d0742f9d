from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agreement.admin import ExplainRefusedDeleteMixin, TypedTextAdminMixin
from agreement.models import Area, CitizenPromise, Indicator, Problem
from agreement.validators import validate_line

from . import services
from .forms import MEASURE_FIELDS, UserChoiceField
from .freshness import data_changed
from .models import Measure, ProgressUpdate, Review
from .roles import person_name, role_label

User = get_user_model()


class PeopleByNameMixin:
    """People appear by full name in the admin's selects, as in the app."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.remote_field.model is User:
            kwargs.setdefault(
                "queryset", User.objects.order_by("-is_active", "first_name", "last_name")
            )
            kwargs.setdefault("form_class", UserChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _person_column(field, description):
    @admin.display(description=description, ordering=f"{field}__first_name")
    def column(model_admin, obj):
        user = getattr(obj, field)
        return person_name(user) if user or getattr(obj, f"{field}_id") else "–"

    return column


class YouByDefaultMixin:
    """A report or review entered in an inline is the administrator's own
    unless they name someone else."""

    def save_formset(self, request, form, formset, change):
        for row in formset.save(commit=False):
            if isinstance(row, ProgressUpdate) and not row.author_id:
                row.author = request.user
            if isinstance(row, Review) and not row.reviewer_id:
                row.reviewer = request.user
            row.save()
        for row in formset.deleted_objects:
            row.delete()
        formset.save_m2m()


class ProgressUpdateInline(TypedTextAdminMixin, PeopleByNameMixin, admin.StackedInline):
    model = ProgressUpdate
    extra = 0
    fields = [
        ("reported_on", "status", "progress", "assessment"),
        "summary",
        "next_steps",
        "author",
    ]
    show_change_link = True


class ReviewInline(TypedTextAdminMixin, PeopleByNameMixin, admin.TabularInline):
    model = Review
    extra = 0
    max_num = 1
    fields = ["verdict", "comment", "reviewer", "created_at"]
    readonly_fields = ["created_at"]


class MeasureAdminForm(forms.ModelForm):
    """The app's rules in the admin: the districts saved so their history is
    kept, and the version the editor opened, so a stale form never
    overwrites a newer save (optimistic locking, as in the app)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    districts = forms.ModelMultipleChoiceField(
        queryset=Area.objects.in_swedish_order(),
        required=False,
        label=_("districts"),
        help_text=Measure._meta.get_field("areas").help_text,
        widget=FilteredSelectMultiple(_("districts"), is_stacked=False),
    )

    problem_choices = forms.ModelMultipleChoiceField(
        queryset=Problem.objects.select_related("situation_report"),
        required=False,
        label=_("problems"),
        help_text=Measure._meta.get_field("problems").help_text,
        widget=FilteredSelectMultiple(_("problems"), is_stacked=False),
    )
    indicator_choices = forms.ModelMultipleChoiceField(
        queryset=Indicator.objects.all(),
        required=False,
        label=_("indicators"),
        help_text=Measure._meta.get_field("indicators").help_text,
        widget=FilteredSelectMultiple(_("indicators"), is_stacked=False),
    )
    promise_choices = forms.ModelMultipleChoiceField(
        queryset=CitizenPromise.objects.all(),
        required=False,
        label=_("citizen promises"),
        help_text=Measure._meta.get_field("promises").help_text,
        widget=FilteredSelectMultiple(_("citizen promises"), is_stacked=False),
    )

    # (form field, the measure's field, the chosen object's agreement)
    LINKS = [
        ("problem_choices", "problems", lambda problem: problem.situation_report.agreement_id),
        ("indicator_choices", "indicators", lambda indicator: indicator.agreement_id),
        ("promise_choices", "promises", lambda promise: promise.agreement_id),
    ]

    class Meta:
        model = Measure
        fields = [*MEASURE_FIELDS, "is_archived"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["districts"].initial = list(self.instance.areas.all())
            for name, field, _agreement in self.LINKS:
                self.fields[name].initial = list(getattr(self.instance, field).all())
            self.fields["version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        focus_area = cleaned.get("focus_area")
        if focus_area is not None:
            for name, _field, agreement_of in self.LINKS:
                others = [
                    o for o in cleaned.get(name) or [] if agreement_of(o) != focus_area.agreement_id
                ]
                if others:
                    self.add_error(
                        name,
                        _(
                            "“%(title)s” belongs to another agreement than the measure's "
                            "focus area. Choose among the links of the measure's own agreement."
                        )
                        % {"title": others[0]},
                    )
        if self.instance.pk:
            opened = cleaned.get("version")
            saved = (
                Measure.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if opened != saved:
                raise ValidationError(
                    _(
                        "Someone saved this measure after you opened it, so your changes "
                        "are not saved. Copy what you changed, reload the page to see the "
                        "saved version, and make your changes again."
                    ),
                    code="conflict",
                )
        return cleaned


@admin.register(Measure)
class MeasureAdmin(
    YouByDefaultMixin, ExplainRefusedDeleteMixin, PeopleByNameMixin, SimpleHistoryAdmin
):
    form = MeasureAdminForm
    refused_delete_explanation = _(
        "A measure that has been reported on is kept with its progress updates and its "
        "history. Archive it instead: it leaves lists, flags and reports but can be restored."
    )
    list_display = [
        "title",
        "focus_area",
        "status",
        "responsible_party",
        "owner_name",
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
    readonly_fields = ["status", "created_at", "created_by_name", "updated_at", "updated_by_name"]
    history_list_display = ["status", "end_date"]
    inlines = [ProgressUpdateInline]
    fieldsets = [
        (None, {"fields": ["focus_area", "title", "version"]}),
        (_("Cause"), {"fields": ["cause"]}),
        (_("Measure"), {"fields": ["description", "kind", "is_one_off"]}),
        (_("Operational goal"), {"fields": ["operational_goal"]}),
        (_("When"), {"fields": ["start_date", "end_date"]}),
        (_("Who"), {"fields": ["responsible_party", "responsible_unit", "owner", "districts"]}),
        (
            _("From situation report to effect"),
            {"fields": ["problem_choices", "indicator_choices", "promise_choices"]},
        ),
        (
            _("Follow-up"),
            {
                "fields": ["status", "is_archived"],
                "description": _("The status follows the newest progress update."),
            },
        ),
        (
            _("Record"),
            {
                "fields": ["created_at", "created_by_name", "updated_at", "updated_by_name"],
                "classes": ["collapse"],
            },
        ),
    ]

    owner_name = _person_column("owner", _("contact person"))
    created_by_name = _person_column("created_by", _("created by"))
    updated_by_name = _person_column("updated_by", _("updated by"))

    def save_model(self, request, obj, form, change):
        # The admin saves inside a transaction; the version check in the
        # form's clean() has locked the row on PostgreSQL.
        if change and not form.has_changed():
            return  # saved unchanged: no new version, no history entry
        if change:
            services.measure_record_change(
                measure=obj, by=request.user, expected_version=form.cleaned_data.get("version")
            )
        else:
            obj.created_by = obj.updated_by = request.user
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        measure = form.instance
        measure._history_user = request.user
        measure.areas.set(form.cleaned_data["districts"])
        for name, field, _agreement in form.LINKS:
            getattr(measure, field).set(form.cleaned_data[name])
        services.measure_follow_updates(measure=measure, by=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.EditConflict:
            # Only when two saves meet between the form's check and the save
            # on SQLite, which cannot lock the row.
            messages.error(
                request,
                _("Someone saved this measure at the same moment. Nothing of yours was saved."),
            )
            return redirect(request.path)


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(
    YouByDefaultMixin, TypedTextAdminMixin, PeopleByNameMixin, admin.ModelAdmin
):
    list_display = [
        "measure",
        "reported_on",
        "status",
        "progress",
        "assessment",
        "author_name",
    ]
    list_filter = ["assessment", "status", "reported_on", "measure__focus_area"]
    list_select_related = ["measure", "author"]
    search_fields = ["measure__title", "summary", "next_steps"]
    date_hierarchy = "reported_on"
    autocomplete_fields = ["measure"]
    readonly_fields = ["created_at"]
    inlines = [ReviewInline]

    author_name = _person_column("author", _("author"))

    # The measure's status follows its newest report, whatever the admin changes.
    def save_model(self, request, obj, form, change):
        if not obj.author_id:
            obj.author = request.user
        super().save_model(request, obj, form, change)
        services.measure_follow_updates(measure=obj.measure, by=request.user)

    def delete_model(self, request, obj):
        measure = obj.measure
        super().delete_model(request, obj)
        services.measure_follow_updates(measure=measure, by=request.user)

    def delete_queryset(self, request, queryset):
        measures = list(Measure.objects.filter(updates__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for measure in measures:
            services.measure_follow_updates(measure=measure, by=request.user)


@admin.register(Review)
class ReviewAdmin(TypedTextAdminMixin, PeopleByNameMixin, admin.ModelAdmin):
    list_display = ["progress_update", "verdict", "reviewer_name", "created_at"]
    list_filter = ["verdict", "created_at"]
    list_select_related = ["progress_update__measure", "reviewer"]
    search_fields = ["comment", "progress_update__measure__title"]
    autocomplete_fields = ["progress_update"]
    readonly_fields = ["created_at"]

    reviewer_name = _person_column("reviewer", _("reviewer"))

    def save_model(self, request, obj, form, change):
        if not obj.reviewer_id:
            obj.reviewer = request.user
        super().save_model(request, obj, form, change)


# --- People


class PersonNamesMixin:
    """Users' names are free text shown on every page: the same hygiene as the app's text."""

    def clean_first_name(self):
        value = self.cleaned_data.get("first_name", "")
        validate_line(value)
        return value

    def clean_last_name(self):
        value = self.cleaned_data.get("last_name", "")
        validate_line(value)
        return value


class PersonChangeForm(PersonNamesMixin, UserChangeForm):
    pass


class PersonCreationForm(PersonNamesMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        fields = ["username", "first_name", "last_name", "email"]


def _has_history(user):
    history = Measure.history.model.objects.filter(Q(history_user=user) | Q(owner=user))
    return history.exists()


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    """Permissions in Swedish: Django stores their names in English when it
    creates them, so they are named here from the model's own verbose name."""

    ACTIONS = {
        "add": _("Can add %(model)s"),
        "change": _("Can change %(model)s"),
        "delete": _("Can delete %(model)s"),
        "view": _("Can view %(model)s"),
    }

    def label_from_instance(self, obj):
        content_type = obj.content_type
        model = content_type.model_class()
        tracked = getattr(model, "instance_type", None)  # a history model
        if tracked is not None:
            name = _("history of %(model)s") % {"model": tracked._meta.verbose_name}
        elif model is not None:
            name = model._meta.verbose_name
        else:
            name = content_type.model
        action = obj.codename.split("_", 1)[0]
        if action in self.ACTIONS and obj.codename == f"{action}_{content_type.model}":
            text = self.ACTIONS[action] % {"model": name}
        else:
            text = gettext(obj.name)
        app = apps.get_app_config(content_type.app_label).verbose_name
        return f"{app} | {text}"


class SwedishPermissionsMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in ("permissions", "user_permissions"):
            return PermissionChoiceField(
                queryset=Permission.objects.select_related("content_type"),
                required=False,
                label=db_field.verbose_name,
                help_text=db_field.help_text,
                widget=FilteredSelectMultiple(db_field.verbose_name, is_stacked=False),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(TypedTextAdminMixin, SwedishPermissionsMixin, GroupAdmin):
    pass


admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(ExplainRefusedDeleteMixin, SwedishPermissionsMixin, UserAdmin):
    """People are deactivated when they leave, never deleted once they have
    worked in the app: their reports, reviews and history stay readable."""

    form = PersonChangeForm
    add_form = PersonCreationForm
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
    refused_delete_explanation = _(
        "People who have worked in the app are not deleted: their measures, progress "
        "updates, reviews and history must stay readable. Deactivate the person instead "
        "(untick “Active” on their page, or use the action “Deactivate” in the list of "
        "users). They can then no longer log in, and their measures are flagged as having "
        "no contact person."
    )
    list_display = ["full_name", "username", "email", "role", "is_active", "last_login"]
    # Kept by Django itself; as form fields they would lose their seconds'
    # fractions at every save.
    readonly_fields = ["last_login", "date_joined"]
    list_display_links = ["full_name", "username"]
    list_filter = ["is_active", "groups", "is_staff"]
    ordering = ["-is_active", "first_name", "last_name", "username"]
    actions = ["deactivate"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("name"), ordering="first_name")
    def full_name(self, obj):
        return obj.get_full_name() or "–"

    @admin.display(description=_("role"))
    def role(self, obj):
        return role_label(obj)

    @admin.action(description=_("Deactivate the selected people (they can no longer log in)"))
    def deactivate(self, request, queryset):
        count = queryset.exclude(pk=request.user.pk).update(is_active=False)
        data_changed()  # an update() sends no signal; pages show who has left
        self.message_user(
            request,
            ngettext(
                "%(count)d person was deactivated. Their work and history are kept.",
                "%(count)d people were deactivated. Their work and history are kept.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for user in objs:
            if _has_history(user):
                protected.append(
                    _("%(name)s appears in the history of measures") % {"name": person_name(user)}
                )
        return deleted, counts, perms_needed, protected
