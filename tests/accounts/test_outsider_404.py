"""Every route that names a request, a document or a page answers 404 to people
who may not see it: otto (another reporter, not a collaborator) and rosa (a
researcher) for rita's private request, and both for an embargoed newsroom request
until its embargo lifts. Signed-out visitors are sent to log in (pages) or refused
with 401 (API) before anything is looked up; the public page and its downloads
answer them 404. Lists, searches, exports and feeds leave the request out.

The route tables are checked against the URLconf, so a new route that takes an
id fails ``test_every_route_with_an_id_is_swept`` until it is added here.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_create
from desk import services as desk_services
from documents.models import Document
from foia import services as foia_services
from foia.models import Agency, AppealBasis, FoiaRequest, Visibility
from search import services as search_services
from tests.documents.conftest import MEMO, text_pdf
from tests.foia.builders import RECEIVED
from tests.routes import url_routes

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Confidential source files"
SECRET_DOCUMENT = "Source memo"

# Page routes read with GET. {r} request, {d} document, {a} appeal, {f} follow-up.
PAGE_READS = [
    "/requests/{r}/",
    "/requests/{r}/edit/",
    "/requests/{r}/communications/new/?kind=acknowledgement",
    "/requests/{r}/refer/",
    "/requests/{r}/appeals/new/",
    "/requests/{r}/appeals/{a}/decide/",
    "/requests/{r}/letters/request/",
    "/requests/{r}/letters/follow_up/?format=txt",
    "/requests/{r}/letters/appeal/",
    "/requests/{r}/letters/request/print/",
    "/public/requests/{r}/",
    "/documents/{d}/",
    "/documents/{d}/progress/",
    "/documents/{d}/progress/?polling=1",
    "/documents/{d}/original/",
    "/documents/{d}/pages/1/",
    "/documents/{d}/pages/1/?q=TECS",
    "/documents/{d}/pages/1/image/",
    "/documents/{d}/pages/1/thumbnail/",
    "/desk/follow-ups/{f}/",
]
# Page routes that change something, sent with POST.
PAGE_WRITES = [
    "/requests/{r}/edit/",
    "/requests/{r}/status/",
    "/requests/{r}/communications/new/",
    "/requests/{r}/tracking-numbers/",
    "/requests/{r}/fees/",
    "/requests/{r}/refer/",
    "/requests/{r}/appeals/new/",
    "/requests/{r}/appeals/{a}/decide/",
    "/documents/{d}/retry/",
    "/documents/{d}/delete/",
    "/documents/{d}/pages/retry/",
    "/desk/follow-ups/{f}/",
]
# Open to signed-out visitors (config.middleware.PUBLIC_VIEW_NAMES): they answer
# 404 instead of sending the visitor to log in.
PUBLIC_ROUTES = {"/public/requests/{r}/", "/documents/{d}/original/"}
API_CALLS = [
    ("get", "/api/requests/{r}/"),
    ("put", "/api/requests/{r}/"),
    ("patch", "/api/requests/{r}/"),
    ("post", "/api/requests/{r}/transition/"),
    ("get", "/api/documents/{d}/"),
    ("delete", "/api/documents/{d}/"),
    ("get", "/api/documents/{d}/pages/"),
    ("post", "/api/documents/{d}/retry/"),
]
# Lists, searches, exports and feeds that take a request or document id as a
# filter: 200, without a trace of the request.
FILTERED_READS = [
    "/requests/",
    "/requests/?q=Confidential",
    "/requests/export.csv",
    "/requests/export.csv?q=Confidential",
    "/documents/",
    "/documents/?request={r}",
    "/agencies/ice/",
    "/search/?q=TECS",
    "/search/?q=TECS&request={r}",
    "/search/?q=TECS&document={d}",
    "/desk/",
    "/desk/list/documents_processed/",
    "/desk/list/documents_processed/?format=csv",
    "/desk/agencies/ice/",
    "/desk/jurisdictions/US/",
    "/public/requests/",
    "/access-log/?request={r}",
    "/access-log/?request={r}&format=csv",
    "/api/requests/",
    "/api/documents/",
    "/api/documents/?request={r}",
    "/api/search/?q=TECS",
    "/api/search/?q=TECS&request={r}",
    "/api/search/?q=TECS&document={d}",
    "/api/desk/",
]
# Routes with an id that is not a request's, a document's or a page's: the ids
# of a person's own tokens and saved searches (see
# test_other_peoples_saved_searches_answer_404 and test_tokens.py).
NOT_ABOUT_REQUESTS = {
    "/account/tokens/{}/revoke/",
    "/search/saved/{}/delete/",
    "/calendar/{}.ics",
    "/accounts/reset/{}/{}/",
}


@dataclass
class Secret:
    request: FoiaRequest
    document: Document
    appeal_id: int
    follow_up_id: int

    def fill(self, route: str) -> str:
        return route.format(
            r=self.request.pk,
            d=self.document.pk,
            a=self.appeal_id,
            f=self.follow_up_id,
        )


def _secret_request(reporter, ingest_one, **values) -> Secret:
    """Rita's request, overdue since 2025 (so it has a follow-up draft and a
    constructive appeal), with a processed one-page document."""
    foia_request = foia_services.request_file(
        actor=reporter,
        agency=Agency.objects.get(slug="ice"),
        title=SECRET_TITLE,
        body="Records naming the source.",
        filed_on=RECEIVED,
        **values,
    )
    document = ingest_one(
        text_pdf(MEMO), name=f"{SECRET_DOCUMENT}.pdf", request=foia_request
    ).document
    assert document.state == Document.State.DONE
    assert document.pages.get().thumbnail
    follow_up = next(
        f for f in desk_services.follow_ups_draft() if f.request_id == foia_request.pk
    )
    appeal = foia_services.appeal_file(
        actor=reporter,
        request=foia_request,
        basis=AppealBasis.CONSTRUCTIVE,
        filed_on=timezone.localdate(),
    )
    return Secret(foia_request, document, appeal.pk, follow_up.pk)


@pytest.fixture
def private_secret(reporter, ingest_one) -> Secret:
    return _secret_request(reporter, ingest_one, visibility=Visibility.PRIVATE)


@pytest.fixture
def embargoed_secret(reporter, ingest_one) -> Secret:
    return _secret_request(
        reporter,
        ingest_one,
        visibility=Visibility.NEWSROOM,
        embargo_until=timezone.localdate() + timedelta(days=5),
    )


def _api(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _shape(route: str) -> str:
    """A route with every parameter as ``{}``, without its query string."""
    route = "/" + route.split("?")[0].lstrip("/")
    route = re.sub(r"<[^>]+>|\{\w\}", "{}", route)
    route = re.sub(r"/letters/[a-z_]+/", "/letters/{}/", route)
    return re.sub(r"/\d+/", "/{}/", route)


def test_every_route_with_an_id_is_swept():
    routes_with_ids = {
        _shape(route)
        for route in url_routes()
        if "<" in route and not route.startswith("admin/")
    }
    swept = {
        _shape(route)
        for route in [*PAGE_READS, *PAGE_WRITES, *(path for _m, path in API_CALLS)]
    }
    # Agencies, jurisdictions and desk lists are named by slugs and codes of
    # reference data, not ids; what they show is checked in FILTERED_READS.
    by_name = {"/agencies/{}/", "/desk/agencies/{}/", "/desk/jurisdictions/{}/"}
    by_name |= {"/desk/list/{}/", "/api/agencies/{}/"}
    missing = routes_with_ids - swept - NOT_ABOUT_REQUESTS - by_name
    assert not missing, f"routes with an id that the sweep does not visit: {missing}"


def test_the_owner_reaches_every_route(client, reporter, private_secret):
    """The routes exist and work: the 404s below are about who asks."""
    client.force_login(reporter)
    for route in PAGE_READS:
        url = private_secret.fill(route)
        expected = 404 if route.startswith("/public/") else 200
        assert client.get(url).status_code == expected, url
    api = _api(reporter)
    for method, route in API_CALLS:
        if method == "get":
            url = private_secret.fill(route)
            assert api.get(url).status_code == 200, url
    for route in ("/requests/", "/search/?q=TECS", "/api/search/?q=TECS"):
        body = _body((api if route.startswith("/api/") else client).get(route))
        assert SECRET_TITLE in body or SECRET_DOCUMENT in body, route
    summary = client.get("/desk/agencies/", {"format": "csv", "table": "summary"})
    assert dict(csv.reader(io.StringIO(_body(summary))))["requests filed"] == "1"


@pytest.mark.parametrize("who", ["other_reporter", "researcher"])
def test_outsiders_get_404_on_every_route_of_a_private_request(
    client, request, who, private_secret
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    for route in PAGE_READS:
        url = private_secret.fill(route)
        assert client.get(url).status_code == 404, (who, "GET", url)
    for route in PAGE_WRITES:
        url = private_secret.fill(route)
        assert client.post(url, {"dismiss": "1"}).status_code == 404, (who, url)
    api = _api(user)
    for method, route in API_CALLS:
        url = private_secret.fill(route)
        response = getattr(api, method)(url, {}, format="json")
        assert response.status_code == 404, (who, method, url)
        assert response.json()["detail"]
    private_secret.request.refresh_from_db()
    assert private_secret.request.title == SECRET_TITLE
    assert Document.objects.filter(pk=private_secret.document.pk).exists()


@pytest.mark.parametrize("who", ["other_reporter", "researcher"])
def test_lists_searches_exports_and_feeds_leave_a_private_request_out(
    client, request, who, reporter, private_secret
):
    # Rita reads her document, so the access log has her entries to hide.
    client.force_login(reporter)
    client.get(private_secret.document.get_absolute_url())
    user = request.getfixturevalue(who)
    client.force_login(user)
    api = _api(user)
    for route in FILTERED_READS:
        url = private_secret.fill(route)
        response = (api if url.startswith("/api/") else client).get(url)
        assert response.status_code == 200, (who, url, response.status_code)
        body = _body(response)
        assert SECRET_TITLE not in body, (who, url)
        assert SECRET_DOCUMENT not in body, (who, url)
        assert "former partner" not in body, (who, url)
        if url.startswith("/api/search/"):
            assert response.json()["total"] == 0, url
        if url.startswith("/access-log/"):
            assert "rita" not in body, url
    # Counts do not include the hidden request either.
    for url in ("/desk/agencies/", "/desk/agencies/ice/", "/desk/jurisdictions/US/"):
        summary = client.get(url, {"format": "csv", "table": "summary"})
        rows = dict(csv.reader(io.StringIO(_body(summary))))
        assert rows["requests filed"] == "0", url


def test_the_calendar_feed_leaves_out_what_its_owner_may_not_see(
    client, reporter, other_reporter, private_secret
):
    theirs = desk_services.calendar_token_rotate(user=other_reporter)
    mine = desk_services.calendar_token_rotate(user=reporter)
    assert SECRET_TITLE not in _body(client.get(theirs.get_absolute_url()))
    assert SECRET_TITLE in _body(client.get(mine.get_absolute_url()))


def test_uploading_onto_a_hidden_request_is_refused_as_if_it_did_not_exist(
    client, other_reporter, private_secret
):
    client.force_login(other_reporter)
    api = _api(other_reporter)
    answers = []
    for request_id in (private_secret.request.pk, 10**9):
        page = client.post(
            "/documents/upload/",
            {
                "files": [SimpleUploadedFile("memo.pdf", text_pdf(MEMO))],
                "request": request_id,
            },
        )
        call = api.post(
            "/api/documents/",
            {
                "file": [SimpleUploadedFile("memo.pdf", text_pdf(MEMO))],
                "request": request_id,
            },
            format="multipart",
        )
        detail = call.json()["detail"].replace(str(request_id), "N")
        answers.append((page.status_code, call.status_code, detail))
    assert answers[0] == answers[1]
    assert answers[0][:2] == (400, 400)
    assert private_secret.request.documents.count() == 1


def test_signed_out_visitors_are_sent_to_log_in_or_refused(client, private_secret):
    for route in PAGE_READS:
        url = private_secret.fill(route)
        response = client.get(url)
        if route in PUBLIC_ROUTES:
            assert response.status_code == 404, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url
    for route in PAGE_WRITES:
        url = private_secret.fill(route)
        response = client.post(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    # The API asks for credentials before it looks anything up: 401 with the
    # token scheme, whether or not the object exists.
    api = _api()
    for method, route in API_CALLS:
        for url in (private_secret.fill(route), route.format(r=0, d=0)):
            response = getattr(api, method)(url, {}, format="json")
            assert response.status_code == 401, (method, url)
            assert response["WWW-Authenticate"] == "Token"


def test_a_revoked_token_is_refused_like_no_token(reporter, private_secret):
    token, key = api_token_create(user=reporter, name="laptop")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = private_secret.fill("/api/requests/{r}/")
    assert api.get(url).status_code == 200
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    assert api.get(url).status_code == 401


def _assert_reads(client, api, secret: Secret, pages, status: int, label) -> None:
    """Every page of ``pages`` and every API read answer ``status``."""
    for route in pages:
        url = secret.fill(route)
        assert client.get(url).status_code == status, (*label, url)
    for method, route in API_CALLS:
        if method == "get":
            url = secret.fill(route)
            assert api.get(url).status_code == status, (*label, url)


@pytest.mark.parametrize("who", ["other_reporter", "researcher"])
def test_an_embargoed_newsroom_request_answers_404_until_its_date(
    client, request, who, embargoed_secret, monkeypatch
):
    user = request.getfixturevalue(who)
    reads = PAGE_READS
    readable = [
        route
        for route in reads
        if "/edit/" not in route
        and "/communications/" not in route
        and "/refer/" not in route
        and "/appeals/" not in route
        and not route.startswith("/public/")
    ]
    client.force_login(user)
    api = _api(user)
    _assert_reads(client, api, embargoed_secret, reads, 404, (who, "before"))
    assert api.get("/api/search/", {"q": "TECS"}).json()["total"] == 0

    # The day the embargo lifts.
    lifted = timezone.now() + timedelta(days=5)
    monkeypatch.setattr(timezone, "now", lambda: lifted)
    assert timezone.localdate() == embargoed_secret.request.embargo_until
    client.force_login(user)  # a session started on the new day
    _assert_reads(client, api, embargoed_secret, readable, 200, (who, "after"))
    assert api.get("/api/search/", {"q": "TECS"}).json()["total"] == 1
    # Seen but not theirs: changing it is forbidden, not hidden.
    edit = embargoed_secret.fill("/requests/{r}/edit/")
    assert client.get(edit).status_code == 403
    # Newsroom, not public: the public page still has nothing.
    public = embargoed_secret.fill("/public/requests/{r}/")
    assert client.get(public).status_code == 404


def test_other_peoples_saved_searches_answer_404(client, reporter, other_reporter):
    saved = search_services.saved_search_create(
        user=reporter, name="Sources", query="informant", filters={}
    )
    client.force_login(other_reporter)
    response = client.post(f"/search/saved/{saved.pk}/delete/")
    assert response.status_code == 404
