"""``/api/desk/`` (the desk as JSON, for newsroom chat bots) and ``/api/me/``."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from desk import links, selectors, services
from foia import roles


class RequestItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    agency = serializers.CharField()
    requester = serializers.CharField(help_text="The requester's username.")
    status = serializers.CharField()
    current_due = serializers.DateField(allow_null=True)
    days_overdue = serializers.IntegerField()
    appeal_filing_due = serializers.DateField(allow_null=True)
    url = serializers.URLField()


class AppealItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    request_id = serializers.IntegerField()
    request_title = serializers.CharField()
    agency = serializers.CharField()
    filed_on = serializers.DateField()
    decision_due = serializers.DateField(allow_null=True)
    days_overdue = serializers.IntegerField()
    url = serializers.URLField()


class DocumentItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    request_id = serializers.IntegerField(allow_null=True)
    state = serializers.CharField()
    page_count = serializers.IntegerField(allow_null=True)
    processed_at = serializers.DateTimeField(allow_null=True)
    error_reason = serializers.CharField(allow_blank=True)
    url = serializers.URLField()


class OverdueBucketSerializer(serializers.Serializer):
    label = serializers.CharField()
    min_days = serializers.IntegerField()
    max_days = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField()
    url = serializers.URLField()


class LoadRowSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    waiting_on_us = serializers.IntegerField()


_ITEM_SERIALIZERS = {
    "request": RequestItemSerializer,
    "appeal": AppealItemSerializer,
    "document": DocumentItemSerializer,
}


def _desk_list_serializer(kind: str, definition: selectors.DeskList) -> type:
    name = "".join(part.capitalize() for part in kind.split("_"))
    return type(
        f"Desk{name}ListSerializer",
        (serializers.Serializer,),
        {
            "title": serializers.CharField(),
            "count": serializers.IntegerField(),
            "url": serializers.URLField(help_text="The full filtered list."),
            "items": _ITEM_SERIALIZERS[definition.model](
                many=True, help_text=f"The first {selectors.LIST_LIMIT} rows."
            ),
            "__doc__": definition.description or definition.title,
        },
    )


DeskListsSerializer = type(
    "DeskListsSerializer",
    (serializers.Serializer,),
    {
        kind: _desk_list_serializer(kind, definition)()
        for kind, definition in selectors.DESK_LISTS.items()
    },
)


class DeskSummarySerializer(serializers.Serializer):
    scope = serializers.ChoiceField(
        choices=[selectors.NEWSROOM, selectors.OWN, selectors.DOCUMENTS],
        help_text="newsroom: every request; own: the user's requests; documents: "
        "documents only (researchers).",
    )
    today = serializers.DateField()
    counts = serializers.DictField(child=serializers.IntegerField())
    lists = DeskListsSerializer()
    overdue_by_days = OverdueBucketSerializer(many=True)
    reporter_load = LoadRowSerializer(many=True)
    follow_ups_waiting = serializers.IntegerField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    roles = serializers.ListField(child=serializers.CharField())
    calendar_url = serializers.URLField(
        help_text="The private iCalendar feed of the user's deadlines."
    )
    desk_url = serializers.URLField()
    daily_digest = serializers.BooleanField()
    unseen_notifications = serializers.IntegerField(
        allow_null=True, help_text="Null where notifications are not available."
    )


def _request_item(http_request: Request, item) -> dict:
    return {
        "id": item.pk,
        "title": item.title,
        "agency": str(item.agency),
        "requester": item.requester.get_username(),
        "status": item.status,
        "current_due": item.current_due,
        "days_overdue": item.days_overdue,
        "appeal_filing_due": item.appeal_filing_due,
        "url": http_request.build_absolute_uri(item.get_absolute_url()),
    }


def _appeal_item(http_request: Request, appeal) -> dict:
    return {
        "id": appeal.pk,
        "request_id": appeal.request_id,
        "request_title": appeal.request.title,
        "agency": str(appeal.request.agency),
        "filed_on": appeal.filed_on,
        "decision_due": appeal.due,
        "days_overdue": appeal.days_overdue,
        "url": http_request.build_absolute_uri(appeal.request.get_absolute_url()),
    }


def _document_item(http_request: Request, document) -> dict:
    return {
        "id": document.pk,
        "title": document.title,
        "request_id": document.request_id,
        "state": document.state,
        "page_count": document.page_count,
        "processed_at": document.processed_at,
        "error_reason": document.error_reason,
        "url": http_request.build_absolute_uri(document.get_absolute_url()),
    }


_ITEMS = {"request": _request_item, "appeal": _appeal_item, "document": _document_item}


class DeskSummaryView(APIView):
    """The desk: counts and first rows of each list, scoped like the desk page."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=DeskSummarySerializer, tags=["desk"])
    def get(self, request: Request) -> Response:
        user = request.user
        summary = selectors.desk_summary(user, today=timezone.localdate())
        absolute = request.build_absolute_uri
        lists = {}
        for kind, definition in selectors.DESK_LISTS.items():
            to_item = _ITEMS[definition.model]
            lists[kind] = {
                "title": definition.title,
                "count": summary.counts.get(kind, 0),
                "url": absolute(links.list_url(kind, scope=summary.scope)),
                "items": [to_item(request, row) for row in summary.lists.get(kind, [])],
            }
        data = {
            "scope": summary.scope,
            "today": summary.today,
            "counts": {
                kind: summary.counts.get(kind, 0) for kind in selectors.DESK_LISTS
            },
            "lists": lists,
            "overdue_by_days": [
                {
                    "label": bucket.label,
                    "min_days": bucket.first,
                    "max_days": bucket.last,
                    "count": bucket.count,
                    "url": absolute(
                        links.desk_list_url(
                            "overdue", min_days=bucket.first, max_days=bucket.last
                        )
                    ),
                }
                for bucket in summary.overdue_buckets
            ],
            "reporter_load": [
                {
                    "user_id": row.user_id,
                    "username": row.username,
                    "name": row.name,
                    "open": row.open,
                    "overdue": row.overdue,
                    "due_soon": row.due_soon,
                    "waiting_on_us": row.waiting_on_us,
                }
                for row in summary.reporter_load
            ],
            "follow_ups_waiting": summary.follow_ups_waiting,
        }
        return Response(DeskSummarySerializer(data).data)


def _unseen_notifications(user) -> int | None:
    try:
        from search import selectors as search_selectors
    except ImportError:
        return None
    count = getattr(search_selectors, "unseen_notification_count", None)
    return count(user) if count is not None else None


class MeView(APIView):
    """Who the caller is, and the address of their private calendar feed.

    The first call makes the feed address; revoke or renew it on the desk's
    settings page.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer, tags=["desk"])
    def get(self, request: Request) -> Response:
        user = request.user
        token = services.calendar_token_get_or_create(user=user)
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "name": user.get_full_name() or user.get_username(),
            "email": user.email,
            "roles": sorted(roles.names_of(user)),
            "calendar_url": request.build_absolute_uri(token.get_absolute_url()),
            "desk_url": request.build_absolute_uri(reverse("desk:desk")),
            "daily_digest": services.wants_digest(user),
            "unseen_notifications": _unseen_notifications(user),
        }
        return Response(MeSerializer(data).data)
