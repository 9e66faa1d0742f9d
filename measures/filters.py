import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agreement.models import Area, FocusArea

from .forms import UserChoiceField
from .models import ASSESSMENTS, FLAGS, UNASSESSED, Measure
from .roles import people_in_roles

ANY_FLAG = "any"
# The free-text search looks for at most this many words, each anywhere.
SEARCH_WORDS = 10


class FromToWidget(django_filters.widgets.DateRangeWidget):
    """Two date inputs named `<field>_from` and `<field>_to`."""

    suffixes = ["from", "to"]


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


class MeasureFilter(django_filters.FilterSet):
    """The list of measures, filtered by the query string (`/measures/?status=…`).

    The same filter serves the list and the exports.
    """

    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Search"),
        max_length=200,
        help_text=_("Words in the title, the measure or the cause."),
    )
    focus_area = django_filters.ModelChoiceFilter(
        queryset=FocusArea.objects.none(), label=_("Focus area"), empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(
        choices=Measure.Status.choices, label=_("Status"), empty_label=_("All")
    )
    responsible_party = django_filters.ChoiceFilter(
        choices=Measure.Party.choices, label=_("Responsible party"), empty_label=_("All")
    )
    owner = UserFilter(
        queryset=people_in_roles(owners=True), label=_("Contact person"), empty_label=_("All")
    )
    areas = django_filters.ModelChoiceFilter(
        queryset=Area.objects.in_swedish_order(), label=_("District"), empty_label=_("All")
    )
    assessment = django_filters.ChoiceFilter(
        choices=ASSESSMENTS,
        method="filter_assessment",
        label=_("Assessment"),
        empty_label=_("All"),
    )
    flag = django_filters.ChoiceFilter(
        choices=[(ANY_FLAG, _("Any flag")), *FLAGS.items()],
        method="filter_flag",
        label=_("Follow-up flag"),
        empty_label=_("All"),
    )
    start_date = django_filters.DateFromToRangeFilter(
        label=_("Starts"),
        widget=FromToWidget(attrs={"type": "date"}),
    )
    end_date = django_filters.DateFromToRangeFilter(
        label=_("Ends"),
        widget=FromToWidget(attrs={"type": "date"}),
    )
    archived = django_filters.BooleanFilter(
        method="filter_archived",
        label=_("Include archived measures"),
        widget=forms.CheckboxInput,
    )
    o = django_filters.OrderingFilter(
        fields=[
            ("title", "title"),
            ("focus_area__position", "focus_area"),
            ("status", "status"),
            ("responsible_party", "responsible_party"),
            ("owner__first_name", "owner"),
            ("start_date", "start_date"),
            ("end_date", "end_date"),
            ("latest_progress", "progress"),
        ],
        label=_("Sort by"),
    )

    class Meta:
        model = Measure
        fields = []

    def __init__(self, data=None, *args, agreement=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        if agreement is not None:
            self.filters["focus_area"].queryset = FocusArea.objects.filter(agreement=agreement)

    @property
    def qs(self):
        if self.is_bound and not self.is_valid():
            # A filter that cannot be read shows nothing rather than
            # everything: a list or an export that looks filtered but is not
            # would mislead. The form says what to correct.
            return self.queryset.none()
        qs = super().qs
        if not self.is_bound or not self.form.cleaned_data.get("archived"):
            qs = qs.filter(is_archived=False)
        if self.is_bound and self.form.cleaned_data.get("o"):
            # A tie-breaker keeps pagination stable under any sort column.
            qs = qs.order_by(*qs.query.order_by, "pk")
        else:
            qs = qs.order_by("start_date", "title", "pk")
        return qs

    def filter_text(self, queryset, name, value):
        for word in value.split()[:SEARCH_WORDS]:
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(description__icontains=word) | Q(cause__icontains=word)
            )
        return queryset

    def filter_flag(self, queryset, name, value):
        if value == ANY_FLAG:
            flagged = Q()
            for flag in FLAGS:
                flagged |= Q(**{f"flag_{flag}": True})
            return queryset.filter(flagged)
        return queryset.filter(**{f"flag_{value}": True})

    def filter_assessment(self, queryset, name, value):
        if value == UNASSESSED:
            return queryset.filter(latest_assessment__isnull=True)
        return queryset.filter(latest_assessment=value)

    def filter_archived(self, queryset, name, value):
        # Applied in qs: archived measures are hidden unless asked for.
        return queryset
