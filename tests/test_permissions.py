"""Who may open which page and send which form: the roles of PRODUCT.md as a matrix.

Every page and every form POST of the measures app, for each role: anonymous
visitors go to the login page, forbidden requests get the friendly Swedish
403 page and change nothing, allowed GETs answer 200 and allowed valid POSTs
redirect after saving.
"""

import datetime
import html
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agreement.models import IndicatorValue
from measures.bulk import BulkChange, Plan
from measures.models import ImportBatch, Measure, ProgressUpdate, Review
from tests.forms import edit_data, new_data
from tests.importing import NEW_HEADERS, csv_bytes, new_row

FORBIDDEN_TEXT = "Du har inte behörighet här"
# A police liaison's report on a measure that is not the police's comes back
# with what they typed and why (the party may have changed while they wrote).
REPORT_REFUSED = "Du kan inte längre rapportera på den här åtgärden"
# A user without a role is told so, and whom to ask, instead.
NO_ROLE_TEXT = "Du har ingen roll i appen ännu"

ROLES = ["anonymous", "officer", "liaison", "admin", "outsider"]

# (path template, who may open it). Paths take the objects of the `objects`
# fixture; a role not listed is refused with 403 (anonymous: sent to login).
READERS = {"officer", "liaison", "admin"}
PAGES = [
    # Without a role the overview is the page that says so (200).
    ("/", READERS | {"outsider"}),
    ("/agreement/", READERS),
    ("/focus-areas/{focus_area}/", READERS),
    ("/areas/{area}/", READERS),
    ("/measures/", READERS),
    ("/measures/export.csv", READERS),
    ("/measures/export.xlsx", READERS),
    ("/measures/new/", {"officer", "admin"}),
    ("/measures/{kommun}/", READERS),
    ("/measures/{kommun}/edit/", {"officer", "admin"}),
    ("/measures/{kommun}/updates/new/", {"officer", "admin"}),
    ("/measures/{polis}/updates/new/", READERS),
    ("/reviews/", {"liaison", "admin"}),
    ("/updates/{update}/review/", {"liaison", "admin"}),
    ("/report/", READERS),
    # The law's chain: both roles read it, and both enter indicator values.
    ("/situation/", READERS),
    ("/situation/{report}/", READERS),
    ("/indicators/", READERS),
    ("/indicators/{indicator}/", READERS),
    ("/indicators/{indicator}/values/new/", READERS),
    ("/promises/", READERS),
    ("/promises/{promise}/", READERS),
    # Importing and bulk editing change many plans at once: municipal staff and admins.
    ("/measures/import/", {"officer", "admin"}),
    ("/measures/import/template.xlsx", {"officer", "admin"}),
]

FORMS = [
    ("/measures/new/", "create", {"officer", "admin"}),
    ("/measures/{kommun}/edit/", "edit", {"officer", "admin"}),
    ("/measures/{kommun}/archive/", "archive", {"officer", "admin"}),
    ("/measures/{kommun}/updates/new/", "update", {"officer", "admin"}),
    ("/measures/{polis}/updates/new/", "update", READERS),
    ("/updates/{update}/review/", "review", {"liaison", "admin"}),
    ("/indicators/{indicator}/values/new/", "value", READERS),
    ("/measures/import/", "import", {"officer", "admin"}),
    ("/measures/bulk/", "bulk", {"officer", "admin"}),
]


def _expected(role, allowed, ok):
    if role == "anonymous":
        return 302
    return ok if role in allowed else 403


def _refusal_text(role):
    return NO_ROLE_TEXT if role == "outsider" else FORBIDDEN_TEXT


PAGE_CASES = [
    pytest.param(role, path, _expected(role, allowed, 200), id=f"GET {path} as {role}")
    for path, allowed in PAGES
    for role in ROLES
]
FORM_CASES = [
    pytest.param(role, path, kind, _expected(role, allowed, 302), id=f"POST {path} as {role}")
    for path, kind, allowed in FORMS
    for role in ROLES
]


@pytest.fixture
def users(officer, liaison, admin, outsider):
    return {
        "anonymous": None,
        "officer": officer,
        "liaison": liaison,
        "admin": admin,
        "outsider": outsider,
    }


@pytest.fixture
def objects(make_measure, make_update, focus_area, jordbro, officer, problem, indicator, promise):
    """A municipal and a police measure, an update by the officer awaiting
    review, and the chain: a problem of a situation report, an indicator and
    a citizen promise."""
    kommun = make_measure(title="Belysning i gångtunneln", areas=[jordbro])
    polis = make_measure(
        title="Riktad trafikkontroll", responsible_party=Measure.Party.POLIS, areas=[jordbro]
    )
    update = make_update(kommun, author=officer)
    return {
        "kommun": kommun,
        "polis": polis,
        "update": update,
        "focus_area": focus_area,
        "area": jordbro,
        "report": problem.situation_report,
        "indicator": indicator,
        "promise": promise,
    }


def _path(template, objects):
    return template.format(
        kommun=objects["kommun"].pk,
        polis=objects["polis"].pk,
        update=objects["update"].pk,
        focus_area=objects["focus_area"].slug,
        area=objects["area"].slug,
        report=objects["report"].pk,
        indicator=objects["indicator"].pk,
        promise=objects["promise"].pk,
    )


def measure_data(measure=None, **changes):
    """A complete, valid measure form, from `measure` when editing."""
    data = new_data("") if measure is None else edit_data(measure)
    data.update(changes)
    return data


def update_data(**changes):
    data = {
        "reported_on": timezone.localdate().isoformat(),
        "status": Measure.Status.IN_PROGRESS,
        "progress": "40",
        "assessment": ProgressUpdate.Assessment.GREEN,
        "summary": "Fyra vandringar genomförda, två brister anmälda.",
        "next_steps": "Uppföljning med fastighetsägaren.",
    }
    data.update(changes)
    return data


def bulk_data(objects):
    """A confirmed bulk change of the municipal measure's unit."""
    measure = Measure.objects.get(pk=objects["kommun"].pk)
    change = BulkChange("set_responsible_unit", "Ny enhet")
    return {
        "ids": [measure.pk],
        "action": "set_responsible_unit",
        "responsible_unit": "Ny enhet",
        "fingerprint": Plan(change, [measure]).fingerprint,
        "confirm": "1",
    }


def form_data(kind, objects):
    return {
        "create": lambda: measure_data(focus_area=objects["focus_area"].pk),
        "edit": lambda: measure_data(objects["kommun"], title="Belysning i gångtunneln, etapp 2"),
        "archive": lambda: {"archive": "1"},
        "update": update_data,
        "review": lambda: {"verdict": Review.Verdict.APPROVED, "comment": "Tydlig rapport."},
        "value": lambda: {
            "measured_on": timezone.localdate().isoformat(),
            "value": "27,5",
            "comment": "Trygghetsmätningen.",
        },
        "import": lambda: {
            "file": SimpleUploadedFile("plan.csv", csv_bytes([new_row()], NEW_HEADERS))
        },
        "bulk": lambda: bulk_data(objects),
    }[kind]()


def snapshot():
    """Everything a form POST could change."""
    return {
        "measures": sorted(
            Measure.objects.values_list(
                "pk", "title", "version", "status", "is_archived", "updated_by"
            )
        ),
        "history": Measure.history.count(),
        "updates": ProgressUpdate.objects.count(),
        "reviews": Review.objects.count(),
        "indicator_values": IndicatorValue.objects.count(),
        "import previews": ImportBatch.objects.count(),
    }


def _login_redirect(path):
    return f"/accounts/login/?next={quote(path, safe='/')}"


@pytest.mark.parametrize(("role", "template", "expected"), PAGE_CASES)
def test_pages(client, users, objects, role, template, expected):
    path = _path(template, objects)
    if users[role]:
        client.force_login(users[role])

    response = client.get(path)

    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == _login_redirect(path)
    elif expected == 403:
        assert _refusal_text(role) in response.content.decode()
    elif role == "outsider":
        assert NO_ROLE_TEXT in response.content.decode()


@pytest.mark.parametrize(("role", "template", "kind", "expected"), FORM_CASES)
def test_forms(client, users, objects, role, template, kind, expected):
    path = _path(template, objects)
    if users[role]:
        client.force_login(users[role])
    before = snapshot()

    response = client.post(path, form_data(kind, objects))

    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"] == _login_redirect(path)
        assert snapshot() == before
    elif expected == 403:
        content = html.unescape(response.content.decode())
        if kind == "update" and role == "liaison":
            assert REPORT_REFUSED in content
            assert form_data(kind, objects)["summary"] in content
        else:
            assert _refusal_text(role) in content
        assert snapshot() == before
    else:
        # A valid POST that was let through saved something, then redirected.
        assert not response["Location"].startswith("/accounts/login/")
        assert snapshot() != before


@pytest.mark.parametrize("method", ["get", "post"])
def test_nobody_reviews_their_own_update(client, make_measure, make_update, liaison, method):
    measure = make_measure(responsible_party=Measure.Party.POLIS)
    own = make_update(measure, author=liaison)
    client.force_login(liaison)

    response = getattr(client, method)(
        f"/updates/{own.pk}/review/", {"verdict": Review.Verdict.APPROVED}
    )

    assert response.status_code == 403
    assert FORBIDDEN_TEXT in response.content.decode()
    assert not Review.objects.exists()


def test_an_admin_cannot_review_their_own_update_either(client, measure, make_update, admin):
    own = make_update(measure, author=admin)
    client.force_login(admin)

    response = client.post(f"/updates/{own.pk}/review/", {"verdict": Review.Verdict.APPROVED})

    assert response.status_code == 403
    assert not Review.objects.exists()


def test_police_post_updates_on_joint_measures(client, make_measure, liaison):
    joint = make_measure(responsible_party=Measure.Party.GEMENSAM)
    client.force_login(liaison)

    response = client.post(f"/measures/{joint.pk}/updates/new/", update_data())

    assert response.status_code == 302
    assert ProgressUpdate.objects.get().author == liaison


def test_a_liaison_guessing_a_measures_id_cannot_edit_it(client, make_measure, liaison, jordbro):
    measure = make_measure(title="Belysning i gångtunneln", areas=[jordbro])
    before = Measure.objects.filter(pk=measure.pk).values().get()
    history_before = measure.history.count()
    client.force_login(liaison)

    response = client.post(
        f"/measures/{measure.pk}/edit/",
        measure_data(
            measure,
            title="Ändrad av polisen",
            end_date="2027-12-31",
            responsible_party=Measure.Party.POLIS,
            areas=[],
        ),
    )

    assert response.status_code == 403
    assert FORBIDDEN_TEXT in response.content.decode()
    assert Measure.objects.filter(pk=measure.pk).values().get() == before
    assert list(measure.areas.all()) == [jordbro]
    assert measure.history.count() == history_before


@pytest.mark.parametrize(
    "path",
    [
        "/measures/999999/",
        "/measures/999999/edit/",
        "/measures/999999/updates/new/",
        "/updates/999999/review/",
        "/focus-areas/finns-inte/",
        "/areas/finns-inte/",
        "/situation/999999/",
        "/indicators/999999/",
        "/indicators/999999/values/new/",
        "/promises/999999/",
    ],
)
def test_unknown_objects_answer_404(client, admin, path):
    client.force_login(admin)

    response = client.get(path)

    assert response.status_code == 404
    assert "Sidan hittades inte" in response.content.decode()


def test_archiving_an_unknown_measure_answers_404(client, officer):
    client.force_login(officer)

    assert client.post("/measures/999999/archive/", {"archive": "1"}).status_code == 404


def test_archive_takes_no_get(client, officer, measure):
    client.force_login(officer)

    response = client.get(f"/measures/{measure.pk}/archive/")

    assert response.status_code == 405
    measure.refresh_from_db()
    assert not measure.is_archived


@pytest.mark.parametrize(
    ("role", "edit", "report", "archive"),
    [
        pytest.param("officer", True, True, True, id="officer"),
        pytest.param("liaison", False, False, False, id="liaison"),
        pytest.param("admin", True, True, True, id="admin"),
    ],
)
def test_the_detail_page_offers_only_the_allowed_actions(
    client, users, measure, role, edit, report, archive
):
    """On a municipal measure the liaison sees no edit, report or archive button."""
    client.force_login(users[role])

    content = client.get(f"/measures/{measure.pk}/").content.decode()

    assert (f'href="/measures/{measure.pk}/edit/"' in content) is edit
    assert (f'href="/measures/{measure.pk}/updates/new/"' in content) is report
    assert (f'action="/measures/{measure.pk}/archive/"' in content) is archive


def test_the_liaison_is_offered_reporting_on_a_police_measure(client, make_measure, liaison):
    polis = make_measure(responsible_party=Measure.Party.POLIS, end_date=datetime.date(2026, 6, 1))
    client.force_login(liaison)

    content = client.get(f"/measures/{polis.pk}/").content.decode()

    assert f'href="/measures/{polis.pk}/updates/new/"' in content
    assert "Rapportera uppföljning" in content
    assert f'href="/measures/{polis.pk}/edit/"' not in content
