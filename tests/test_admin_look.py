"""The administration looks and speaks like the app: its name, its colours,
its light theme, and a changelist with the width of the screen."""

import re

import pytest

from tests.conftest import client_for

PAGES = ["/admin/", "/admin/measures/measure/", "/admin/auth/user/"]


@pytest.mark.parametrize("path", PAGES)
def test_the_admin_carries_the_apps_name_and_stylesheet(client, admin, measure, path):
    content = client_for(client, admin).get(path).content.decode()

    assert '<span class="admin-brand__title">Samverkan Haninge</span>' in content
    assert '<span class="admin-brand__sub">Administration</span>' in content
    assert re.search(r'<link rel="stylesheet" href="/static/css/admin\.css"', content)
    assert "<title>" in content and "Samverkan Haninge – administration</title>" in content
    assert "Django" not in content


@pytest.mark.parametrize("path", PAGES)
def test_the_admin_has_one_light_theme_as_the_app(client, admin, path):
    content = client_for(client, admin).get(path).content.decode()

    assert "dark_mode.css" not in content
    assert "theme-toggle" not in content


def test_the_changelist_has_no_side_menu_taking_its_width(client, admin, measure):
    content = client_for(client, admin).get("/admin/measures/measure/").content.decode()

    assert 'id="nav-sidebar"' not in content
    assert measure.title in content
