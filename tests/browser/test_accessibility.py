"""axe-core in a real browser: no WCAG 2.1 A/AA violation on any page, in the
states people meet them in (filled with data, and with form errors shown)."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db.models import F
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from agreement.models import Area
from followup.models import Decision, Meeting
from followup.report import for_meeting
from measures.models import Measure, Review
from tests.importing import NEW_HEADERS, csv_bytes, new_row

from .conftest import format_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def scenario(
    officer,
    liaison,
    outsider,
    make_measure,
    make_update,
    jordbro,
    agreement,
    problem,
    make_problem,
    indicator,
    make_indicator,
    make_value,
    promise,
):
    """Enough data that every page shows its tables, badges, charts and flags:
    each status, each assessment, both verdicts, flags and a history."""
    walk = make_measure(
        title="Nattvandring i Jordbro centrum",
        status=Measure.Status.IN_PROGRESS,
        areas=[jordbro, Area.objects.get(slug="brandbergen")],
        responsible_party=Measure.Party.GEMENSAM,
        responsible_unit="Fritidsförvaltningen",
        end_date=datetime.date(2027, 6, 30),
    )
    make_measure(title="Ljus i gångtunneln vid Handen", owner=None, kind=Measure.Kind.SITUATIONAL)
    make_measure(
        title="Sommarjobb för unga",
        status=Measure.Status.DONE,
        end_date=datetime.date(2025, 8, 31),
        areas=[jordbro],
    )
    make_measure(
        title="Skolsamverkan i Vendelsö",
        status=Measure.Status.IN_PROGRESS,
        end_date=datetime.date(2026, 6, 30),  # overdue
    )
    make_measure(title="Fältgrupp på helger", status=Measure.Status.PAUSED, areas=[jordbro])
    make_measure(title="Kameror vid stationen", status=Measure.Status.CANCELLED)

    # A history with changes, not only the creation.
    walk.title = "Nattvandring i Jordbro centrum och Handen"
    walk.end_date = datetime.date(2027, 9, 30)
    walk._history_user = officer
    walk.save()

    approved = make_update(
        walk, reported_on=datetime.date(2026, 6, 10), assessment="green", progress=20
    )
    Review.objects.create(
        progress_update=approved, reviewer=liaison, verdict="approved", comment="Bra start."
    )
    sent_back = make_update(
        walk,
        reported_on=datetime.date(2026, 9, 1),
        assessment="yellow",
        progress=35,
        summary="Färre vuxna än planerat.",
    )
    Review.objects.create(
        progress_update=sent_back,
        reviewer=liaison,
        verdict="needs_changes",
        comment="Beskriv hur ni ska rekrytera fler vuxna.",
    )
    pending = make_update(
        walk,
        reported_on=datetime.date(2026, 10, 15),
        assessment="red",
        progress=40,
        summary="Vandringarna har fått ställas in tre helger.",
        next_steps="Rekrytera via föreningarna.",
    )
    period = agreement.periods.get(name="T2 2026")
    frozen = Meeting.objects.create(
        agreement=agreement,
        period=period,
        held_on=datetime.date(2026, 9, 21),
        title="Styrgrupp: uppföljning av T2 2026",
        participants="Kommundirektör\nLokalpolisområdeschef",
        notes="1. Rapporterna gicks igenom.",
    )
    Decision.objects.create(
        meeting=frozen,
        text="Fritidsgården bemannas även på lov.",
        owner=officer,
        due_on=datetime.date(2026, 10, 21),
        measure=walk,
    )
    Decision.objects.create(
        meeting=frozen,
        text="Gemensam trygghetsvandring i Handen.",
        owner=liaison,
        status="done",
        done_on=datetime.date(2026, 10, 1),
    )
    snapshot = for_meeting(frozen, today=datetime.date(2026, 9, 21))
    snapshot["meeting"]["frozen_at"] = "2026-09-21 15:00"
    snapshot["meeting"]["frozen_by"] = officer.get_full_name()
    Meeting.objects.filter(pk=frozen.pk).update(
        frozen_at=datetime.datetime(2026, 9, 21, 13, 0, tzinfo=datetime.UTC),
        frozen_by=officer,
        snapshot=snapshot,
    )
    draft = Meeting.objects.create(
        agreement=agreement,
        period=agreement.periods.get(name="T3 2026"),
        held_on=datetime.date(2027, 1, 21),
        title="Styrgrupp: uppföljning av T3 2026",
    )

    # The law's chain: a problem the walks address and one nobody does, two
    # indicators with values (one towards its target, one away), a promise.
    walk.problems.add(problem)
    make_problem(title="Narkotikaförsäljning nära Handens station")
    for day, value in [("2023-10-15", "32.1"), ("2024-10-15", "31"), ("2025-10-15", "29.4")]:
        make_value(
            indicator, datetime.date.fromisoformat(day), value, comment="Trygghetsmätningen."
        )
    crime = make_indicator(
        title="Anmälda brott per 1 000 invånare",
        source="reported_crime",
        unit="rate",
        baseline_value=104,
        target_value=96,
        baseline_on=datetime.date(2024, 12, 31),
        target_on=datetime.date(2027, 12, 31),
    )
    for day, value in [("2025-06-30", "103.5"), ("2025-12-31", "105.2"), ("2026-06-30", "106")]:
        make_value(crime, datetime.date.fromisoformat(day), value)
    walk.indicators.add(indicator, crime)
    walk.promises.add(promise)
    return SimpleNamespace(
        officer=officer,
        liaison=liaison,
        outsider=outsider,
        measure=walk,
        sent_back=sent_back,
        pending=pending,
        period=period,
        frozen=frozen,
        draft=draft,
        report=problem.situation_report,
        indicator=indicator,
        promise=promise,
    )


def _fail_login(page, scenario):
    page.get_by_label("Användarnamn").fill("nobody")
    page.get_by_label("Lösenord").fill("not the password at all")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_be_visible()


def _filter_list(page, scenario):
    page.locator("summary", has_text="Filtrera och sök").click()  # a <details>: no script
    page.get_by_label("Status").select_option(label="Pågår")
    page.get_by_label("Kommundel", exact=True).select_option(label="Jordbro")
    page.get_by_role("button", name="Filtrera").click()
    expect(page).to_have_url(re.compile(r"[?&]status=in_progress\b"))
    expect(page.get_by_role("row")).to_have_count(2)  # the header and the walks


def _submit(button):
    def submit(page, scenario):
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.locator("#error-summary")).to_be_visible()

    return submit


def _clear_and_submit(page, scenario):
    page.get_by_label("Titel", exact=True).fill("")
    page.get_by_role("button", name="Spara mötet").click()
    expect(page.locator("#error-summary")).to_be_visible()


def _edit_conflict(page, scenario):
    """Someone else saves the measure while the form is open; save it anyway."""
    Measure.objects.filter(pk=scenario.measure.pk).update(
        version=F("version") + 1, responsible_unit="Polisens områdesgrupp"
    )
    page.get_by_label("Vad ska åtgärden uppnå?", exact=True).fill("Vuxna ute varje helgkväll.")
    page.get_by_role("button", name="Spara ändringar").click()
    expect(page.get_by_role("heading", name="Någon annan sparade åtgärden")).to_be_visible()


def _open_timeline_table(page, scenario):
    page.get_by_text("Visa tidslinjen som tabell").click()
    expect(page.get_by_role("table", name="Pågående åtgärder per månad")).to_be_visible()


def _upload_with_errors(page, scenario):
    """A file of 60 rows, two of them wrong: the preview paginates and lists errors."""
    rows = [new_row(Titel=f"Trygghetsvandring {n}") for n in range(60)]
    rows[3]["Slutdatum"] = "2028-01-01"
    rows[40]["Fokusområde"] = "Skolan"
    page.get_by_label("Fil", exact=True).set_input_files(
        files=[{"name": "plan.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows, NEW_HEADERS)}]
    )
    page.get_by_role("button", name="Läs in filen").click()
    expect(page.get_by_role("alert")).to_contain_text("2 rader har fel")


def _bulk(change, value, shows):
    """Tick measures on the list, choose a change and review it."""

    def review(page, scenario):
        for row in page.get_by_role("checkbox", name=re.compile("^Välj")).all()[:3]:
            row.check()
        page.locator("summary", has_text="Ändra flera åtgärder").click()  # the folded form
        page.get_by_label("Ändring", exact=True).select_option(label=change)
        value(page)
        page.get_by_role("button", name="Granska ändringen").click()
        expect(page).to_have_url(re.compile(r"/measures/bulk/$"))
        expect(page.get_by_text(shows).first).to_be_visible()

    return review


def _narrow(then=None):
    """WCAG 1.4.10 reflow: the page at 320 CSS pixels, where wide tables scroll."""

    def narrow(page, scenario):
        page.set_viewport_size({"width": 320, "height": 720})
        if then:
            then(page, scenario)

    return narrow


# (id, who is logged in, path, what to do before checking, expected HTTP status)
PAGES = [
    ("login", None, lambda s: "/accounts/login/", None, 200),
    ("login-failed", None, lambda s: "/accounts/login/", _fail_login, 200),
    ("overview", "officer", lambda s: "/", None, 200),
    ("overview-liaison", "liaison", lambda s: "/", None, 200),
    ("measure-list-filtered", "officer", lambda s: "/measures/", _filter_list, 200),
    ("measure-detail", "officer", lambda s: f"/measures/{s.measure.pk}/", None, 200),
    ("measure-detail-liaison", "liaison", lambda s: f"/measures/{s.measure.pk}/", None, 200),
    ("measure-new", "officer", lambda s: "/measures/new/", None, 200),
    ("measure-new-errors", "officer", lambda s: "/measures/new/", _submit("Spara åtgärden"), 200),
    ("measure-edit", "officer", lambda s: f"/measures/{s.measure.pk}/edit/", None, 200),
    (
        "measure-edit-conflict",
        "officer",
        lambda s: f"/measures/{s.measure.pk}/edit/",
        _edit_conflict,
        200,
    ),
    (
        "update-new-errors",
        "officer",
        lambda s: f"/measures/{s.measure.pk}/updates/new/",
        _submit("Spara uppföljningen"),
        200,
    ),
    ("review-queue", "liaison", lambda s: "/reviews/", None, 200),
    ("review-form", "liaison", lambda s: f"/updates/{s.sent_back.pk}/review/", None, 200),
    (
        "review-form-errors",
        "liaison",
        lambda s: f"/updates/{s.pending.pk}/review/",
        _submit("Spara granskningen"),
        200,
    ),
    ("agreement", "officer", lambda s: "/agreement/", None, 200),
    ("focus-area", "officer", lambda s: "/focus-areas/barn-och-unga/", None, 200),
    ("area", "officer", lambda s: "/areas/jordbro/", None, 200),
    (
        "focus-area-timeline",
        "officer",
        lambda s: "/focus-areas/barn-och-unga/timeline/",
        None,
        200,
    ),
    ("report", "officer", lambda s: "/report/", None, 200),
    ("import", "officer", lambda s: "/measures/import/", None, 200),
    ("import-errors", "officer", lambda s: "/measures/import/", _submit("Läs in filen"), 200),
    ("import-preview-errors", "officer", lambda s: "/measures/import/", _upload_with_errors, 200),
    (
        "bulk-confirm",
        "officer",
        lambda s: "/measures/",
        _bulk(
            "Byt ansvarig enhet",
            lambda page: page.get_by_label("Ny ansvarig enhet").fill("Socialförvaltningen"),
            "3 åtgärder ändras",
        ),
        200,
    ),
    (
        "bulk-problems",
        "officer",
        lambda s: "/measures/",
        _bulk(
            "Ändra slutdatum",
            lambda page: page.get_by_label("Nytt slutdatum").fill("2025-02-20"),
            "Ändringen kan inte göras på 3 åtgärder",
        ),
        200,
    ),
    (
        "bulk-value-missing",
        "officer",
        lambda s: "/measures/",
        _bulk("Byt kontaktperson", lambda page: None, "Formuläret har ett fel"),
        200,
    ),
    ("report-detail", "officer", lambda s: f"/report/?period={s.period.pk}&detail=1", None, 200),
    ("report-errors", "officer", lambda s: "/report/?from=igår&to=2026-01-01", None, 200),
    ("periods", "liaison", lambda s: "/periods/", None, 200),
    ("period-worklist", "officer", lambda s: f"/periods/{s.period.pk}/", None, 200),
    ("meetings", "officer", lambda s: "/meetings/", None, 200),
    ("meeting-frozen", "officer", lambda s: f"/meetings/{s.frozen.pk}/", None, 200),
    ("meeting-draft", "liaison", lambda s: f"/meetings/{s.draft.pk}/", None, 200),
    ("meeting-new-errors", "officer", lambda s: "/meetings/new/", _clear_and_submit, 200),
    (
        "decision-new-errors",
        "officer",
        lambda s: f"/meetings/{s.draft.pk}/decisions/new/",
        _submit("Lägg till beslutet"),
        200,
    ),
    ("situation", "officer", lambda s: "/situation/", None, 200),
    ("situation-unaddressed", "liaison", lambda s: "/situation/?unaddressed=1", None, 200),
    ("indicators", "officer", lambda s: "/indicators/", None, 200),
    ("indicator", "liaison", lambda s: f"/indicators/{s.indicator.pk}/", None, 200),
    (
        "indicator-value-new",
        "liaison",
        lambda s: f"/indicators/{s.indicator.pk}/values/new/",
        None,
        200,
    ),
    (
        "indicator-value-errors",
        "officer",
        lambda s: f"/indicators/{s.indicator.pk}/values/new/",
        _submit("Spara värdet"),
        200,
    ),
    ("promises", "liaison", lambda s: "/promises/", None, 200),
    ("promise", "officer", lambda s: f"/promises/{s.promise.pk}/", None, 200),
    ("password-change", "officer", lambda s: "/accounts/password_change/", None, 200),
    ("no-role", "outsider", lambda s: "/", None, 200),
    ("forbidden", "liaison", lambda s: "/measures/new/", None, 403),
    ("not-found", "officer", lambda s: "/measures/999999/", None, 404),
    # Narrow screens, where tables scroll sideways and must still be reachable.
    ("overview-320px", "officer", lambda s: "/", _narrow(_open_timeline_table), 200),
    ("measure-list-320px", "officer", lambda s: "/measures/", _narrow(), 200),
    ("measure-detail-320px", "officer", lambda s: f"/measures/{s.measure.pk}/", _narrow(), 200),
    (
        "measure-edit-conflict-320px",
        "officer",
        lambda s: f"/measures/{s.measure.pk}/edit/",
        _narrow(_edit_conflict),
        200,
    ),
    ("review-queue-320px", "liaison", lambda s: "/reviews/", _narrow(), 200),
    ("focus-area-320px", "officer", lambda s: "/focus-areas/barn-och-unga/", _narrow(), 200),
    ("meeting-frozen-320px", "officer", lambda s: f"/meetings/{s.frozen.pk}/", _narrow(), 200),
    ("period-worklist-320px", "officer", lambda s: f"/periods/{s.period.pk}/", _narrow(), 200),
    ("report-320px", "officer", lambda s: "/report/", _narrow(), 200),
    ("agreement-320px", "officer", lambda s: "/agreement/", _narrow(), 200),
    ("situation-320px", "officer", lambda s: "/situation/", _narrow(), 200),
    ("indicator-320px", "officer", lambda s: f"/indicators/{s.indicator.pk}/", _narrow(), 200),
    ("indicators-320px", "officer", lambda s: "/indicators/", _narrow(), 200),
    (
        "import-preview-errors-320px",
        "officer",
        lambda s: "/measures/import/",
        _narrow(_upload_with_errors),
        200,
    ),
]


# --- The account pages: reminder settings and password reset


def _reset_path(user):
    """The path of a working password-reset link for `user`, as the e-mail has it."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/accounts/reset/{uid}/{default_token_generator.make_token(user)}/"


def _reset_with_a_bad_address(page, scenario):
    page.get_by_label("E-postadress").fill("inte en adress")
    page.get_by_role("button", name="Skicka länken").click()
    expect(page.locator("#error-summary")).to_be_visible()


def _new_passwords_that_differ(page, scenario):
    page.get_by_label("Nytt lösenord", exact=True).fill("Ett långt nytt lösenord 1")
    page.get_by_label("Bekräfta nytt lösenord").fill("Ett annat långt lösenord 2")
    page.get_by_role("button", name="Spara det nya lösenordet").click()
    expect(page.locator("#error-summary")).to_be_visible()


def _turn_off_the_summary(page, scenario):
    page.get_by_label("Veckosammanfattning av mina åtgärder med flaggor").uncheck()
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Dina val av påminnelser är sparade.")


PAGES += [
    ("notifications", "officer", lambda s: "/accounts/notifications/", None, 200),
    (
        "notifications-saved",
        "liaison",
        lambda s: "/accounts/notifications/",
        _turn_off_the_summary,
        200,
    ),
    ("notifications-320px", "officer", lambda s: "/accounts/notifications/", _narrow(), 200),
    ("password-reset", None, lambda s: "/accounts/password_reset/", None, 200),
    (
        "password-reset-errors",
        None,
        lambda s: "/accounts/password_reset/",
        _reset_with_a_bad_address,
        200,
    ),
    ("password-reset-done", None, lambda s: "/accounts/password_reset/done/", None, 200),
    ("password-reset-confirm", None, lambda s: _reset_path(s.officer), None, 200),
    (
        "password-reset-confirm-errors",
        None,
        lambda s: _reset_path(s.officer),
        _new_passwords_that_differ,
        200,
    ),
    ("password-reset-bad-link", None, lambda s: "/accounts/reset/MQ/bad-token/", None, 200),
    ("password-reset-complete", None, lambda s: "/accounts/reset/done/", None, 200),
]


# Every page is checked at a phone's, a tablet's and a laptop's width; the
# pages named "-320px" at 320 px only, where they have set it themselves.
WIDTHS = (375, 768, 1366)


def layout_problems(found, width):
    """What does not fit at `width`: the page must not scroll sideways, and no
    content may be cut off by a box that does not scroll. From 768 px up no box
    scrolls sideways either; on a phone only a named region may (a chart or a
    row of shortcuts, which WCAG 1.4.10 allows to scroll in two dimensions)."""
    problems = []
    if found["pageWidth"] > width:
        problems.append(f"the page is {found['pageWidth']} px wide")
    problems += [f"cut off: {item}" for item in found["cutOff"]]
    for box in found["scrolling"]:
        if width >= 768 or not box["named"]:
            problems.append(f"scrolls sideways: {box['box']} ({box['width']} px in {box['room']})")
    return problems


@pytest.mark.parametrize(
    ("who", "path", "action", "status", "widths"),
    [
        pytest.param(*rest, (None,) if name.endswith("-320px") else WIDTHS, id=name)
        for name, *rest in PAGES
    ],
)
def test_page_fits_and_has_no_axe_violations_at_each_width(
    page, login, axe, layout, scenario, who, path, action, status, widths
):
    if who:
        login(getattr(scenario, who))
    response = page.goto(path(scenario))
    assert response.status == status, f"{path(scenario)} answered {response.status}"
    if action:
        action(page, scenario)

    failures = []
    for width in widths:
        width = width or page.viewport_size["width"]
        problems = layout_problems(layout(width), width)
        violations = axe()
        if problems:
            failures.append(f"At {width} px on {page.url}:\n- " + "\n- ".join(problems[:10]))
        if violations:
            failures.append(
                f"At {width} px axe found {len(violations)} WCAG 2.1 A/AA violation(s) "
                f"on {page.url}:\n" + format_violations(violations)
            )
    assert not failures, "\n\n".join(failures)


def test_the_layout_check_reports_what_it_finds(page, login, layout, officer):
    """The check above can fail: a wide block on the page and a box that
    cuts its content off are both reported."""
    login(officer)
    page.evaluate(
        "() => document.querySelector('main').insertAdjacentHTML('beforeend', "
        '\'<div id="wide" style="width: 900px">bred</div>'
        '<div style="overflow: hidden; width: 100px"><p id="cut" style="width: 300px">'
        "avklippt</p></div>')"
    )
    problems = layout_problems(layout(375), 375)
    assert any(problem.startswith("the page is") for problem in problems), problems
    assert any("p#cut" in problem for problem in problems), problems


def test_axe_reports_what_it_finds(page, login, axe, officer):
    """The check above can fail: a control without a label is reported."""
    login(officer)
    page.evaluate(
        "() => document.querySelector('main').insertAdjacentHTML('beforeend', "
        '\'<input type="text" name="unlabelled">\')'
    )
    violations = axe()
    assert [v["id"] for v in violations] == ["label"], format_violations(violations)
    assert "unlabelled" in format_violations(violations)


ADMIN_PAGES = [
    lambda s: "/admin/",
    lambda s: "/admin/measures/measure/",
    lambda s: f"/admin/measures/measure/{s.measure.pk}/change/",
    lambda s: "/admin/agreement/indicator/",
    lambda s: "/admin/auth/user/",
]


@pytest.mark.parametrize(
    "path", ADMIN_PAGES, ids=["index", "measures", "measure", "indicators", "users"]
)
def test_the_admin_fits_a_laptop_and_has_no_axe_violations(
    page, login, axe, layout, scenario, admin, path
):
    login(admin)
    response = page.goto(path(scenario))
    assert response.status == 200

    found = layout(1366)
    assert found["pageWidth"] <= 1366
    assert found["cutOff"] == []
    assert found["scrolling"] == []
    violations = axe()
    assert not violations, format_violations(violations)
