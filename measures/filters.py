import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agreement.models import Area, CitizenPromise, FocusArea, Indicator, Problem

from .forms import UserChoiceField
from .models import ASSESSMENTS, FLAGS, NO_PROBLEM, NO_PROBLEM_LABEL, UNASSESSED, Measure
from .roles import people_in_roles

ANY_FLAG = "any"
# The free-text search looks for at most this many words, each anywhere.
SEARCH_WORDS = 10
# The filters the chain's pages link to, for all the measures of one of them.
CHAIN_FILTERS = ("problem", "promise", "indicator")


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
        # "Any flag" means any of the six follow-up flags; the softer
        # no_problem is offered beside them but not counted among them.
        choices=[(ANY_FLAG, _("Any flag")), *FLAGS.items(), (NO_PROBLEM, NO_PROBLEM_LABEL)],
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
    # The chain's pages list a few measures per problem, promise or indicator
    # and link here for all of them. They are chosen by following such a link,
    # not in the form: hidden inputs keep them while other filters are added.
    problem = django_filters.ModelChoiceFilter(
        field_name="problems",
        queryset=Problem.objects.none(),
        label=_("Problem"),
        widget=forms.HiddenInput,
    )
    promise = django_filters.ModelChoiceFilter(
        field_name="promises",
        queryset=CitizenPromise.objects.none(),
        label=_("Citizen promise"),
        widget=forms.HiddenInput,
    )
    indicator = django_filters.ModelChoiceFilter(
        field_name="indicators",
        queryset=Indicator.objects.none(),
        label=_("Indicator"),
        widget=forms.HiddenInput,
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
            self.filters["problem"].queryset = Problem.objects.filter(
                situation_report__agreement=agreement
            )
            self.filters["promise"].queryset = CitizenPromise.objects.filter(agreement=agreement)
            self.filters["indicator"].queryset = Indicator.objects.filter(agreement=agreement)

    @property
    def chain_links(self):
        """The problem, promise or indicator the list is narrowed to, each as
        {"name", "object", "without"} (the query string without it), for the
        line above the table that says so and how to undo it."""
        if not self.is_bound or not self.is_valid():
            return []
        links = []
        for name in CHAIN_FILTERS:
            chosen = self.form.cleaned_data.get(name)
            if chosen is not None:
                without = self.data.copy()
                without.pop(name, None)
                links.append({"name": name, "object": chosen, "without": without.urlencode()})
        return links

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
        if value == NO_PROBLEM:
            return queryset.without_problem()
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
