"""Load profile for `make loadtest`: logged-in municipal officers reading the
overview, the list and detail pages, and posting progress updates."""

import itertools
import os
import random
import re

from locust import HttpUser, between, events, task

MEASURE_IDS = [int(x) for x in os.environ["LOADTEST_MEASURE_IDS"].split(",")]
PASSWORD = os.environ["LOADTEST_PASSWORD"]
USERS = os.environ["LOADTEST_USERS"].split(",")
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

acknowledged = {"posts": 0}
_usernames = itertools.cycle(USERS)


def _token(html):
    match = _TOKEN.search(html)
    return match.group(1) if match else ""


class Officer(HttpUser):
    wait_time = between(0.05, 0.3)

    def on_start(self):
        self.username = next(_usernames)
        page = self.client.get("/accounts/login/", name="login form")
        response = self.client.post(
            "/accounts/login/",
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": _token(page.text),
            },
            headers={"Referer": self.host + "/accounts/login/"},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login failed for {self.username}: {response.status_code}")

    @task(3)
    def overview(self):
        self.client.get("/", name="/")

    @task(3)
    def measure_list(self):
        params = random.choice(
            ["", "?status=in_progress", "?flag=overdue", "?q=trygg", "?o=-end_date&page=2"]
        )
        self.client.get("/measures/" + params, name="/measures/")

    @task(4)
    def detail(self):
        self.client.get(f"/measures/{random.choice(MEASURE_IDS)}/", name="/measures/<id>/")

    @task(1)
    def post_update(self):
        pk = random.choice(MEASURE_IDS)
        url = f"/measures/{pk}/updates/new/"
        form = self.client.get(url, name="/measures/<id>/updates/new/ (form)")
        with self.client.post(
            url,
            {
                "csrfmiddlewaretoken": _token(form.text),
                "reported_on": "2026-11-20",
                "status": "in_progress",
                "progress": str(random.randint(0, 100)),
                "assessment": random.choice(["green", "yellow", "red"]),
                "summary": "Lasttest: genomförda vandringar och möten enligt plan.",
                "next_steps": "Fortsätter.",
            },
            headers={"Referer": self.host + url},
            name="POST progress update",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                acknowledged["posts"] += 1
                response.success()
            else:
                response.failure(f"status {response.status_code}")


@events.quitting.add_listener
def _report(environment, **kwargs):
    path = os.environ.get("LOADTEST_ACK_FILE")
    if path:
        with open(path, "w") as fh:
            fh.write(str(acknowledged["posts"]))
