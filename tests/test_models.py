"""The rules of PRODUCT.md on the models and in the database itself."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agreement.models import Agreement, Area, FocusArea
from measures.models import Measure, ProgressUpdate, Review

PERIOD = "2025-02-11 – 2027-12-31"


def _validate(measure):
    measure.full_clean()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime.date(2025, 2, 11), datetime.date(2025, 3, 1)),
        (datetime.date(2027, 1, 1), datetime.date(2027, 12, 31)),
        (datetime.date(2025, 2, 11), datetime.date(2027, 12, 31)),
    ],
)
def test_dates_on_the_period_edges_are_accepted(make_measure, start, end):
    measure = make_measure(start_date=start, end_date=end)
    _validate(measure)  # raises if refused


@pytest.mark.parametrize(
    ("field", "start", "end"),
    [
        ("start_date", datetime.date(2025, 2, 10), datetime.date(2025, 3, 1)),
        ("end_date", datetime.date(2027, 1, 1), datetime.date(2028, 1, 1)),
    ],
)
def test_dates_outside_the_period_are_refused_naming_it(make_measure, field, start, end):
    measure = make_measure(start_date=start, end_date=end)
    with pytest.raises(ValidationError) as refused:
        _validate(measure)
    messages = refused.value.message_dict[field]
    assert messages == [f"Datumet måste ligga inom överenskommelsens giltighetstid, {PERIOD}."]


def test_start_after_end_is_refused_by_the_form_rule(make_measure):
    measure = make_measure()
    measure.start_date = datetime.date(2025, 6, 1)
    measure.end_date = datetime.date(2025, 5, 1)
    with pytest.raises(ValidationError) as refused:
        _validate(measure)
    assert refused.value.message_dict["end_date"] == [
        "Slutdatumet kan inte ligga före startdatumet."
    ]


def test_start_after_end_is_refused_by_the_database(make_measure):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measure(start_date=datetime.date(2025, 6, 1), end_date=datetime.date(2025, 5, 1))


def test_progress_above_100_is_refused_by_the_database(measure, make_update):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_update(measure, progress=101)


def test_progress_above_100_is_refused_with_a_message(measure, make_update):
    update = make_update(measure)
    update.progress = 101
    with pytest.raises(ValidationError) as refused:
        update.full_clean()
    assert "progress" in refused.value.message_dict


def test_unknown_status_is_refused_by_the_database(make_measure):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measure(status="finished")


def test_unknown_verdict_is_refused_by_the_database(update, liaison):
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(progress_update=update, reviewer=liaison, verdict="maybe")


def test_agreement_cannot_end_before_it_starts_in_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(
            title="Fel",
            slug="fel",
            municipality="Haninge kommun",
            police_area="LPO Haninge/Nynäshamn",
            signed_on=datetime.date(2025, 1, 1),
            valid_from=datetime.date(2026, 1, 1),
            valid_until=datetime.date(2025, 1, 1),
        )


def test_report_dated_in_the_future_is_refused(measure, make_update):
    update = make_update(measure)
    update.reported_on = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as refused:
        update.full_clean()
    assert refused.value.message_dict["reported_on"] == [
        "Rapportdatumet kan inte ligga i framtiden."
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Gäller pojken 080512-1234 i Jordbro",
        "Kontakt: 20080512-1234",
        "Personnummer 0805121234 enligt anmälan",
        "Äldre person 191212121212",
        "Samordningsnummer 080572-1234",
        "Född 400101+1234",
    ],
)
def test_personnummer_in_free_text_is_refused_with_a_reason(make_measure, text):
    measure = make_measure()
    measure.description = text
    with pytest.raises(ValidationError) as refused:
        _validate(measure)
    (message,) = refused.value.message_dict["description"]
    assert "personnummer" in message
    assert "inte enskilda personer" in message


@pytest.mark.parametrize(
    "text",
    [
        "Ring 08-606 70 00 för frågor",
        "Diarienummer KS 2025/1234",
        "Mellan 2025-02-11 och 2027-12-31",
        "Budget 1500000 kronor",
    ],
)
def test_ordinary_numbers_in_free_text_are_accepted(make_measure, text):
    measure = make_measure()
    measure.description = text
    _validate(measure)


def test_personnummer_in_a_progress_update_is_refused(measure, make_update):
    update = make_update(measure)
    update.summary = "Samtal med 850101-1234"
    with pytest.raises(ValidationError) as refused:
        update.full_clean()
    assert "summary" in refused.value.message_dict


def test_needs_changes_requires_a_comment(update, liaison):
    review = Review(progress_update=update, reviewer=liaison, verdict=Review.Verdict.NEEDS_CHANGES)
    with pytest.raises(ValidationError) as refused:
        review.full_clean()
    assert refused.value.message_dict["comment"] == ["Skriv vad som behöver ändras."]


def test_migrate_creates_the_haninge_agreement(db):
    agreement = Agreement.objects.get(slug="haninge-2025")
    assert agreement.signed_on == datetime.date(2025, 2, 11)
    assert agreement.valid_from == datetime.date(2025, 2, 11)
    assert agreement.valid_until == datetime.date(2027, 12, 31)
    assert agreement.municipality == "Haninge kommun"
    assert "Haninge/Nynäshamn" in agreement.police_area
    assert "trygg och säker plats" in agreement.goal
    assert Agreement.objects.current(datetime.date(2026, 11, 25)) == agreement


def test_migrate_creates_the_four_focus_areas(agreement):
    assert list(agreement.focus_areas.values_list("slug", "name")) == [
        ("barn-och-unga", "Barn och unga"),
        ("offentlig-miljo", "Offentlig miljö"),
        ("hemmiljo", "Hemmiljö"),
        ("samhallsniva", "Samhällsnivå"),
    ]
    assert all(area.description for area in agreement.focus_areas.all())


def test_migrate_creates_the_districts_with_the_vulnerable_areas_marked(db):
    names = set(Area.objects.values_list("name", flat=True))
    assert {
        "Handen",
        "Jordbro",
        "Brandbergen",
        "Vendelsö",
        "Västerhaninge",
        "Tungelsta",
        "Dalarö",
        "Skärgården",
    } <= names
    vulnerable = set(Area.objects.filter(is_vulnerable=True).values_list("name", flat=True))
    assert vulnerable == {"Jordbro", "Brandbergen"}


def test_focus_area_slug_is_unique_within_an_agreement(agreement):
    with pytest.raises(IntegrityError), transaction.atomic():
        FocusArea.objects.create(agreement=agreement, slug="hemmiljo", name="Dubblett")


def test_current_agreement_is_the_most_recent_when_none_covers_today(agreement):
    later = Agreement.objects.create(
        title="Nästa",
        slug="haninge-2028",
        municipality="Haninge kommun",
        police_area="LPO Haninge/Nynäshamn",
        signed_on=datetime.date(2027, 12, 1),
        valid_from=datetime.date(2028, 1, 1),
        valid_until=datetime.date(2030, 12, 31),
    )
    assert Agreement.objects.current(datetime.date(2026, 1, 1)) == agreement
    assert Agreement.objects.current(datetime.date(2031, 1, 1)) == later
    assert Agreement.objects.current(datetime.date(2024, 1, 1)) == later


def test_measure_history_records_who_changed_what(measure, other_officer):
    measure.status = Measure.Status.IN_PROGRESS
    measure._history_user = other_officer
    measure.save()
    latest, first = measure.history.all()[:2]
    delta = latest.diff_against(first)
    assert [change.field for change in delta.changes] == ["status"]
    assert latest.history_user == other_officer


def test_progress_update_ordering_is_newest_first(measure, make_update):
    old = make_update(measure, reported_on=datetime.date(2025, 4, 1))
    new = make_update(measure, reported_on=datetime.date(2025, 9, 1))
    assert list(ProgressUpdate.objects.filter(measure=measure)) == [new, old]
