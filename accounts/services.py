"""Writes for accounts: the access log, API tokens and login throttling."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AccessLog, ApiToken

TOKEN_PREFIX_LENGTH = 8


class LoginThrottled(Exception):
    """Too many failed logins for this account or address; wait and retry."""

    def __init__(self, minutes: int) -> None:
        self.minutes = minutes
        super().__init__(
            f"Too many failed attempts. Try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}."
        )


def client_address(http_request: HttpRequest | None) -> str | None:
    if http_request is None:
        return None
    if settings.BEHIND_PROXY:
        forwarded = http_request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return http_request.META.get("REMOTE_ADDR") or None


def _without_nul(value: Any) -> Any:
    """PostgreSQL keeps no NUL character in text or JSON: drop them (they come
    only from odd input, such as a fuzzed query string)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(item) for item in value]
    return value


def access_record(
    *,
    user,
    action: str,
    http_request: HttpRequest | None = None,
    request_id: int | None = None,
    document_id: int | None = None,
    page_number: int | None = None,
    query: str = "",
    filters: dict[str, Any] | None = None,
    result_count: int | None = None,
    detail: str = "",
    via: str = "web",
) -> AccessLog:
    """Record one access: who, when, what, from where."""
    authenticated = user is not None and user.is_authenticated
    agent = ""
    if http_request is not None:
        agent = http_request.META.get("HTTP_USER_AGENT", "")[:255]
        if via == "web" and http_request.path.startswith("/api/"):
            via = "api"
    return AccessLog.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=action,
        request_id=request_id,
        document_id=document_id,
        page_number=page_number,
        query=_without_nul(query[:2000]),
        filters=_without_nul(
            {key: value for key, value in (filters or {}).items() if value}
        ),
        result_count=result_count,
        detail=_without_nul(detail[:255]),
        ip_address=client_address(http_request),
        user_agent=_without_nul(agent),
        via=via,
    )


def access_log_purge(*, now=None) -> int:
    """Delete entries older than the retention setting; returns how many went."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    deleted, _ = AccessLog.objects.filter(at__lt=cutoff).delete()
    return deleted


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Create a token; the returned key is shown once and never stored."""
    name = name.strip()
    if not name:
        raise ValueError("Give the token a name, so you know later what uses it.")
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:80],
        prefix=key[:TOKEN_PREFIX_LENGTH],
        key_hash=_hash_key(key),
    )
    return token, key


def api_token_revoke(*, user, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise PermissionDenied("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(key: str):
    """The user a key belongs to, or None when it is unknown or revoked."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # One write a minute at most, not one per API call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _throttle_keys(username: str, address: str | None) -> list[str]:
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    keys = [f"login-failures:user:{digest}"]
    if address:
        keys.append(f"login-failures:ip:{address}")
    return keys


def login_attempt_check(*, username: str, address: str | None) -> None:
    """Raise ``LoginThrottled`` when this account or address failed too often."""
    limit = settings.LOGIN_FAILURE_LIMIT
    for key in _throttle_keys(username, address):
        # Addresses are shared (a newsroom behind one NAT): allow them more.
        allowed = limit * 4 if ":ip:" in key else limit
        if (cache.get(key) or 0) >= allowed:
            raise LoginThrottled(settings.LOGIN_LOCKOUT_MINUTES)


def login_failure_record(*, username: str, address: str | None) -> None:
    timeout = settings.LOGIN_LOCKOUT_MINUTES * 60
    for key in _throttle_keys(username, address):
        if not cache.add(key, 1, timeout):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout)


def login_success_record(*, username: str, address: str | None) -> None:
    # Only the account's counter: the address may belong to an attacker too.
    cache.delete(_throttle_keys(username, address)[0])
