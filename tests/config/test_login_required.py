"""Every page but the login page and /healthz asks who you are first."""

from __future__ import annotations

import re

import pytest

from tests.routes import url_routes

# The calendar feed's URL carries its own credential (a revocable token).
OPEN_TO_ALL = {"/healthz", "/accounts/login/", "/admin/login/", "/calendar/x.ics"}
# The read-only public page and the downloads it links (config.middleware's
# PUBLIC_VIEW_NAMES): each answers 404 for anything not public.
PUBLIC_PAGES = {"/public/requests/", "/public/requests/1/", "/documents/1/original/"}
OPEN_TO_ALL |= PUBLIC_PAGES
# Django's password-reset pages are for people who cannot sign in.
PASSWORD_RESET_PREFIXES = ("/accounts/password_reset", "/accounts/reset/")


def _concrete(route: str) -> str:
    route = route.lstrip("^").rstrip("$")
    route = re.sub(r"<(?:int:)?\w+>", "1", route)
    route = re.sub(r"<(?:slug|str|path|uuid):\w+>", "x", route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    route = route.replace("\\", "")
    return "/" + route


def all_routes() -> list[str]:
    routes = sorted({_concrete(r) for r in url_routes()})
    return [r for r in routes if "(" not in r and "?" not in r]


def protected_routes() -> list[str]:
    return [
        route
        for route in all_routes()
        if route not in OPEN_TO_ALL and not route.startswith(PASSWORD_RESET_PREFIXES)
    ]


def test_the_route_list_covers_the_main_pages():
    routes = all_routes()
    for page in ("/", "/requests/", "/documents/", "/search/", "/agencies/", "/desk/"):
        assert page in routes


@pytest.mark.django_db
@pytest.mark.parametrize("path", protected_routes())
def test_anonymous_visitor_is_sent_to_login(client, path):
    response = client.get(path, HTTP_ACCEPT="application/json")
    if path.startswith("/api/"):
        assert response.status_code in (401, 403), response.status_code
        assert "detail" in response.json()
    elif path.startswith("/admin/"):
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert "/login/" in response["Location"]
    else:
        assert response.status_code == 302, (path, response.status_code)
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_public_page_is_open_and_shows_nothing_that_is_not_public(client):
    assert set(all_routes()) >= PUBLIC_PAGES
    assert client.get("/public/requests/").status_code == 200
    assert client.get("/public/requests/1/").status_code == 404
    assert client.get("/documents/1/original/").status_code == 404
    # Only the download: the document's own pages still ask who you are.
    assert client.get("/documents/1/").status_code == 302


@pytest.mark.django_db
def test_login_pages_and_healthz_are_open(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)


@pytest.mark.django_db
def test_signed_in_user_sees_the_navigation(client, reporter):
    client.force_login(reporter)
    page = client.get("/").content.decode()
    for label in ("Requests", "Documents", "Search", "Agencies", "Desk", "Log out"):
        assert label in page


@pytest.mark.django_db
def test_login_with_the_right_password_lands_on_home(client, reporter):
    from tests.conftest import PASSWORD

    response = client.post(
        "/accounts/login/", {"username": "rita", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert "Welcome, Rita" in response.content.decode()


@pytest.mark.django_db
def test_login_with_a_wrong_password_says_so(client, reporter):
    response = client.post("/accounts/login/", {"username": "rita", "password": "no"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()
