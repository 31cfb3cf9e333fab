"""Refusing a file over the size limit while it arrives, not once it is all here.

Django reads a multipart body before the view runs, spooling each file to a
temporary file. ``SizeLimitUploadHandler``, put first among a request's upload
handlers, counts each file's bytes as they come and skips the file as soon as it
passes ``UPLOAD_MAX_BYTES``: the handlers after it never get the chunk that
crosses the limit, Django closes (and so deletes) the file's temporary file and
reads past the rest of it, and the files after it in the same request are still
taken. Reading past rather than dropping the connection lets a browser show the
answer that names the file.

The handler must be installed before anything reads ``request.POST`` or
``request.FILES``, and the CSRF middleware reads them: hence ``size_limited``,
which makes a view CSRF-exempt outside and checks CSRF inside, after installing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from documents import conf, services


class SizeLimitUploadHandler(FileUploadHandler):
    """Skips each uploaded file that grows past ``max_bytes``, remembering its
    name in ``too_large``."""

    def __init__(self, request=None, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_large: list[str] = []

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        # ``start`` counts the bytes of this file already received.
        if start + len(raw_data) > self.max_bytes:
            self.too_large.append(self.file_name or "upload")
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        # The handlers after this one store the file.
        return None


def limit_upload_size(request: HttpRequest) -> SizeLimitUploadHandler:
    """Put the size check first among ``request``'s upload handlers.

    Raises AttributeError when the body has been read already (Django's own
    message says so)."""
    handler = SizeLimitUploadHandler(request, max_bytes=conf.upload_max_bytes())
    request.upload_handlers = [handler, *request.upload_handlers]
    return handler


def too_large_results(request) -> list[services.IngestResult]:
    """A rejected result for each file of ``request`` skipped for its size (a
    Django request, or a REST framework one wrapping it). Reads the body if
    nothing has yet."""
    request.FILES  # noqa: B018 - parsing the body is what skips files
    for handler in getattr(request, "upload_handlers", ()):
        if isinstance(handler, SizeLimitUploadHandler):
            return [services.upload_too_large(name=name) for name in handler.too_large]
    return []


def size_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view that takes uploads: the size check is installed before
    the body is read, and CSRF is still checked (after it)."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST":
            limit_upload_size(request)
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)
