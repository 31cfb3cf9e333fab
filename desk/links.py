"""Where each number on the desk links: the request list (``/requests/``) when
its filters select exactly the rows counted, else the desk's own full list.

The request list's parameters (``foia.forms.RequestFilterForm``): ``status`` (a
status or a group: open, awaiting, waiting_on_us, finished), ``overdue``,
``due_within`` (days), ``clarification_asked``, ``appeal_window_within`` (days),
``appeals_pending``, ``may_go_to_court``, ``requester`` (a username or ``me``;
matches requests the person files or collaborates on), ``agency`` (slug, with its
components). The desk counts with the same ``FoiaRequestQuerySet`` methods the
list filters with, so a number and its list agree.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from desk import selectors


def _with_query(url: str, params: dict[str, object]) -> str:
    query = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def desk_list_url(kind: str, **params: object) -> str:
    return _with_query(reverse("desk:list", args=[kind]), params)


def request_list_url(**params: object) -> str:
    return _with_query(reverse("foia:request_list"), params)


def _bases() -> tuple[str, dict[str, str]]:
    """The request list's address and each desk list's, reversed once."""
    return (
        reverse("foia:request_list"),
        {kind: reverse("desk:list", args=[kind]) for kind in selectors.DESK_LISTS},
    )


def list_url(kind: str, *, scope: str, requester: str | None = None) -> str:
    """The list behind one desk number.

    ``requester`` (a username) narrows it to one person's requests; the desk of a
    reporter (scope OWN) is narrowed to their own with ``requester=me``.
    """
    definition = selectors.DESK_LISTS[kind]
    if definition.request_list_params is None:
        return desk_list_url(kind)
    params = dict(definition.request_list_params)
    if requester:
        params["requester"] = requester
    elif scope == selectors.OWN:
        params["requester"] = "me"
    return request_list_url(**params)


def desk_links(scope: str) -> dict[str, str]:
    return {kind: list_url(kind, scope=scope) for kind in selectors.DESK_LISTS}


def load_links(rows: list[selectors.LoadRow]) -> list[dict[str, str]]:
    """Links for each line of the reporters' load table."""
    request_list, desk_lists = _bases()
    found = []
    for row in rows:
        links = {}
        for kind in ("open", "overdue", "due_soon", "waiting_on_us"):
            params = selectors.DESK_LISTS[kind].request_list_params
            if row.is_requester and params is not None:
                links[kind] = _with_query(
                    request_list, {**params, "requester": row.username}
                )
            else:
                # The request list offers only people who file requests.
                links[kind] = _with_query(desk_lists[kind], {"person": row.user_id})
        found.append(links)
    return found
