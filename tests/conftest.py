import datetime
import itertools
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from agreement.models import (
    Agreement,
    Area,
    CitizenPromise,
    FocusArea,
    Indicator,
    IndicatorValue,
    Problem,
    SituationReport,
)
from measures import freshness
from measures.models import Measure, ProgressUpdate, Review
from measures.roles import MUNICIPAL_STAFF, POLICE_LIAISON

_counter = itertools.count(1)


@pytest.fixture
def agreement(db):
    return Agreement.objects.get(slug="haninge-2025")


@pytest.fixture
def focus_area(agreement):
    return FocusArea.objects.get(agreement=agreement, slug="barn-och-unga")


@pytest.fixture
def jordbro(db):
    return Area.objects.get(slug="jordbro")


def _user(django_user_model, group=None, **extra):
    n = next(_counter)
    user = django_user_model.objects.create_user(
        username=extra.pop("username", f"user{n}"),
        password="a long enough password 1",
        first_name=extra.pop("first_name", "Test"),
        last_name=extra.pop("last_name", f"Person {n}"),
        **extra,
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def officer(django_user_model):
    """A municipal officer (Kommunens handläggare)."""
    return _user(django_user_model, MUNICIPAL_STAFF, username="officer")


@pytest.fixture
def other_officer(django_user_model):
    return _user(django_user_model, MUNICIPAL_STAFF, username="officer2")


@pytest.fixture
def liaison(django_user_model):
    """A police liaison (Polisens kontaktperson)."""
    return _user(django_user_model, POLICE_LIAISON, username="liaison")


@pytest.fixture
def admin(django_user_model):
    return _user(django_user_model, username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(django_user_model):
    """Logged in, but in no group."""
    return _user(django_user_model, username="outsider")


@pytest.fixture
def make_measure(focus_area, officer):
    def make(**fields):
        areas = fields.pop("areas", [])
        values = {
            "focus_area": focus_area,
            "title": f"Nattvandring {next(_counter)}",
            "description": "Vuxna vandrar kvällstid i centrum.",
            "cause": "Otrygghet kvällstid.",
            "operational_goal": "Fler vuxna ute fredag och lördag.",
            "kind": Measure.Kind.SOCIAL,
            "responsible_party": Measure.Party.KOMMUN,
            "owner": officer,
            "start_date": datetime.date(2025, 3, 1),
            "end_date": datetime.date(2026, 6, 30),
            "created_by": officer,
            "updated_by": officer,
        }
        values.update(fields)
        measure = Measure.objects.create(**values)
        if areas:
            measure.areas.set(areas)
        return measure

    return make


@pytest.fixture
def measure(make_measure):
    return make_measure(title="Nattvandring i Jordbro centrum")


@pytest.fixture
def make_update(officer):
    def make(measure, **fields):
        values = {
            "measure": measure,
            "reported_on": datetime.date(2025, 6, 1),
            "status": Measure.Status.IN_PROGRESS,
            "progress": 30,
            "assessment": ProgressUpdate.Assessment.GREEN,
            "summary": "Tolv vandringar genomförda.",
            "next_steps": "Fortsätter under hösten.",
            "author": officer,
        }
        values.update(fields)
        return ProgressUpdate.objects.create(**values)

    return make


@pytest.fixture
def update(measure, make_update):
    return make_update(measure)


@pytest.fixture
def review(update, liaison):
    return Review.objects.create(
        progress_update=update, reviewer=liaison, verdict=Review.Verdict.APPROVED, comment="Bra."
    )


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing cached. (Its database is rolled back to
    the same data version, so pages cached by one test would otherwise be
    taken for the next one's.)"""
    cache.clear()
    freshness.forget_local()
    yield
    cache.clear()
    freshness.forget_local()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The suite creates many users; a slow hash only costs time here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def around_today(agreement):
    """The agreement's period moved around the real today, which the views use."""
    today = timezone.localdate()
    agreement.valid_from = today - datetime.timedelta(days=700)
    agreement.valid_until = today + datetime.timedelta(days=400)
    agreement.save()
    return today


# --- The law's chain: situation reports, problems, indicators, promises


@pytest.fixture
def situation_report(agreement):
    return SituationReport.objects.create(
        agreement=agreement,
        title="Lägesbild brott och trygghet 2024",
        prepared_on=datetime.date(2024, 11, 28),
        summary="Otryggheten är störst i Jordbro centrum kvällstid.",
        sources="Polisens trygghetsmätning 2024",
    )


@pytest.fixture
def make_problem(situation_report, focus_area):
    def make(**fields):
        areas = fields.pop("areas", [])
        values = {
            "situation_report": situation_report,
            "title": f"Unga samlas kvällstid {next(_counter)}",
            "description": "Grupper av unga samlas vid centrum fredag kväll.",
            "focus_area": focus_area,
        }
        values.update(fields)
        problem = Problem.objects.create(**values)
        if areas:
            problem.areas.set(areas)
        return problem

    return make


@pytest.fixture
def problem(make_problem, jordbro):
    return make_problem(title="Unga samlas kvällstid i Jordbro centrum", areas=[jordbro])


@pytest.fixture
def make_indicator(agreement):
    """A percent indicator where lower is better: 31 % → 25 %."""

    def make(**fields):
        values = {
            "agreement": agreement,
            "title": f"Andel som känner sig otrygga {next(_counter)}",
            "source": Indicator.Source.SAFETY_SURVEY,
            "unit": Indicator.Unit.PERCENT,
            "direction": Indicator.Direction.DECREASE,
            "baseline_value": Decimal("31"),
            "baseline_on": datetime.date(2024, 10, 15),
            "target_value": Decimal("25"),
            "target_on": datetime.date(2027, 10, 15),
        }
        values.update(fields)
        return Indicator.objects.create(**values)

    return make


@pytest.fixture
def indicator(make_indicator):
    return make_indicator(title="Andel som känner sig otrygga i sitt område")


@pytest.fixture
def make_value(officer):
    def make(indicator, measured_on, value, **fields):
        return IndicatorValue.objects.create(
            indicator=indicator,
            measured_on=measured_on,
            value=Decimal(str(value)),
            entered_by=fields.pop("entered_by", officer),
            **fields,
        )

    return make


@pytest.fixture
def promise(agreement):
    return CitizenPromise.objects.create(
        agreement=agreement,
        title="Medborgarlöfte 2026: Ett tryggare Jordbro centrum",
        text="Polisen och kommunen lovar att finnas på plats fredag och lördag kväll.",
        signed_on=datetime.date(2026, 1, 29),
        valid_from=datetime.date(2026, 2, 1),
        valid_until=datetime.date(2026, 12, 31),
    )


@pytest.fixture
def other_agreement(db):
    """Nynäshamn's agreement with the same police area, with a focus area of its own."""
    other = Agreement.objects.create(
        title="Samverkansöverenskommelse Nynäshamn",
        slug="nynashamn-2025",
        municipality="Nynäshamns kommun",
        police_area="lokalpolisområde Haninge/Nynäshamn",
        signed_on=datetime.date(2025, 3, 1),
        valid_from=datetime.date(2025, 3, 1),
        valid_until=datetime.date(2026, 2, 28),
    )
    FocusArea.objects.create(agreement=other, slug="barn-och-unga", name="Barn och unga")
    return other


@pytest.fixture
def foreign_problem(other_agreement):
    """A problem in Nynäshamn's situation report: another agreement's."""
    report = SituationReport.objects.create(
        agreement=other_agreement,
        title="Lägesbild Nynäshamn",
        prepared_on=datetime.date(2025, 1, 10),
        summary="Nynäshamn.",
    )
    return Problem.objects.create(situation_report=report, title="Stöld i hamnen")


@pytest.fixture
def foreign_promise(other_agreement):
    """Nynäshamn's citizen promise: another agreement's."""
    return CitizenPromise.objects.create(
        agreement=other_agreement,
        title="Medborgarlöfte Nynäshamn",
        text="Tryggare hamn.",
        signed_on=datetime.date(2025, 3, 1),
        valid_from=datetime.date(2025, 3, 1),
        valid_until=datetime.date(2025, 12, 31),
    )
