from __future__ import annotations

from django.contrib.auth.middleware import LoginRequiredMiddleware

# The read-only public page, and the download of a document shown there. Each of
# these views shows a signed-out visitor only what ``visible_to(AnonymousUser)``
# allows (public, filed, embargo passed) and answers 404 for anything else.
PUBLIC_VIEW_NAMES = frozenset(
    {
        "foia:public_request_list",
        "foia:public_request_detail",
        "documents:document_download",
    }
)


class LoginRequiredForPagesMiddleware(LoginRequiredMiddleware):
    """Sends signed-out visitors of any page to the login page, except the
    public page (``PUBLIC_VIEW_NAMES``).

    The API is left to Django REST Framework, which authenticates tokens inside
    the view and answers 401/403 in JSON instead of redirecting.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in PUBLIC_VIEW_NAMES:
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


# Pages load scripts and styles from this site only; no inline script, no
# inline style, no framing. The admin's own templates use inline styles.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
ADMIN_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


class SecurityHeadersMiddleware:
    """Adds the Content Security Policy and a restrictive Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = (
            ADMIN_CONTENT_SECURITY_POLICY
            if request.path_info.startswith("/admin/")
            else CONTENT_SECURITY_POLICY
        )
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response
