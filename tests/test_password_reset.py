"""Password reset by e-mail: Django's views with Swedish pages and e-mail, a
link on SITE_URL, the same answer for a known and an unknown address, and
django-axes' lockout untouched by a reset."""

import html
import re

import pytest
from axes.models import AccessAttempt, AccessLog

PASSWORD = "a long enough password 1"
NEW_PASSWORD = "Trygghetsvandring i Handen 2026"
SITE_URL = "https://samverkan.example.se"
RESET = "/accounts/password_reset/"
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL


@pytest.fixture
def officer(officer):
    officer.email = "Maria.Lindqvist@haninge.se"
    officer.first_name = "Maria"
    officer.save()
    return officer


def text(response):
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _main(response):
    """The page without the CSRF token, which differs from one response to the next."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _link(mail):
    [link] = re.findall(r"https?://\S+/accounts/reset/\S+/", mail.body)
    return link


def test_the_login_page_links_to_the_reset(client, db):
    page = client.get(LOGIN).content.decode()
    assert f'<a href="{RESET}">Glömt lösenordet?</a>' in page


def test_the_reset_form_is_swedish_and_public(client, db):
    response = client.get(RESET)
    assert response.status_code == 200
    page = text(response)
    assert "Glömt lösenord" in page
    assert "Ange den e-postadress du har i appen." in page
    assert "Skicka länken" in page


def test_a_known_address_gets_a_swedish_email_with_a_link_on_site_url(client, officer, mailoutbox):
    response = client.post(RESET, {"email": "maria.lindqvist@HANINGE.se"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    [mail] = mailoutbox
    assert mail.to == ["Maria.Lindqvist@haninge.se"]
    assert mail.subject == "Samverkan Haninge: välj ett nytt lösenord"
    assert mail.body.startswith("Hej Maria!")
    assert "ditt konto officer i Samverkan Haninge" in mail.body
    assert "Länken fungerar en gång och i 3 dagar." in mail.body
    link = _link(mail)
    assert link.startswith(f"{SITE_URL}/accounts/reset/")
    [(html_part, mimetype)] = mail.alternatives
    assert mimetype == "text/html"
    assert f'href="{link}"' in html_part
    assert PASSWORD not in mail.body


def test_the_link_sets_a_new_password_once_and_does_not_log_in(client, officer, mailoutbox):
    client.post(RESET, {"email": officer.email})
    path = _link(mailoutbox[0]).removeprefix(SITE_URL)

    response = client.get(path)
    # Django moves the token out of the address before showing the form.
    assert response.status_code == 302
    form_url = response["Location"]
    assert form_url.endswith("/set-password/")
    page = client.get(form_url)
    assert "Välj ett nytt lösenord" in text(page)

    short = client.post(form_url, {"new_password1": "kort1", "new_password2": "kort1"})
    assert "Det här lösenordet är för kort." in text(short)

    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"
    assert "Lösenordet är sparat" in text(client.get(done["Location"]))
    assert "_auth_user_id" not in client.session
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)

    again = client.get(path)
    assert again.status_code == 200
    assert "Länken fungerar inte längre" in text(again)


def test_a_made_up_link_does_not_work(client, officer):
    response = client.get("/accounts/reset/MQ/abc-123/")
    assert response.status_code == 200
    page = text(response)
    assert "Länken fungerar inte längre" in page
    assert "Be om en ny länk" in page


@pytest.mark.parametrize(
    "address",
    ["nobody@haninge.se", "inactive@haninge.se", "nopassword@haninge.se"],
)
def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client, officer, django_user_model, mailoutbox, address
):
    django_user_model.objects.create_user(
        "inactive", email="inactive@haninge.se", password=PASSWORD, is_active=False
    )
    django_user_model.objects.create_user("nopassword", email="nopassword@haninge.se")

    known = client.post(RESET, {"email": officer.email})
    unknown = client.post(RESET, {"email": address})

    assert len(mailoutbox) == 1
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    known_page = client.get(known["Location"])
    unknown_page = client.get(unknown["Location"])
    assert _main(known_page) == _main(unknown_page)
    assert "Om adressen hör till ett konto i appen" in text(unknown_page)


def test_an_address_that_is_not_an_address_is_told_in_swedish(client, db, mailoutbox):
    response = client.post(RESET, {"email": "inte en adress"})
    assert response.status_code == 200
    assert "Fyll i en giltig e-postadress." in text(response)
    assert mailoutbox == []


def test_a_reset_neither_unlocks_a_locked_out_user_nor_counts_as_a_login(
    client, officer, mailoutbox
):
    for _ in range(5):
        client.post(
            LOGIN, {"username": "officer", "password": "wrong password!"}, REMOTE_ADDR="10.0.0.1"
        )
    attempts = list(
        AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start")
    )
    assert attempts == [("officer", "10.0.0.1", 5)]

    client.post(RESET, {"email": officer.email}, REMOTE_ADDR="10.0.0.1")
    path = _link(mailoutbox[0]).removeprefix(SITE_URL)
    form_url = client.get(path, REMOTE_ADDR="10.0.0.1")["Location"]
    client.post(
        form_url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)

    # Still locked from that address, with the new password too.
    locked = client.post(
        LOGIN, {"username": "officer", "password": NEW_PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert locked.status_code == 429
    assert "För många misslyckade inloggningar" in text(locked)
    assert "_auth_user_id" not in client.session
    assert not AccessLog.objects.filter(username="officer").exists()
    assert AccessAttempt.objects.get(username="officer").failures_since_start >= 5


def test_the_reset_pages_refuse_other_methods(client, db):
    assert client.put(RESET).status_code == 405
    assert client.post("/accounts/password_reset/done/").status_code == 405
    assert client.delete("/accounts/reset/done/").status_code == 405
