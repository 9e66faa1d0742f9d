"""The management commands a new colleague meets through `make run`."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from agreement.models import Area
from followup.models import Decision, Meeting
from measures.models import Measure, ProgressUpdate, Review


def _snapshot():
    measures = list(
        Measure.objects.order_by("pk").values_list(
            "title", "focus_area__slug", "status", "start_date", "end_date", "owner__username"
        )
    )
    updates = list(
        ProgressUpdate.objects.order_by("pk").values_list(
            "measure__title", "reported_on", "progress", "assessment", "summary"
        )
    )
    reviews = list(Review.objects.order_by("pk").values_list("verdict", "comment"))
    areas = sorted(Measure.areas.through.objects.values_list("measure__title", "area__slug"))
    return measures, updates, reviews, areas


def _wipe():
    Decision.objects.all().delete()
    Meeting.objects.all().delete()
    Review.objects.all().delete()
    ProgressUpdate.objects.all().delete()
    Measure.history.model.objects.all().delete()
    Measure.objects.all().delete()


def test_seed_demo_makes_the_same_data_for_the_same_seed(db):
    call_command("seed_demo", measures=30, seed=5)
    first = _snapshot()
    _wipe()
    call_command("seed_demo", measures=30, seed=5)
    assert _snapshot() == first
    _wipe()
    call_command("seed_demo", measures=30, seed=6)
    assert _snapshot() != first


def test_seed_demo_covers_every_focus_area_and_the_vulnerable_districts(db):
    call_command("seed_demo", measures=40, seed=1)
    assert Measure.objects.count() == 40
    assert set(Measure.objects.values_list("focus_area__slug", flat=True)) == {
        "barn-och-unga",
        "offentlig-miljo",
        "hemmiljo",
        "samhallsniva",
    }
    vulnerable = Area.objects.filter(is_vulnerable=True)
    assert Measure.objects.filter(areas__in=vulnerable).exists()
    assert ProgressUpdate.objects.exists()
    assert Review.objects.exists()
    # Every measure obeys the rules a form would enforce.
    for measure in Measure.objects.select_related("focus_area__agreement"):
        measure.full_clean()
    assert Measure.history.count() == 40


def test_seed_demo_shows_the_follow_up_cycle(db):
    """Reporting periods with reports in them, the steering group's last
    meeting frozen with decisions (one past due), the next one a draft, and a
    report dated back after a newer one."""
    call_command("seed_demo", measures=40, seed=1)
    frozen, draft = Meeting.objects.frozen().get(), Meeting.objects.get(frozen_at__isnull=True)
    assert frozen.period.deadline < draft.period.deadline
    assert frozen.snapshot["measures"]
    assert frozen.decisions.count() == 3
    assert Decision.objects.overdue().exists()
    assert Decision.objects.filter(measure__isnull=False).exists()
    for period in frozen.agreement.periods.filter(deadline__lt=frozen.held_on):
        counts = Measure.objects.due_counts(period)
        if counts["due"]:
            assert 0 < counts["reported"] <= counts["due"], period.name
    back_dated = [
        m
        for m in Measure.objects.all()
        if list(m.updates.order_by("created_at", "pk").values_list("reported_on", flat=True))
        != sorted(m.updates.values_list("reported_on", flat=True))
    ]
    assert back_dated


def test_seed_demo_if_empty_leaves_existing_data_alone(db, measure):
    call_command("seed_demo", measures=10, if_empty=True)
    assert list(Measure.objects.all()) == [measure]


def test_create_demo_accounts_makes_one_account_per_role_once(db, capsys):
    call_command("create_demo_accounts")
    out = capsys.readouterr().out
    users = get_user_model().objects.order_by("username")
    assert [u.username for u in users] == ["admin", "handlaggare", "kontaktperson"]
    assert users.get(username="admin").is_superuser
    assert users.get(username="handlaggare").groups.get().name == "Kommunens handläggare"
    assert users.get(username="kontaktperson").groups.get().name == "Polisens kontaktperson"
    # Each password is printed once and works.
    for user in users:
        line = next(line for line in out.splitlines() if line.split()[:1] == [user.username])
        assert user.check_password(line.split()[1])

    call_command("create_demo_accounts")
    assert get_user_model().objects.count() == 3
    assert "no demo accounts were created" in capsys.readouterr().out


@pytest.mark.parametrize("measures", [0, 1])
def test_seed_demo_handles_tiny_sizes(db, measures):
    call_command("seed_demo", measures=measures, seed=3)
    assert Measure.objects.count() == measures
