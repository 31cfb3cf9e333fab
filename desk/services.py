"""Writes for the desk: follow-up letters, digests, calendar tokens, preferences."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from desk import links, selectors
from desk.models import (
    CalendarFeedToken,
    DigestLog,
    DigestPreference,
    FollowUp,
    NewsroomSetting,
)
from foia import permissions
from foia import services as foia_services
from foia.models import (
    AWAITING_AGENCY,
    Channel,
    CommunicationKind,
    Direction,
    FoiaRequest,
)

logger = logging.getLogger(__name__)


class FollowUpError(Exception):
    """A follow-up cannot be sent or dismissed; the message says why."""


# ---------------------------------------------------------------------------
# Follow-ups


def follow_up_letter(*, request: FoiaRequest, today: date) -> tuple[str, str]:
    """(subject, body) of the follow-up letter, from the request's law's template."""
    letter = foia_services.letter_render(kind="follow_up", request=request, today=today)
    return letter.subject[:200], letter.body


def follow_ups_draft(*, today: date | None = None) -> list[FollowUp]:
    """Draft one follow-up per overdue request per missed due date.

    Requests that are withdrawn, closed or otherwise no longer waiting on the
    agency never get one. Safe to run twice: the (request, due date) pair is
    unique. With the newsroom's automatic sending on, each draft is sent at once.
    """
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.FOLLOW_UP_GRACE_DAYS)
    candidates = (
        FoiaRequest.objects.overdue(today=cutoff)
        .filter(status__in=AWAITING_AGENCY)
        .exclude(
            Exists(
                FollowUp.objects.filter(
                    request=OuterRef("pk"), due_on=OuterRef("current_due")
                )
            )
        )
        .select_related("agency", "agency__jurisdiction", "requester")
        .order_by("current_due", "pk")
    )
    auto_send = NewsroomSetting.load().auto_send_follow_ups
    drafted: list[FollowUp] = []
    for request in candidates.iterator(chunk_size=200):
        subject, body = follow_up_letter(request=request, today=today)
        contact = request.agency.contact_agency
        try:
            with transaction.atomic():
                follow_up = FollowUp.objects.create(
                    request=request,
                    due_on=request.current_due,
                    subject=subject,
                    body=body,
                    to_email=contact.foia_email,
                )
        except IntegrityError:
            continue  # another run drafted it first
        drafted.append(follow_up)
        if auto_send and follow_up.to_email:
            try:
                _follow_up_deliver(
                    follow_up=follow_up, user=None, channel=Channel.EMAIL
                )
            except Exception:
                # The draft stays in the queue for a human to send.
                logger.exception(
                    "Automatic follow-up %s could not be sent", follow_up.pk
                )
    return drafted


def _follow_up_deliver(
    *,
    follow_up: FollowUp,
    user,
    channel: str,
    subject: str | None = None,
    body: str | None = None,
) -> FollowUp:
    """Claim a queued follow-up, email it when the channel is email, log it."""
    # As it stands now: the agency may have answered since the draft was made.
    request = FoiaRequest.objects.select_related("agency", "requester").get(
        pk=follow_up.request_id
    )
    if request.status not in AWAITING_AGENCY:
        raise FollowUpError(
            "The request is no longer waiting on the agency; dismiss the follow-up."
        )
    subject = (subject if subject is not None else follow_up.subject).strip()[:200]
    body = body if body is not None else follow_up.body
    to_email = follow_up.to_email or request.agency.contact_agency.foia_email
    if channel == Channel.EMAIL and not to_email:
        raise FollowUpError(
            "The agency has no FOIA email address; send it another way and record "
            "the channel."
        )
    now = timezone.now()
    with transaction.atomic():
        claimed = FollowUp.objects.filter(
            pk=follow_up.pk, state=FollowUp.State.QUEUED
        ).update(
            state=FollowUp.State.SENT,
            sent_at=now,
            sent_by=user,
            channel=channel,
            subject=subject,
            body=body,
            to_email=to_email if channel == Channel.EMAIL else follow_up.to_email,
        )
        if not claimed:
            raise FollowUpError("This follow-up was already sent or dismissed.")
        # Sent automatically, the letter goes out in the requester's name.
        logged = foia_services.communication_log(
            actor=user or request.requester,
            request=request,
            direction=Direction.OUTGOING,
            channel=channel,
            kind=CommunicationKind.FOLLOW_UP,
            sent_on=timezone.localdate(),
            subject=subject,
            body=body,
        )
        FollowUp.objects.filter(pk=follow_up.pk).update(
            communication=logged.communication
        )
        if channel == Channel.EMAIL:
            requester_email = request.requester.email
            message = EmailMultiAlternatives(
                subject=subject,
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[to_email],
                cc=[requester_email] if requester_email else [],
                reply_to=[requester_email] if requester_email else [],
            )
            # Last: when the mail server refuses, the transaction rolls back and
            # the follow-up stays queued.
            message.send()
    follow_up.refresh_from_db()
    return follow_up


def follow_up_send(
    *,
    follow_up: FollowUp,
    user,
    channel: str = Channel.EMAIL,
    subject: str | None = None,
    body: str | None = None,
) -> FollowUp:
    """Send (by email) or record as sent (another channel) a queued follow-up.

    Only the request's requester, its collaborators and editors may.
    """
    permissions.check_can_edit(user, follow_up.request)
    if channel not in Channel.values:
        raise FollowUpError(f"{channel!r} is not a channel.")
    return _follow_up_deliver(
        follow_up=follow_up, user=user, channel=channel, subject=subject, body=body
    )


def follow_up_dismiss(*, follow_up: FollowUp, user) -> FollowUp:
    permissions.check_can_edit(user, follow_up.request)
    dismissed = FollowUp.objects.filter(
        pk=follow_up.pk, state=FollowUp.State.QUEUED
    ).update(
        state=FollowUp.State.DISMISSED, dismissed_at=timezone.now(), dismissed_by=user
    )
    if not dismissed:
        raise FollowUpError("This follow-up was already sent or dismissed.")
    follow_up.refresh_from_db()
    return follow_up


def newsroom_setting_update(*, user, auto_send_follow_ups: bool) -> NewsroomSetting:
    if not permissions.is_manager(user):
        raise PermissionDenied("Only editors and administrators change this setting.")
    setting = NewsroomSetting.load()
    setting.auto_send_follow_ups = auto_send_follow_ups
    setting.save()
    return setting


# ---------------------------------------------------------------------------
# Digests


# What a digest reports, in order. "open" is the desk's total, not news.
DIGEST_KINDS = (
    "overdue",
    "due_soon",
    "waiting_on_us",
    "appeal_windows",
    "appeals_pending",
    "court",
    "documents_failed",
    "documents_processed",
)


@dataclass
class DigestContent:
    user: object
    summary: selectors.DeskSummary
    saved_search_matches: selectors.SearchMatches
    site_url: str

    @property
    def is_empty(self) -> bool:
        counts = self.summary.counts
        return not (
            any(count for kind, count in counts.items() if kind in DIGEST_KINDS)
            or self.saved_search_matches.count
        )


def digest_content(*, user, today: date | None = None) -> DigestContent:
    today = today or timezone.localdate()
    # New matches since the last digest, or since yesterday morning.
    last = DigestLog.objects.filter(user=user, day__lt=today).order_by("-day").first()
    since = (
        last.sent_at
        if last
        else timezone.make_aware(datetime.combine(today - timedelta(days=1), time()))
    )
    return DigestContent(
        user=user,
        summary=selectors.desk_summary(user, today=today, rows_for=DIGEST_KINDS),
        saved_search_matches=selectors.saved_search_matches(user, since),
        site_url=settings.DIGEST_SITE_URL,
    )


def _digest_subject(content: DigestContent) -> str:
    counts = content.summary.counts
    parts = []
    for kind, one, many in (
        ("overdue", "overdue", "overdue"),
        ("due_soon", "due soon", "due soon"),
        ("waiting_on_us", "waiting on us", "waiting on us"),
        ("appeal_windows", "appeal window closing", "appeal windows closing"),
        ("documents_failed", "failed document", "failed documents"),
    ):
        if counts.get(kind):
            parts.append(f"{counts[kind]} {one if counts[kind] == 1 else many}")
    if content.saved_search_matches.count:
        matches = content.saved_search_matches.count
        parts.append(f"{matches} saved-search match{'es' if matches != 1 else ''}")
    day = content.summary.today
    detail = ", ".join(parts) if parts else "nothing needs you"
    return f"FOIA desk for {day:%a %b} {day.day}: {detail}"


def digest_for(*, user, today: date | None = None) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of ``user``'s daily digest."""
    content = digest_content(user=user, today=today)
    return _digest_render(content)


def _digest_render(content: DigestContent) -> tuple[str, str, str]:
    subject = _digest_subject(content)
    context = {
        "subject": subject,
        "recipient": content.user,
        "summary": content.summary,
        "sections": _digest_sections(content),
        "saved_search_matches": content.saved_search_matches,
        "site_url": content.site_url,
        "desk_url": content.site_url + "/desk/",
        "settings_url": content.site_url + "/desk/settings/",
    }
    text = render_to_string("emails/digest.txt", context)
    html = render_to_string("emails/digest.html", context)
    return subject, text, html


@dataclass
class DigestSection:
    kind: str
    title: str
    count: int
    rows: list
    url: str


def _digest_sections(content: DigestContent) -> list[DigestSection]:
    summary = content.summary
    sections = []
    for kind in DIGEST_KINDS:
        if not summary.counts.get(kind):
            continue
        sections.append(
            DigestSection(
                kind=kind,
                title=selectors.DESK_LISTS[kind].title,
                count=summary.counts[kind],
                rows=summary.lists[kind][:5],
                url=content.site_url + links.list_url(kind, scope=summary.scope),
            )
        )
    return sections


def digest_recipients():
    """Active people with an address and a newsroom role who did not opt out."""
    user_model = get_user_model()
    return (
        user_model.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(groups__isnull=False) | Q(is_superuser=True))
        .exclude(digest_preference__daily_digest=False)
        .distinct()
        .order_by("pk")
    )


def digest_send(*, user, today: date | None = None) -> bool:
    """Send ``user`` today's digest unless sent already or empty; True if sent."""
    today = today or timezone.localdate()
    if DigestLog.objects.filter(user=user, day=today).exists():
        return False
    content = digest_content(user=user, today=today)
    if content.is_empty:
        return False
    subject, text, html = _digest_render(content)
    try:
        with transaction.atomic():
            log = DigestLog.objects.create(user=user, day=today, subject=subject)
    except IntegrityError:
        return False  # a concurrent run is sending it
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        # Forget the day, so the next run tries again.
        log.delete()
        raise
    return True


def digest_send_all(*, today: date | None = None) -> int:
    """Send the day's digests to everyone who wants one; returns how many went."""
    today = today or timezone.localdate()
    sent = 0
    for user in digest_recipients():
        try:
            sent += digest_send(user=user, today=today)
        except Exception:
            logger.exception("The digest for user %s could not be sent", user.pk)
    return sent


def digest_preference_set(*, user, daily_digest: bool) -> DigestPreference:
    preference, _ = DigestPreference.objects.update_or_create(
        user=user, defaults={"daily_digest": daily_digest}
    )
    return preference


def wants_digest(user) -> bool:
    preference = DigestPreference.objects.filter(user=user).first()
    return preference.daily_digest if preference else True


# ---------------------------------------------------------------------------
# Calendar feed tokens


def calendar_token_get_or_create(*, user) -> CalendarFeedToken:
    token = CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).first()
    if token is not None:
        return token
    return CalendarFeedToken.objects.create(user=user, token=secrets.token_urlsafe(32))


def calendar_token_revoke(*, user) -> int:
    """Revoke every active feed URL of ``user``; returns how many."""
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def calendar_token_rotate(*, user) -> CalendarFeedToken:
    """A new feed URL; the old one stops working."""
    with transaction.atomic():
        calendar_token_revoke(user=user)
        return CalendarFeedToken.objects.create(
            user=user, token=secrets.token_urlsafe(32)
        )
