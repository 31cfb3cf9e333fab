"""REST API for requests and agencies: the same services and checks as the pages.

A request the caller may not see answers 404; errors are JSON with a readable
``detail`` and, for invalid input, the messages under each field's name (the
project's exception handler, ``config.api``, turns the services' errors into these).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from foia import permissions as foia_permissions
from foia import selectors, services
from foia.models import (
    Agency,
    Decision,
    FeeCategory,
    FoiaRequest,
    Jurisdiction,
    Status,
    TrackingNumber,
    Visibility,
)

# --- Permissions -------------------------------------------------------------------


class CanFileOnCreate(permissions.BasePermission):
    """Researchers and guests file nothing: 403 before the input is even read."""

    def has_permission(self, request: Request, view) -> bool:
        if view.action == "create":
            foia_permissions.check_can_file(request.user)
        return True


class EditorsChangeAgencies(permissions.BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        if request.method not in permissions.SAFE_METHODS:
            foia_permissions.check_can_manage_agencies(request.user)
        return True


# --- Serializers -------------------------------------------------------------------


class TagListField(serializers.ListField):
    child = serializers.CharField(max_length=60)

    def to_representation(self, data):
        return [tag.name for tag in data.all()]


NUL_MESSAGE = "Null characters are not allowed."


class SlugLookupField(serializers.SlugRelatedField):
    """A row named by a slug or username; a NUL in the name is refused before the
    lookup, which PostgreSQL would answer with an error."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError(NUL_MESSAGE)
        return super().to_internal_value(data)


def _named_choices(name: str, choices) -> type[serializers.ChoiceField]:
    """A choice field whose schema enum is named after ``name``.

    Expedited processing and the fee waiver share one choice set; drf-spectacular
    would otherwise warn that the set has two names. ``x-spec-enum-id`` is the key
    its enum hook groups enums by.
    """

    @extend_schema_field(
        {
            "type": "string",
            "enum": [value for value, _label in choices],
            "x-spec-enum-id": name,
        }
    )
    class NamedChoiceField(serializers.ChoiceField):
        pass

    return NamedChoiceField


class TrackingNumberSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = TrackingNumber
        fields = ["number", "agency", "assigned_on", "is_current", "note"]
        read_only_fields = fields


class FoiaRequestSerializer(serializers.ModelSerializer):
    agency = SlugLookupField(slug_field="slug", queryset=Agency.objects.all())
    requester = SlugLookupField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        required=False,
        help_text="Username; editors may file for someone else. Default: you.",
    )
    collaborators = SlugLookupField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        many=True,
        required=False,
    )
    tags = TagListField(required=False)
    tracking_numbers = TrackingNumberSerializer(many=True, read_only=True)
    tracking_number = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=80,
        help_text="On create: the agency's first tracking number.",
    )
    is_overdue = serializers.BooleanField(read_only=True)
    may_go_to_court = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField()
    expedited = _named_choices("expedited", Decision.choices)(
        choices=Decision.choices, required=False
    )
    fee_waiver = _named_choices("fee_waiver", Decision.choices)(
        choices=Decision.choices, required=False
    )
    fee_category = serializers.ChoiceField(choices=FeeCategory.choices, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    parent_relation = serializers.ChoiceField(
        choices=FoiaRequest._meta.get_field("parent_relation").choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty unless the request was split or referred from its parent.",
    )

    class Meta:
        model = FoiaRequest
        fields = [
            "id",
            "url",
            "title",
            "body",
            "agency",
            "requester",
            "collaborators",
            "tags",
            "story_url",
            "status",
            "visibility",
            "embargo_until",
            "parent",
            "parent_relation",
            "filed_on",
            "first_received_on",
            "received_on",
            "acknowledged_on",
            "determined_on",
            "adverse_on",
            "unusual_circumstances",
            "expedited",
            "fee_waiver",
            "fee_category",
            "fee_limit",
            "response_due",
            "extended_due",
            "expedite_decision_due",
            "appeal_filing_due",
            "current_due",
            "is_overdue",
            "may_go_to_court",
            "tracking_numbers",
            "tracking_number",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "determined_on",
            "adverse_on",
            "unusual_circumstances",
            "parent",
            "parent_relation",
            "response_due",
            "extended_due",
            "expedite_decision_due",
            "appeal_filing_due",
            "current_due",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "story_url": {"required": False, "allow_blank": True},
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: FoiaRequest) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class TransitionSerializer(serializers.Serializer):
    to = _named_choices("to", Status.choices)(choices=Status.choices)
    on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class AgencySerializer(serializers.ModelSerializer):
    parent = SlugLookupField(
        slug_field="slug",
        queryset=Agency.objects.all(),
        required=False,
        allow_null=True,
    )
    jurisdiction = SlugLookupField(
        slug_field="code", queryset=Jurisdiction.objects.all()
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Agency
        fields = [
            "id",
            "url",
            "slug",
            "name",
            "abbreviation",
            "parent",
            "jurisdiction",
            "foia_email",
            "portal_url",
            "mailing_address",
            "phone",
            "website",
            "appeal_authority",
            "appeal_email",
            "appeal_address",
            "appeal_portal_url",
            "notes",
            "is_active",
        ]
        # The services check slugs; DRF's own unique check would run first.
        extra_kwargs = {"slug": {"validators": []}}

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Agency) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


# --- Views -------------------------------------------------------------------------

_LIST_PARAMETERS = [
    OpenApiParameter(
        "status",
        str,
        description="A status, or open, awaiting, waiting_on_us, finished.",
        many=True,
    ),
    OpenApiParameter("agency", str, description="Agency slug (components included)."),
    OpenApiParameter("requester", str, description="Username, or me."),
    OpenApiParameter("overdue", bool, description="Only requests past their due date."),
    OpenApiParameter("due_within", int, description="Due within this many days."),
    OpenApiParameter(
        "clarification_asked",
        bool,
        description="Only open requests whose clock the agency stopped to ask for "
        "information not answered yet.",
    ),
    OpenApiParameter(
        "appeal_window_within",
        int,
        description="Only adverse determinations (partly denied, denied, no "
        "records) not appealed yet whose appeal filing window closes within this "
        "many days (0 to 365; today counts).",
    ),
    OpenApiParameter(
        "appeals_pending",
        bool,
        description="Only requests with an appeal waiting for its decision.",
    ),
    OpenApiParameter(
        "may_go_to_court",
        bool,
        description="Only requests whose administrative remedies are exhausted: "
        "the agency's deadline passed without a determination, or the appeal "
        "decision is late, or the appeal was lost. Wider than the "
        "may_go_to_court field of a request, which covers the missed deadline "
        "alone.",
    ),
    OpenApiParameter("tag", str),
    OpenApiParameter("q", str, description="Words in title, text or tracking number."),
    OpenApiParameter("sort", str, enum=list(selectors.SORTS)),
]


def _flag(params, name: str) -> bool:
    return params.get(name, "").lower() in ("1", "true", "yes")


def _days(params, name: str, errors: dict) -> int | None:
    """A whole number of days from 0 to 365, or None; a message in ``errors``
    for anything else."""
    if not params.get(name):
        return None
    try:
        days = int(params[name])
    except ValueError:
        days = -1
    if not 0 <= days <= 365:
        errors[name] = ["A whole number of days from 0 to 365."]
        return None
    return days


def _filters_from_query(request: Request) -> selectors.RequestFilters:
    params = request.query_params
    errors = {
        name: [NUL_MESSAGE]
        for name, values in params.lists()
        if any("\x00" in value for value in values)
    }
    if errors:
        raise ValidationError(errors)
    agency = None
    if params.get("agency"):
        agency = Agency.objects.filter(slug=params["agency"]).first()
        if agency is None:
            errors["agency"] = [f"No agency {params['agency']!r}."]
    requester = None
    who = params.get("requester", "")
    if who == "me":
        requester = request.user
    elif who:
        requester = get_user_model().objects.filter(username=who).first()
        if requester is None:
            errors["requester"] = [f"No user {who!r}."]
    due_within = _days(params, "due_within", errors)
    appeal_window_within = _days(params, "appeal_window_within", errors)
    sort = params.get("sort") or selectors.DEFAULT_SORT
    if sort not in selectors.SORTS:
        errors["sort"] = [f"One of {', '.join(selectors.SORTS)}."]
    statuses = params.getlist("status")
    known = set(Status.values) | set(selectors.STATUS_GROUPS)
    bad = [s for s in statuses if s not in known]
    if bad:
        errors["status"] = [f"Unknown status {', '.join(bad)}."]
    if errors:
        raise ValidationError(errors)
    return selectors.RequestFilters(
        statuses=statuses,
        agency=agency,
        requester=requester,
        overdue=_flag(params, "overdue"),
        due_within=due_within,
        clarification_asked=_flag(params, "clarification_asked"),
        appeal_window_within=appeal_window_within,
        appeals_pending=_flag(params, "appeals_pending"),
        may_go_to_court=_flag(params, "may_go_to_court"),
        tag=params.get("tag", "").strip(),
        text=params.get("q", "").strip(),
        sort=sort,
    )


@extend_schema_view(
    list=extend_schema(summary="Requests you may see", parameters=_LIST_PARAMETERS),
    create=extend_schema(summary="File a request (reporters and editors)"),
    retrieve=extend_schema(summary="One request"),
    update=extend_schema(summary="Change a request's details"),
    partial_update=extend_schema(summary="Change some of a request's details"),
)
class FoiaRequestViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = FoiaRequestSerializer
    permission_classes = [permissions.IsAuthenticated, CanFileOnCreate]
    queryset = FoiaRequest.objects.none()

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            # What the serializer reads of each row, loaded for the whole page.
            return (
                selectors.request_list(
                    user=user, filters=_filters_from_query(self.request)
                )
                .select_related("parent")
                .prefetch_related("collaborators", "tracking_numbers__agency")
            )
        return (
            FoiaRequest.objects.visible_to(user)
            .select_related("agency", "requester", "parent")
            .prefetch_related("tags", "collaborators", "tracking_numbers__agency")
        )

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.request_file(actor=self.request.user, **data)

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("tracking_number", None)
        foia_request = serializer.instance
        services.request_update(actor=self.request.user, request=foia_request, **data)
        serializer.instance = self.get_queryset().get(pk=foia_request.pk)

    @extend_schema(
        summary="Change a request's status (validated lifecycle)",
        request=TransitionSerializer,
        responses={200: FoiaRequestSerializer},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk=None) -> Response:
        foia_request = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.request_transition(
                actor=request.user,
                request=foia_request,
                to=payload.validated_data["to"],
                on=payload.validated_data.get("on"),
                reason=payload.validated_data.get("reason", ""),
            )
        except services.InvalidTransition as error:
            raise ValidationError({"to": error.messages}) from error
        fresh = self.get_queryset().get(pk=foia_request.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(summary="Agencies"),
    create=extend_schema(summary="Add an agency (editors)"),
    retrieve=extend_schema(summary="One agency"),
    update=extend_schema(summary="Change an agency (editors)"),
    partial_update=extend_schema(summary="Change some of an agency (editors)"),
)
class AgencyViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AgencySerializer
    permission_classes = [permissions.IsAuthenticated, EditorsChangeAgencies]
    lookup_field = "slug"
    queryset = Agency.objects.select_related("parent", "jurisdiction").order_by("name")

    def perform_create(self, serializer) -> None:
        serializer.instance = services.agency_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.agency_update(
            actor=self.request.user,
            agency=serializer.instance,
            **serializer.validated_data,
        )
