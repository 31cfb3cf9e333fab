"""REST API for documents: upload (multipart), state and pages.

The same services and visibility as the pages: a document the caller may not see
answers 404; every error is JSON with a readable ``detail``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.services import access_record
from documents import intake, selectors, services, uploads
from documents.forms import DocumentFilterForm
from documents.models import ArchiveMember, Document, Page
from foia.models import Communication, FoiaRequest

# --- serializers -------------------------------------------------------------------


class ArchiveMemberSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Path inside the archive.")
    outcome = serializers.ChoiceField(choices=ArchiveMember.Outcome.choices)
    detail = serializers.CharField(
        source="reason", help_text="Why it was not imported, or what it dupes."
    )
    document = serializers.IntegerField(source="document_id", allow_null=True)


class DocumentSerializer(serializers.ModelSerializer):
    error = serializers.CharField(
        source="error_reason",
        read_only=True,
        help_text="Why processing failed, in words a reporter understands.",
    )
    error_detail = serializers.SerializerMethodField(
        help_text="The technical cause; shown to editors and administrators only."
    )
    linked_requests = serializers.SerializerMethodField(
        help_text="Other requests the same file arrived with, as far as you may see."
    )
    members = serializers.SerializerMethodField(
        help_text="For a ZIP archive (kind zip): what became of each file in it, "
        "once unpacked; null for other documents."
    )
    url = serializers.SerializerMethodField()
    pages_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "original_name",
            "kind",
            "size",
            "sha256",
            "state",
            "page_count",
            "pages_done",
            "error",
            "error_detail",
            "languages",
            "request",
            "communication",
            "linked_requests",
            "source_archive",
            "members",
            "created_at",
            "processed_at",
            "url",
            "pages_url",
            "download_url",
        ]
        read_only_fields = fields

    def _absolute(self, path: str) -> str:
        http_request = self.context.get("request")
        return http_request.build_absolute_uri(path) if http_request else path

    def to_representation(self, document: Document) -> dict:
        """The title and file name as the caller knows the document: those of
        their own upload when they sent bytes someone had uploaded before."""
        data = super().to_representation(document)
        names = (self.context.get("names") or {}).get(document.pk)
        if names is not None:
            data["title"], data["original_name"] = names.title, names.original_name
        elif hasattr(document, "shown_title"):
            data["title"] = document.shown_title
            data["original_name"] = document.shown_name
        return data

    def get_error_detail(self, document: Document) -> str:
        if "viewer_is_editor" not in self.context:
            http_request = self.context.get("request")
            user = getattr(http_request, "user", None)
            self.context["viewer_is_editor"] = services.is_editor(user)
        return document.error_detail if self.context["viewer_is_editor"] else ""

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_linked_requests(self, document: Document) -> list[int]:
        # Links are prefetched by the views; most documents have none, and then
        # no query is made.
        linked = {
            link.request_id
            for link in document.links.all()
            if link.request_id and link.request_id != document.request_id
        }
        if not linked:
            return []
        http_request = self.context.get("request")
        user = getattr(http_request, "user", None)
        return sorted(
            FoiaRequest.objects.visible_to(user)
            .filter(pk__in=linked)
            .values_list("pk", flat=True)
        )

    @extend_schema_field(ArchiveMemberSerializer(many=True, allow_null=True))
    def get_members(self, document: Document) -> list[dict] | None:
        if not document.is_archive:
            return None
        return ArchiveMemberSerializer(document.members.all(), many=True).data

    def get_url(self, document: Document) -> str:
        return self._absolute(document.get_absolute_url())

    def get_pages_url(self, document: Document) -> str:
        return self._absolute(reverse("api-document-pages", args=[document.pk]))

    def get_download_url(self, document: Document) -> str:
        return self._absolute(
            reverse("documents:document_download", args=[document.pk])
        )


class DocumentPageSerializer(serializers.ModelSerializer):
    exemptions = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text='Exemption codes cited on the page: "b6", "b7c", ...',
    )
    confidence = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="Mean OCR word confidence, 0-100; null for a text layer.",
    )
    url = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Page
        fields = [
            "number",
            "state",
            "text",
            "source",
            "confidence",
            "exemptions",
            "error",
            "url",
            "image_url",
            "thumbnail_url",
        ]
        read_only_fields = fields

    def _absolute(self, name: str, page: Page) -> str:
        path = reverse(name, args=[page.document_id, page.number])
        http_request = self.context.get("request")
        return http_request.build_absolute_uri(path) if http_request else path

    def get_url(self, page: Page) -> str:
        return self._absolute("documents:page_detail", page)

    def get_image_url(self, page: Page) -> str:
        return self._absolute("documents:page_image", page)

    def get_thumbnail_url(self, page: Page) -> str | None:
        if not page.thumbnail:
            return None
        return self._absolute("documents:page_thumbnail", page)


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        allow_empty=False,
        help_text="One or more files (repeat the field): PDF, TIFF, PNG, JPEG or ZIP.",
    )
    request = serializers.PrimaryKeyRelatedField(
        queryset=FoiaRequest.objects.none(), required=False, allow_null=True
    )
    communication = serializers.PrimaryKeyRelatedField(
        queryset=Communication.objects.none(), required=False, allow_null=True
    )
    languages = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Tesseract languages for OCR, such as eng+spa; empty: the default.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # No file is needed when every file sent was over the size limit: those
        # are reported as rejected.
        self.fields["file"].required = self.context.get("files_required", True)
        http_request = self.context.get("request")
        user = getattr(http_request, "user", None)
        visible = FoiaRequest.objects.visible_to(user)
        self.fields["request"].queryset = visible
        self.fields["communication"].queryset = Communication.objects.filter(
            request__in=visible.values("pk")
        )

    def validate_languages(self, value: str) -> str:
        try:
            return intake.check_languages(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error

    def validate(self, data: dict) -> dict:
        request_obj, communication = data.get("request"), data.get("communication")
        if communication is not None:
            if request_obj is not None and communication.request_id != request_obj.pk:
                raise serializers.ValidationError(
                    {"communication": "That communication belongs to another request."}
                )
            data["request"] = communication.request
        return data


class DocumentIngestResultSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The file's name.")
    outcome = serializers.ChoiceField(choices=["queued", "duplicate", "rejected"])
    detail = serializers.CharField(help_text="Why it was rejected, or what it dupes.")
    document = DocumentSerializer(allow_null=True)


class DocumentUploadResponseSerializer(serializers.Serializer):
    documents = DocumentSerializer(many=True)
    results = DocumentIngestResultSerializer(many=True)


class DocumentUploadErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    results = DocumentIngestResultSerializer(many=True, required=False)


class DocumentErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class DocumentRetrySerializer(serializers.Serializer):
    pages = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="Pages to run again; omit to retry a failed document whole.",
    )
    languages = serializers.CharField(required=False, allow_blank=True)


# --- views -------------------------------------------------------------------------


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for name, value in errors.items():
            text = _first_message(value)
            if text:
                return text if name == "non_field_errors" else f"{name}: {text}"
        return ""
    if isinstance(errors, list):
        return next((text for text in map(_first_message, errors) if text), "")
    return str(errors)


def _invalid(errors) -> Response:
    return Response(
        {"detail": _first_message(errors), **errors}, status=status.HTTP_400_BAD_REQUEST
    )


def _visible_document(http_request: Request, pk: int) -> Document:
    return get_object_or_404(Document.objects.visible_to(http_request.user), pk=pk)


class DocumentListCreateApi(generics.ListAPIView):
    """Documents you may see, newest first; POST uploads new ones."""

    serializer_class = DocumentSerializer
    queryset = Document.objects.none()
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        filters = DocumentFilterForm(self.request.query_params)
        if not filters.is_valid():
            raise ValidationError(
                {name: list(messages) for name, messages in filters.errors.items()}
            )
        return selectors.document_list(
            user=self.request.user,
            state=filters.cleaned_data["state"],
            request_id=filters.cleaned_data["request"],
        ).prefetch_related("links", "members")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "state", str, enum=[choice for choice, _ in Document.State.choices]
            ),
            OpenApiParameter("request", int, description="only this request's"),
        ]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={
            201: DocumentUploadResponseSerializer,
            200: DocumentUploadResponseSerializer,
            400: DocumentUploadErrorSerializer,
            403: DocumentErrorSerializer,
        },
        description=(
            "Upload one or more files. 201 when at least one new document was "
            "queued, 200 when every file had been uploaded before (each is linked "
            "to the request given), 400 with a `detail` when nothing was taken. "
            "A file over the size limit is refused as it arrives (outcome "
            "`rejected`); the others are still taken. A ZIP archive is one "
            "document of kind `zip`, unpacked in the background: its `members` "
            "then say what became of each file in it."
        ),
    )
    def initialize_request(self, request, *args, **kwargs):
        if request.method == "POST":
            # Before authentication (a session's CSRF check) reads the body.
            uploads.limit_upload_size(request)
        return super().initialize_request(request, *args, **kwargs)

    def post(self, request: Request, *args, **kwargs) -> Response:
        too_large = uploads.too_large_results(request)
        upload = DocumentUploadSerializer(
            data=request.data,
            context={"request": request, "files_required": not too_large},
        )
        if not upload.is_valid():
            return _invalid(upload.errors)
        data = upload.validated_data
        try:
            services.check_can_upload(user=request.user, request=data.get("request"))
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        results: list[services.IngestResult] = list(too_large)
        for upload_file in data.get("file", []):
            results += services.document_ingest(
                fileobj=upload_file,
                name=upload_file.name,
                uploaded_by=request.user,
                request=data.get("request"),
                communication=data.get("communication"),
                languages=data["languages"],
            )
        names = {}
        for result in results:
            if result.document is not None:
                names.setdefault(
                    result.document.pk,
                    selectors.DocumentNames(
                        result.title or result.document.title,
                        intake.clean_name(result.name),
                    ),
                )
        context = {"request": request, "names": names}
        shown = [
            {
                "name": result.name,
                "outcome": result.state,
                "detail": result.reason,
                "document": DocumentSerializer(result.document, context=context).data
                if result.document
                else None,
            }
            for result in results
        ]
        documents = list(
            {
                result.document.pk: result.document
                for result in results
                if result.document
            }.values()
        )
        if not documents:
            return Response(
                {
                    "detail": results[0].reason if results else "Nothing was uploaded.",
                    "results": shown,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        created = any(result.state == "queued" for result in results)
        return Response(
            {
                "documents": DocumentSerializer(
                    documents, many=True, context=context
                ).data,
                "results": shown,
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class DocumentDetailApi(generics.RetrieveDestroyAPIView):
    """One document: its state, pages done, the failure reason, where it came from."""

    serializer_class = DocumentSerializer
    queryset = Document.objects.none()

    def get_object(self) -> Document:
        return _visible_document(self.request, self.kwargs["pk"])

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        document = self.get_object()
        access_record(
            user=request.user,
            action="view_document",
            http_request=request,
            request_id=document.request_id,
            document_id=document.pk,
        )
        names = selectors.document_names(document=document, user=request.user)
        serializer = DocumentSerializer(
            document,
            context={**self.get_serializer_context(), "names": {document.pk: names}},
        )
        return Response(serializer.data)

    @extend_schema(
        responses={
            204: None,
            403: DocumentErrorSerializer,
            404: DocumentErrorSerializer,
        }
    )
    def destroy(self, request: Request, *args, **kwargs) -> Response:
        document = self.get_object()
        try:
            services.document_delete(document=document, user=request.user)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentPagesApi(generics.ListAPIView):
    """The pages of a document, in order: text, where it came from, confidence and
    the exemptions cited."""

    serializer_class = DocumentPageSerializer
    queryset = Page.objects.none()

    def get_queryset(self):
        self.document = _visible_document(self.request, self.kwargs["pk"])
        return self.document.pages.order_by("number")

    def list(self, request: Request, *args, **kwargs) -> Response:
        response = super().list(request, *args, **kwargs)
        access_record(
            user=request.user,
            action="view_document",
            http_request=request,
            request_id=self.document.request_id,
            document_id=self.document.pk,
            detail="page texts",
        )
        return response


class DocumentRetryApi(generics.GenericAPIView):
    """Run a failed document again, or re-run some of its pages."""

    serializer_class = DocumentRetrySerializer
    queryset = Document.objects.none()
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=DocumentRetrySerializer,
        responses={
            202: DocumentSerializer,
            400: DocumentErrorSerializer,
            403: DocumentErrorSerializer,
            404: DocumentErrorSerializer,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        document = _visible_document(request, pk)
        retry = DocumentRetrySerializer(data=request.data)
        if not retry.is_valid():
            return _invalid(retry.errors)
        try:
            document = services.document_retry(
                document=document,
                user=request.user,
                pages=retry.validated_data.get("pages"),
                languages=retry.validated_data.get("languages"),
            )
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        except ValueError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        document.refresh_from_db()
        return Response(
            DocumentSerializer(document, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )
