"""Document pages: list, upload, the document with its progress, the page viewer,
and the permission-checked files behind them (originals, page images,
thumbnails are never served from a public URL)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.services import access_record
from documents import conf, highlight, intake, pipeline, selectors, services, uploads
from documents.forms import DocumentFilterForm, RetryPagesForm, UploadForm
from documents.models import Document, Page

IMAGE_CACHE = "private, max-age=3600"


def _document_or_404(user, document_id: int) -> Document:
    return get_object_or_404(
        Document.objects.visible_to(user).select_related("request", "communication"),
        pk=document_id,
    )


def _page_or_404(document: Document, number: int) -> Page:
    return get_object_or_404(Page, document=document, number=number)


def _may_upload(user) -> bool:
    try:
        services.check_can_upload(user=user)
    except PermissionDenied:
        return False
    return True


def document_list(request: HttpRequest) -> HttpResponse:
    form = DocumentFilterForm(request.GET or None)
    state, request_id = "", None
    if form.is_valid():
        state = form.cleaned_data["state"]
        request_id = form.cleaned_data["request"]
    documents = selectors.document_list(
        user=request.user, state=state, request_id=request_id
    )
    page = Paginator(documents, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "documents/document_list.html",
        {
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "can_upload": _may_upload(request.user),
        },
    )


@uploads.size_limited
def upload(request: HttpRequest) -> HttpResponse:
    services.check_can_upload(user=request.user)
    if request.method != "POST":
        form = UploadForm(user=request.user)
        return render(request, "documents/upload.html", {"form": form})
    # Files over the size limit were skipped while they arrived.
    too_large = uploads.too_large_results(request)
    form = UploadForm(
        request.POST, request.FILES, user=request.user, files_required=not too_large
    )
    if not form.is_valid():
        return render(request, "documents/upload.html", {"form": form}, status=400)
    request_obj = form.cleaned_data["request"]
    communication = form.cleaned_data["communication"]
    if communication is not None and request_obj is None:
        request_obj = communication.request
    services.check_can_upload(user=request.user, request=request_obj)
    results = list(too_large)
    for upload_file in form.cleaned_data["files"]:
        results += services.document_ingest(
            fileobj=upload_file,
            name=upload_file.name,
            uploaded_by=request.user,
            request=request_obj,
            communication=communication,
            languages=form.cleaned_data["languages"],
        )
    _report_results(request, results)
    return _after_upload(request, form.cleaned_data["next"], results, request_obj)


def _report_results(request: HttpRequest, results: list[services.IngestResult]):
    queued = [result for result in results if result.state == "queued"]
    if queued:
        messages.success(
            request,
            f"{len(queued)} file{'s' if len(queued) != 1 else ''} uploaded; the "
            "pages are being read.",
        )
    for result in results:
        if result.state == "queued" and result.document.is_archive:
            messages.info(
                request,
                f"{result.name}: this ZIP archive is being unpacked; each file in "
                "it becomes a document of its own.",
            )
        elif result.state == "duplicate":
            messages.info(request, f"{result.name}: {result.reason}")
        elif result.state == "rejected":
            messages.error(request, f"{result.name}: {result.reason}")


def _after_upload(request, next_url: str, results, request_obj) -> HttpResponse:
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(next_url)
    documents = [result.document for result in results if result.document]
    if len(documents) == 1:
        return redirect(documents[0])
    url = reverse("documents:document_list")
    if request_obj is not None:
        url += f"?request={request_obj.pk}"
    return HttpResponseRedirect(url)


def _url(obj) -> str | None:
    """The object's page, or None while the app that shows it has no such page."""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return None


def _detail_context(request: HttpRequest, document: Document) -> dict:
    can_edit = services.can_edit_document(user=request.user, document=document)
    arrivals = selectors.document_arrivals(document=document, user=request.user)
    for arrival in arrivals:
        arrival["request_url"] = _url(arrival["request"])
        arrival["communication_url"] = (
            _url(arrival["communication"]) if arrival["communication"] else None
        )
    return {
        "document": document,
        "names": selectors.document_names(document=document, user=request.user),
        "can_edit": can_edit,
        "show_detail": services.is_editor(request.user),
        "arrivals": arrivals,
        "archive": selectors.archive_of(document=document, user=request.user),
    }


def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document_or_404(request.user, document_id)
    access_record(
        user=request.user,
        action="view_document",
        http_request=request,
        request_id=document.request_id,
        document_id=document.pk,
    )
    context = _detail_context(request, document)
    if document.is_archive:
        context["entries"] = selectors.archive_entries(
            archive=document, user=request.user
        )
        return render(request, "documents/document_detail.html", context)
    context["pages"] = selectors.page_list(document=document)
    if context["can_edit"] and document.is_finished:
        context["weak_pages"] = list(
            services.weak_pages(document).values_list("number", flat=True)
        )
        context["weak_confidence"] = conf.weak_page_confidence()
    return render(request, "documents/document_detail.html", context)


def document_progress(request: HttpRequest, document_id: int) -> HttpResponse:
    """The progress partial htmx polls while the document is being processed."""
    document = _document_or_404(request.user, document_id)
    response = render(
        request,
        "documents/_progress.html",
        {"document": document, "show_detail": services.is_editor(request.user)},
    )
    if request.GET.get("polling") and document.is_finished:
        # The page was showing progress: reload it to show the pages.
        response["HX-Refresh"] = "true"
    return response


def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    document = _document_or_404(request.user, document_id)
    try:
        original = default_storage.open(document.original.name, "rb")
    except OSError as error:
        raise Http404("The stored file is missing.") from error
    access_record(
        user=request.user,
        action="download",
        http_request=request,
        request_id=document.request_id,
        document_id=document.pk,
    )
    names = selectors.document_names(document=document, user=request.user)
    response = FileResponse(
        original,
        as_attachment=True,
        filename=intake.download_name(
            names.original_name or names.title, document.kind
        ),
        content_type=intake.CONTENT_TYPES.get(
            document.kind, "application/octet-stream"
        ),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def document_retry(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document_or_404(request.user, document_id)
    try:
        services.document_retry(document=document, user=request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Processing started again.")
    return redirect(document)


@require_POST
def pages_retry(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document_or_404(request.user, document_id)
    services.check_can_edit_document(user=request.user, document=document)
    form = RetryPagesForm(
        request.POST,
        page_numbers=list(document.pages.values_list("number", flat=True)),
    )
    if not form.is_valid():
        messages.error(request, "Choose pages of this document to run again.")
        return redirect(document)
    languages = form.cleaned_data["languages"] or None
    try:
        services.document_retry(
            document=document,
            user=request.user,
            pages=form.cleaned_data["pages"],
            languages=languages,
        )
    except ValueError as error:
        messages.error(request, str(error))
    else:
        count = len(form.cleaned_data["pages"])
        messages.success(
            request, f"{count} page{'s' if count != 1 else ''} will be read again."
        )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(back)
    return redirect(document)


@require_POST
def document_delete(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document_or_404(request.user, document_id)
    title = document.title
    services.document_delete(document=document, user=request.user)
    messages.success(request, f"“{title}” was deleted.")
    return redirect("documents:document_list")


def page_detail(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    document = _document_or_404(request.user, document_id)
    page = _page_or_404(document, number)
    query = request.GET.get("q", "").strip()[:200]
    access_record(
        user=request.user,
        action="view_page",
        http_request=request,
        request_id=document.request_id,
        document_id=document.pk,
        page_number=page.number,
        query=query,
    )
    context = _detail_context(request, document)
    found = highlight.page_highlights(page, query) if query else None
    context.update(
        {
            "page": page,
            "query": query,
            "query_label": highlight.query_label(query),
            "boxes": found.boxes if found else [],
            "marked_text": found.marked_text if found else None,
            "match_count": found.match_count if found else 0,
            "previous_number": number - 1 if number > 1 else None,
            "next_number": number + 1
            if document.page_count and number < document.page_count
            else None,
            "is_weak": page.state == Page.State.FAILED
            or (
                page.source == Page.Source.OCR
                and page.confidence is not None
                and page.confidence < conf.weak_page_confidence()
            ),
        }
    )
    return render(request, "documents/page_detail.html", context)


def page_image(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    """The page as a JPEG, upright as it was read (word boxes fit it), rendered
    from the original on first view and kept."""
    document = _document_or_404(request.user, document_id)
    page = _page_or_404(document, number)
    if not page.preview:
        try:
            content = _render_preview(document, page)
        except pipeline.ProcessingError as error:
            raise Http404(error.reason) from error
        services.page_preview_store(page=page, content=content)
    try:
        image = default_storage.open(page.preview.name, "rb")
    except OSError as error:
        raise Http404("The page image is missing.") from error
    response = FileResponse(image, content_type="image/jpeg")
    response["Cache-Control"] = IMAGE_CACHE
    return response


def _render_preview(document: Document, page: Page) -> bytes:
    with services.open_source(document) as source:
        image = pipeline.render_page(
            source,
            page.number - 1,
            dpi=conf.preview_dpi(),
            max_pixels=conf.preview_max_pixels(),
        )
    if page.rotated:
        # PIL turns counter-clockwise; the page was read turned clockwise.
        image = image.rotate(-page.rotated, expand=True)
    out = io.BytesIO()
    image.convert("L").save(out, format="JPEG", quality=80, optimize=True)
    return out.getvalue()


def page_thumbnail(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    document = _document_or_404(request.user, document_id)
    page = _page_or_404(document, number)
    if not page.thumbnail:
        raise Http404("This page has no thumbnail yet.")
    try:
        thumbnail = default_storage.open(page.thumbnail.name, "rb")
    except OSError as error:
        raise Http404("The thumbnail is missing.") from error
    response = FileResponse(thumbnail, content_type=pipeline.THUMBNAIL_CONTENT_TYPE)
    response["Cache-Control"] = IMAGE_CACHE
    return response
