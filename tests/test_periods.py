"""Reporting periods (issue 9, point 2): the tertials, rule 7, reopening with a
reason, /periods/ and the worklist /periods/<id>/, and the overview's card."""

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agreement.models import ReportingPeriod
from measures.models import Measure, ProgressUpdate

D = datetime.date
TODAY = timezone.localdate()


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def periods(agreement):
    return {p.name: p for p in agreement.periods.all()}


def test_the_agreement_has_its_tertials_each_due_14_days_after_it_ends(periods):
    assert list(periods) == [
        "T1 2025",
        "T2 2025",
        "T3 2025",
        "T1 2026",
        "T2 2026",
        "T3 2026",
        "T1 2027",
        "T2 2027",
        "T3 2027",
    ]
    first, last = periods["T1 2025"], periods["T3 2027"]
    assert (first.starts_on, first.ends_on, first.deadline) == (
        D(2025, 2, 11),
        D(2025, 4, 30),
        D(2025, 5, 14),
    )
    assert (periods["T2 2025"].starts_on, periods["T2 2025"].ends_on) == (
        D(2025, 5, 1),
        D(2025, 8, 31),
    )
    assert (last.ends_on, last.deadline) == (D(2027, 12, 31), D(2028, 1, 14))


def test_the_database_keeps_a_reason_with_every_reopening(periods):
    from django.db import IntegrityError, transaction

    period = periods["T1 2026"]
    period.reopened_until = D(2026, 6, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        period.save()


def test_a_period_is_open_until_its_deadline_and_again_when_reopened(periods):
    period = periods["T1 2026"]
    assert period.is_open(D(2026, 5, 14))
    assert not period.is_open(D(2026, 5, 15))
    period.reopened_until = D(2026, 6, 1)
    assert period.is_open(D(2026, 6, 1)) and period.is_reopened(D(2026, 6, 1))
    assert not period.is_open(D(2026, 6, 2))


@pytest.mark.parametrize(
    ("starts", "ends", "deadline", "field", "message"),
    [
        (D(2026, 3, 1), D(2026, 2, 1), D(2026, 3, 1), "ends_on", "kan inte sluta innan"),
        (D(2028, 1, 1), D(2028, 2, 1), D(2028, 2, 1), "starts_on", "inom överenskommelsens"),
        (D(2026, 4, 1), D(2026, 5, 15), D(2026, 6, 1), "starts_on", "överlappar T1 2026"),
        (D(2026, 1, 1), D(2026, 1, 31), D(2025, 12, 1), "deadline", "före periodens slut"),
    ],
)
def test_a_period_that_breaks_the_rules_is_refused_in_swedish(
    agreement, starts, ends, deadline, field, message
):
    period = ReportingPeriod(
        agreement=agreement, name="Extra", starts_on=starts, ends_on=ends, deadline=deadline
    )
    with pytest.raises(ValidationError) as refused:
        period.full_clean()
    assert message in " ".join(refused.value.message_dict[field])


def test_the_admin_refuses_an_overlapping_period_next_to_the_field(client, admin, agreement):
    client.force_login(admin)
    response = client.post(
        reverse("admin:agreement_reportingperiod_add"),
        {
            "agreement": agreement.pk,
            "name": "Extra",
            "starts_on": "2026-04-01",
            "ends_on": "2026-05-31",
            "deadline": "2026-06-14",
            "reopen_reason": "",
        },
    )
    assert response.status_code == 200
    assert "överlappar" in " ".join(response.context["adminform"].form.errors["starts_on"])
    assert agreement.periods.count() == 9


# --- Rule 7


def update_data(day, **changes):
    return {
        "reported_on": day.isoformat(),
        "status": "in_progress",
        "progress": "30",
        "assessment": "green",
        "summary": "Vandringar varje helg.",
        **changes,
    }


def test_a_report_into_a_closed_period_is_refused_naming_the_period_and_deadline(
    client, officer, measure
):
    client.force_login(officer)
    response = client.post(f"/measures/{measure.pk}/updates/new/", update_data(D(2025, 9, 15)))

    assert response.status_code == 200
    content = text(response)
    assert "Rapportperioden T3 2025 (2025-09-01 – 2025-12-31) stängdes" in content
    assert "2026-01-14" in content
    assert "Vandringar varje helg." in content
    assert not ProgressUpdate.objects.exists()


def test_a_report_into_the_open_period_is_taken(client, officer, measure):
    client.force_login(officer)
    response = client.post(f"/measures/{measure.pk}/updates/new/", update_data(TODAY))
    assert response.status_code == 302
    assert ProgressUpdate.objects.get().reported_on == TODAY


def test_a_reopened_period_takes_reports_until_the_day_given(client, officer, measure, periods):
    period = periods["T3 2025"]
    period.reopened_until = TODAY
    period.reopen_reason = "Sena rapporter efter sjukdom."
    period.save()
    client.force_login(officer)
    response = client.post(f"/measures/{measure.pk}/updates/new/", update_data(D(2025, 9, 15)))
    assert response.status_code == 302
    assert ProgressUpdate.objects.get().reported_on == D(2025, 9, 15)


# --- Reopening


def reopen(client, period, **data):
    return client.post(f"/periods/{period.pk}/reopen/", data)


def test_an_admin_reopens_a_closed_period_with_a_reason_kept_in_its_history(client, admin, periods):
    period = periods["T3 2025"]
    client.force_login(admin)
    until = TODAY + datetime.timedelta(days=10)

    response = reopen(
        client,
        period,
        reopened_until=until.isoformat(),
        reopen_reason="Styrgruppen beslutade att ta emot sena rapporter.",
    )

    assert response.status_code == 302
    period.refresh_from_db()
    assert period.reopened_until == until
    assert period.is_open(TODAY)
    record = period.history.latest()
    assert record.history_user == admin
    assert record.history_change_reason == "Styrgruppen beslutade att ta emot sena rapporter."
    assert "tar emot rapporter igen till och med" in text(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reopened_until": "2030-01-01", "reopen_reason": ""}, "Skriv varför perioden öppnas"),
        ({"reopened_until": "", "reopen_reason": "Sena rapporter."}, "Ange den sista dagen"),
        ({"reopened_until": "2026-01-01", "reopen_reason": "Sena."}, "kan inte ligga bakåt"),
        ({"reopened_until": "2026-1-32", "reopen_reason": "Sena."}, "giltigt datum"),
    ],
)
def test_reopening_without_a_reason_or_with_a_past_day_is_refused(
    client, admin, periods, data, message
):
    period = periods["T3 2025"]
    client.force_login(admin)
    response = reopen(client, period, **data)
    assert response.status_code == 200
    assert message in text(response)
    period.refresh_from_db()
    assert period.reopened_until is None


@pytest.mark.parametrize("who", ["officer", "liaison"])
def test_only_those_with_the_permission_reopen_a_period(client, request, periods, who):
    period = periods["T3 2025"]
    client.force_login(request.getfixturevalue(who))
    response = reopen(client, period, reopened_until="2030-01-01", reopen_reason="Sent.")
    assert response.status_code == 403
    period.refresh_from_db()
    assert period.reopened_until is None
    assert "Öppna perioden igen" not in text(client.get(f"/periods/{period.pk}/"))


def test_reopening_answers_405_to_a_get(client, admin, periods):
    client.force_login(admin)
    assert client.get(f"/periods/{periods['T3 2025'].pk}/reopen/").status_code == 405


# --- Pages


@pytest.fixture
def reporting(make_measure, make_update, officer, other_officer, periods):
    """In T3 2026: two of the officer's measures (one reported), one of a
    colleague's (not reported), one done before the period, one archived."""
    period = periods["T3 2026"]
    mine_reported = make_measure(title="Min rapporterade", owner=officer, end_date=D(2027, 6, 30))
    make_update(mine_reported, reported_on=period.starts_on + datetime.timedelta(days=3))
    mine_missing = make_measure(title="Min saknade", owner=officer, end_date=D(2027, 6, 30))
    theirs = make_measure(title="Kollegans saknade", owner=other_officer, end_date=D(2027, 6, 30))
    done = make_measure(title="Klar före perioden")
    make_update(done, reported_on=D(2026, 4, 1), status=Measure.Status.DONE)
    archived = make_measure(title="Arkiverad", is_archived=True, end_date=D(2027, 6, 30))
    return {
        "period": period,
        "mine_reported": mine_reported,
        "mine_missing": mine_missing,
        "theirs": theirs,
        "done": done,
        "archived": archived,
    }


def test_the_period_list_shows_dates_deadline_state_and_reported_share(client, liaison, reporting):
    client.force_login(liaison)
    content = text(client.get("/periods/"))
    row = content[content.index(">T3 2026</a>") :]
    row = row[: row.index("</tr>")]
    assert "2026-09-01 – 2026-12-31" in row
    assert "2027-01-14" in row
    assert "Öppen" in row
    assert "1 av 3" in row
    t1 = content[content.index(">T1 2025</a>") :]
    assert "Stängd" in t1[: t1.index("</tr>")]


def test_the_worklist_lists_the_unreported_first_with_the_users_own_on_top(
    client, officer, reporting
):
    client.force_login(officer)
    content = text(client.get(f"/periods/{reporting['period'].pk}/"))
    unreported = content[
        content.index("Har inte rapporterat ännu") : content.index('id="reported-heading"')
    ]
    assert unreported.index("Min saknade") < unreported.index("Kollegans saknade")
    assert "Min rapporterade" not in unreported
    for absent in ("Klar före perioden", "Arkiverad"):
        assert absent not in content
    reported = content[content.index('id="reported-heading"') :]
    assert "Min rapporterade" in reported
    assert "1 av 3" in content


def test_mine_shows_only_the_users_own_due_measures(client, officer, reporting):
    client.force_login(officer)
    content = text(client.get(f"/periods/{reporting['period'].pk}/?mine=1"))
    assert "Min saknade" in content
    assert "Kollegans saknade" not in content


def test_a_period_of_another_agreement_is_not_found(client, officer, agreement):
    from agreement.models import Agreement

    other = Agreement.objects.create(
        title="Nynäshamn",
        slug="nynashamn",
        municipality="Nynäshamns kommun",
        police_area="lokalpolisområde Haninge/Nynäshamn",
        signed_on=D(2025, 1, 1),
        valid_from=D(2020, 1, 1),
        valid_until=D(2020, 12, 31),
    )
    period = ReportingPeriod.objects.create(
        agreement=other,
        name="T1 2020",
        starts_on=D(2020, 1, 1),
        ends_on=D(2020, 4, 30),
        deadline=D(2020, 5, 14),
    )
    client.force_login(officer)
    assert client.get(f"/periods/{period.pk}/").status_code == 404


def test_the_overview_shows_the_open_period_its_deadline_and_the_reported_share(
    client, officer, reporting
):
    client.force_login(officer)
    content = text(client.get("/"))
    card = content[content.index('id="reporting-heading"') :]
    card = card[: card.index("</section>")]
    assert "Rapportering för T3 2026" in card
    assert "rapporter senast 2027-01-14" in card
    assert "Rapporterat 1 av 3" in card
    assert f'href="/periods/{reporting["period"].pk}/"' in card
    # The officer's own unreported measure, to report on straight away.
    assert f'href="/measures/{reporting["mine_missing"].pk}/updates/new/"' in card
    assert f'href="/measures/{reporting["theirs"].pk}/updates/new/"' not in card
