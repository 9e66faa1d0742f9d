"""/reviews/ and /updates/<id>/review/: the police liaisons' review of progress updates."""

import datetime
import html
import re

import pytest

from measures.models import Measure, ProgressUpdate, Review

QUEUE_ROW = re.compile(r'<h2 class="review-group__title"><a href="/measures/\d+/">([^<]+)</a></h2>')


def queue_titles(response):
    assert response.status_code == 200
    return [html.unescape(title) for title in QUEUE_ROW.findall(response.content.decode())]


def field_error(response, name):
    content = response.content.decode()
    match = re.search(rf'<p class="field__error" id="id_{name}_error">([^<]*)</p>', content)
    return html.unescape(match.group(1)) if match else None


@pytest.fixture
def as_liaison(client, liaison):
    client.force_login(liaison)
    return client


@pytest.fixture
def waiting(make_measure, make_update):
    """Three unreviewed updates by the officer. They were created in the order
    first, second, third, and `second` was posted earliest, but `third`
    reports on the earliest day: the queue goes by report date, oldest
    first, not by id or by when an update was posted."""
    first = make_update(make_measure(title="Åtgärd A"), reported_on=datetime.date(2025, 4, 1))
    second = make_update(make_measure(title="Åtgärd B"), reported_on=datetime.date(2025, 9, 1))
    third = make_update(make_measure(title="Åtgärd C"), reported_on=datetime.date(2025, 3, 1))
    ProgressUpdate.objects.filter(pk=second.pk).update(
        created_at=first.created_at - datetime.timedelta(hours=1)
    )
    return {"first": first, "second": second, "third": third}


def test_the_queue_lists_unreviewed_updates_oldest_first(as_liaison, waiting):
    response = as_liaison.get("/reviews/")

    assert queue_titles(response) == ["Åtgärd C", "Åtgärd A", "Åtgärd B"]
    content = response.content.decode()
    assert "<h1>Uppföljningar att granska</h1>" in content
    assert "3 uppföljningar väntar på granskning, äldst först." in content
    assert f'href="/updates/{waiting["third"].pk}/review/"' in content


def test_the_queue_leaves_out_reviewed_own_and_archived_updates(
    as_liaison, waiting, make_measure, make_update, liaison
):
    Review.objects.create(
        progress_update=waiting["first"], reviewer=liaison, verdict=Review.Verdict.APPROVED
    )
    own = make_measure(title="Egen polisåtgärd", responsible_party=Measure.Party.POLIS)
    make_update(own, author=liaison)
    archived = make_measure(title="Arkiverad åtgärd", is_archived=True)
    make_update(archived)

    response = as_liaison.get("/reviews/")

    assert queue_titles(response) == ["Åtgärd C", "Åtgärd B"]
    assert "2 uppföljningar väntar på granskning" in response.content.decode()


def test_an_empty_queue_says_so(as_liaison, review):
    response = as_liaison.get("/reviews/")

    assert queue_titles(response) == []
    content = response.content.decode()
    assert "Inget väntar på granskning. Bra jobbat!" in content
    assert "0 uppföljningar väntar på granskning" in content


def test_the_review_page_shows_the_update(as_liaison, update, officer):
    response = as_liaison.get(f"/updates/{update.pk}/review/")

    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "<h1>Granska uppföljning</h1>" in content
    assert "<h2>Nattvandring i Jordbro centrum</h2>" in content
    assert f"2025-06-01, {officer.get_full_name()}" in content
    assert "Tolv vandringar genomförda." in content
    assert "Fortsätter under hösten." in content
    assert "<dd>30 %</dd>" in content
    assert "Godkänd" in content
    assert "Behöver kompletteras" in content
    assert 'name="then" value="next"' in content


def test_approving_with_a_comment_stores_the_review(as_liaison, update, liaison):
    response = as_liaison.post(
        f"/updates/{update.pk}/review/",
        {"verdict": Review.Verdict.APPROVED, "comment": "Tydlig rapport, tack."},
    )

    assert response.status_code == 302
    assert response["Location"] == "/reviews/"
    review = Review.objects.get()
    assert review.progress_update == update
    assert review.reviewer == liaison
    assert review.verdict == Review.Verdict.APPROVED
    assert review.comment == "Tydlig rapport, tack."
    queue = as_liaison.get(response["Location"])
    assert "Uppföljningen har godkänts." in queue.content.decode()
    assert queue_titles(queue) == []


def test_approving_needs_no_comment(as_liaison, update):
    response = as_liaison.post(f"/updates/{update.pk}/review/", {"verdict": "approved"})

    assert response.status_code == 302
    assert Review.objects.get().comment == ""


@pytest.mark.parametrize("comment", ["", "   \n "])
def test_asking_for_changes_needs_a_comment(as_liaison, update, comment):
    response = as_liaison.post(
        f"/updates/{update.pk}/review/",
        {"verdict": Review.Verdict.NEEDS_CHANGES, "comment": comment},
    )

    assert response.status_code == 200
    assert field_error(response, "comment") == "Skriv vad som behöver ändras."
    content = response.content.decode()
    assert 'aria-describedby="id_comment_error id_comment_helptext"' in content
    assert '<a href="#id_comment">' in content
    assert not Review.objects.exists()


def test_a_verdict_is_required(as_liaison, update):
    response = as_liaison.post(f"/updates/{update.pk}/review/", {"comment": "Bra."})

    assert response.status_code == 200
    assert field_error(response, "verdict") == "Välj ett beslut: godkänn eller begär komplettering."
    assert '<a href="#id_verdict_0">' in response.content.decode()
    assert not Review.objects.exists()


def test_asking_for_changes_is_shown_on_the_measure(as_liaison, update, liaison):
    response = as_liaison.post(
        f"/updates/{update.pk}/review/",
        {"verdict": Review.Verdict.NEEDS_CHANGES, "comment": "Ange antal deltagare."},
    )

    assert response.status_code == 302
    review = Review.objects.get()
    assert review.verdict == Review.Verdict.NEEDS_CHANGES
    assert review.reviewer == liaison
    queue = as_liaison.get(response["Location"]).content.decode()
    assert "Uppföljningen har skickats tillbaka för komplettering." in queue

    detail = html.unescape(as_liaison.get(f"/measures/{update.measure_id}/").content.decode())

    assert '<span class="badge badge--needs_changes">Behöver kompletteras</span>' in detail
    assert f"av {liaison.get_full_name()}, " in detail
    assert "Ange antal deltagare." in detail
    assert "Senaste uppföljningen behöver kompletteras" in detail
    assert "Inte granskad ännu." not in detail


def test_an_approval_is_shown_on_the_measure(as_liaison, update):
    as_liaison.post(f"/updates/{update.pk}/review/", {"verdict": "approved", "comment": "Fint."})

    detail = as_liaison.get(f"/measures/{update.measure_id}/").content.decode()

    assert '<span class="badge badge--approved">Godkänd</span>' in detail
    assert "Fint." in detail
    assert "Senaste uppföljningen behöver kompletteras" not in detail


def test_then_next_goes_on_to_the_next_update_in_the_queue(as_liaison, waiting):
    response = as_liaison.post(
        f"/updates/{waiting['third'].pk}/review/",
        {"verdict": Review.Verdict.APPROVED, "then": "next"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/updates/{waiting['first'].pk}/review/"

    response = as_liaison.post(
        f"/updates/{waiting['first'].pk}/review/",
        {"verdict": Review.Verdict.APPROVED, "then": "next"},
    )

    assert response["Location"] == f"/updates/{waiting['second'].pk}/review/"


def test_then_next_skips_the_liaisons_own_updates(
    as_liaison, update, make_measure, make_update, liaison
):
    own = make_update(make_measure(responsible_party=Measure.Party.POLIS), author=liaison)

    response = as_liaison.post(
        f"/updates/{update.pk}/review/", {"verdict": "approved", "then": "next"}
    )

    assert response["Location"] == "/reviews/"
    assert own.reviews.count() == 0


def test_then_next_with_nothing_left_goes_back_to_the_queue(as_liaison, update):
    response = as_liaison.post(
        f"/updates/{update.pk}/review/", {"verdict": "approved", "then": "next"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/reviews/"
    content = as_liaison.get(response["Location"]).content.decode()
    assert "Inget väntar på granskning. Bra jobbat!" in content


def test_a_reviewed_update_says_so_and_offers_no_second_review(as_liaison, review):
    response = as_liaison.get(f"/updates/{review.progress_update_id}/review/")

    content = response.content.decode()
    assert "Redan granskad" in content
    assert '<div class="review"><span class="badge badge--approved">Godkänd</span>' in content
    assert "Bra." in content
    assert 'name="verdict"' not in content


def test_several_reports_of_one_measure_are_grouped_oldest_measure_first(
    as_liaison, make_measure, make_update
):
    walks = make_measure(title="Nattvandringar")
    lights = make_measure(title="Belysning")
    make_update(walks, reported_on=datetime.date(2025, 9, 1))
    make_update(lights, reported_on=datetime.date(2025, 5, 1))
    make_update(walks, reported_on=datetime.date(2025, 3, 1))

    response = as_liaison.get("/reviews/")

    # One group per measure; the walks' oldest report waited longest.
    assert queue_titles(response) == ["Nattvandringar", "Belysning"]
    content = response.content.decode()
    walks_group = content[content.index(">Nattvandringar<") : content.index(">Belysning<")]
    assert walks_group.index("2025-03-01") < walks_group.index("2025-09-01")
    assert "2 uppföljningar väntar" in walks_group


def test_the_queue_filters_by_focus_area_and_party(
    as_liaison, make_measure, make_update, agreement
):
    from agreement.models import FocusArea

    home = FocusArea.objects.get(agreement=agreement, slug="hemmiljo")
    make_update(make_measure(title="Kommunens i Barn och unga"))
    make_update(
        make_measure(title="Polisens i Hemmiljö", focus_area=home, responsible_party="polis")
    )
    make_update(
        make_measure(title="Gemensam i Hemmiljö", focus_area=home, responsible_party="gemensam")
    )

    assert queue_titles(as_liaison.get("/reviews/", {"focus_area": home.pk})) == [
        "Polisens i Hemmiljö",
        "Gemensam i Hemmiljö",
    ]
    assert queue_titles(as_liaison.get("/reviews/", {"focus_area": home.pk, "party": "polis"})) == [
        "Polisens i Hemmiljö"
    ]
    response = as_liaison.get("/reviews/", {"party": "nonsense"})
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in html.unescape(response.content.decode())


def test_the_verdict_is_called_a_decision_not_an_assessment(as_liaison, update):
    content = html.unescape(as_liaison.get(f"/updates/{update.pk}/review/").content.decode())
    assert '<legend class="label">Beslut</legend>' in content
