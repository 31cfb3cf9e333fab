"""Requests, the agencies they go to, and the law whose clock they run on.

Models hold data and small derived properties only; every write goes through
``foia.services`` and every non-trivial read through ``foia.selectors``.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, When
from django.urls import reverse
from django.utils import timezone

from foia import deadlines


class Unit(models.TextChoices):
    BUSINESS = "business", "business days"
    CALENDAR = "calendar", "calendar days"


class Jurisdiction(models.Model):
    """Whose law applies, and its statutory clock (see ``foia.deadlines.ClockRule``)."""

    code = models.CharField(max_length=12, unique=True, help_text="US, US-CA, US-NY")
    name = models.CharField(max_length=120)
    response_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty where the law sets no deadline."
    )
    response_unit = models.CharField(
        max_length=10, choices=Unit.choices, default=Unit.BUSINESS
    )
    counts_from = models.CharField(
        max_length=12,
        choices=[("received", "receipt"), ("acknowledged", "acknowledgement")],
        default="received",
    )
    acknowledge_days = models.PositiveSmallIntegerField(null=True, blank=True)
    acknowledge_unit = models.CharField(
        max_length=10, choices=Unit.choices, default=Unit.BUSINESS
    )
    extension_days = models.PositiveSmallIntegerField(null=True, blank=True)
    extension_unit = models.CharField(
        max_length=10, choices=Unit.choices, default=Unit.BUSINESS
    )
    expedite_decision_days = models.PositiveSmallIntegerField(null=True, blank=True)
    appeal_filing_days = models.PositiveSmallIntegerField(null=True, blank=True)
    appeal_filing_unit = models.CharField(
        max_length=10, choices=Unit.choices, default=Unit.CALENDAR
    )
    appeal_decision_days = models.PositiveSmallIntegerField(null=True, blank=True)
    appeal_decision_unit = models.CharField(
        max_length=10, choices=Unit.choices, default=Unit.BUSINESS
    )
    appeal_extension_days = models.PositiveSmallIntegerField(null=True, blank=True)
    appeal_extension_unit = models.CharField(
        max_length=10, choices=Unit.choices, default=Unit.BUSINESS
    )
    roll_forward = models.BooleanField(
        default=False,
        help_text="A calendar-day deadline on a non-working day moves to the next "
        "working day.",
    )
    misdirected_grace_days = models.PositiveSmallIntegerField(null=True, blank=True)
    citations = models.JSONField(
        default=dict, blank=True, help_text="Statute for each rule, by rule name."
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        # The deadline engine is the judge of what a rule may say.
        try:
            self.clock_rule()
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def clock_rule(self) -> deadlines.ClockRule:
        return deadlines.ClockRule(
            code=self.code,
            name=self.name,
            response_days=self.response_days,
            response_unit=self.response_unit,
            counts_from=self.counts_from,
            acknowledge_days=self.acknowledge_days,
            acknowledge_unit=self.acknowledge_unit,
            extension_days=self.extension_days,
            extension_unit=self.extension_unit,
            expedite_decision_days=self.expedite_decision_days,
            appeal_filing_days=self.appeal_filing_days,
            appeal_filing_unit=self.appeal_filing_unit,
            appeal_decision_days=self.appeal_decision_days,
            appeal_decision_unit=self.appeal_decision_unit,
            appeal_extension_days=self.appeal_extension_days,
            appeal_extension_unit=self.appeal_extension_unit,
            roll_forward=self.roll_forward,
            misdirected_grace_days=self.misdirected_grace_days,
            citations=dict(self.citations or {}),
            notes=tuple(line for line in self.notes.splitlines() if line.strip()),
        )

    def holiday_rules(self) -> list[deadlines.HolidayRule]:
        return [holiday.as_rule() for holiday in self.holidays.all()]


class Holiday(models.Model):
    """One legal holiday of a jurisdiction, as a rule that yields a date per year."""

    KIND_CHOICES = [
        ("fixed", "fixed date"),
        ("nth_weekday", "nth weekday of a month"),
        ("relative", "days after another holiday"),
        ("easter", "days after Easter Sunday"),
        ("election_day", "election day"),
    ]
    OBSERVED_CHOICES = [
        ("none", "not moved"),
        ("fri_before_sat_mon_after_sun", "Saturday to Friday, Sunday to Monday"),
        ("mon_after_sun", "Sunday to Monday"),
    ]

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="holidays"
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="0 = Monday ... 6 = Sunday"
    )
    n = models.SmallIntegerField(
        null=True, blank=True, help_text="1 to 5, or -1 for the last"
    )
    base = models.CharField(max_length=120, blank=True)
    offset_days = models.SmallIntegerField(default=0)
    from_year = models.PositiveSmallIntegerField(null=True, blank=True)
    to_year = models.PositiveSmallIntegerField(null=True, blank=True)
    every_n_years = models.PositiveSmallIntegerField(default=1)
    observed = models.CharField(max_length=40, choices=OBSERVED_CHOICES, default="none")
    scope = models.CharField(max_length=60, blank=True)
    counts_as_business_day = models.BooleanField(default=False)
    citation = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["jurisdiction", "month", "day", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.jurisdiction.code})"

    def clean(self) -> None:
        try:
            self.as_rule()
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def as_rule(self) -> deadlines.HolidayRule:
        return deadlines.HolidayRule(
            name=self.name,
            kind=self.kind,
            month=self.month,
            day=self.day,
            weekday=self.weekday,
            n=self.n,
            base=self.base or None,
            offset_days=self.offset_days,
            from_year=self.from_year,
            to_year=self.to_year,
            every_n_years=self.every_n_years,
            observed=self.observed,
            scope=self.scope or None,
            counts_as_business_day=self.counts_as_business_day,
            citation=self.citation,
            note=self.note,
        )


class Agency(models.Model):
    """A body that receives requests; components point at their parent."""

    name = models.CharField(max_length=200)
    abbreviation = models.CharField(max_length=30, blank=True)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="components",
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="agencies"
    )
    foia_email = models.EmailField(blank=True)
    portal_url = models.URLField(blank=True)
    mailing_address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    appeal_authority = models.CharField(
        max_length=200, blank=True, help_text="The office that decides appeals."
    )
    appeal_email = models.EmailField(blank=True)
    appeal_address = models.TextField(blank=True)
    appeal_portal_url = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.abbreviation or self.name

    def get_absolute_url(self) -> str:
        return reverse("foia:agency_detail", args=[self.slug])

    @property
    def display_name(self) -> str:
        if self.abbreviation and self.abbreviation != self.name:
            return f"{self.name} ({self.abbreviation})"
        return self.name

    @property
    def has_contacts(self) -> bool:
        return bool(
            self.foia_email or self.portal_url or self.mailing_address or self.phone
        )

    @property
    def contact_agency(self) -> Agency:
        """This agency, or the nearest parent that publishes FOIA contacts.

        Components such as ICE's OPR take requests through their parent's office.
        """
        agency = self
        seen = set()
        while not agency.has_contacts and agency.parent_id and agency.pk not in seen:
            seen.add(agency.pk)
            agency = agency.parent
        return agency if agency.has_contacts else self

    @property
    def appeal_agency(self) -> Agency:
        """This agency, or the nearest parent that names an appeal authority."""
        agency = self
        seen = set()
        while (
            not agency.appeal_authority and agency.parent_id and agency.pk not in seen
        ):
            seen.add(agency.pk)
            agency = agency.parent
        return agency if agency.appeal_authority else self


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    PROCESSING = "processing", "Processing"
    FIX_REQUIRED = "fix_required", "Fix required"
    PAYMENT_REQUIRED = "payment_required", "Payment required"
    PARTIALLY_RELEASED = "partially_released", "Partially released"
    DONE = "done", "Done"
    PARTIALLY_DENIED = "partially_denied", "Partially denied"
    DENIED = "denied", "Denied"
    NO_RECORDS = "no_records", "No records"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REFERRED = "referred", "Referred"
    APPEALING = "appealing", "Appealing"
    IN_LITIGATION = "in_litigation", "In litigation"
    CLOSED = "closed", "Closed"


# Statuses in which the agency still owes a determination.
AWAITING_AGENCY = (
    Status.SUBMITTED,
    Status.ACKNOWLEDGED,
    Status.PROCESSING,
    Status.PARTIALLY_RELEASED,
)
# Statuses in which the newsroom must act.
WAITING_ON_US = (Status.FIX_REQUIRED, Status.PAYMENT_REQUIRED)
# Adverse determinations that can be appealed.
ADVERSE = (Status.PARTIALLY_DENIED, Status.DENIED, Status.NO_RECORDS)
FINISHED = (Status.DONE, Status.WITHDRAWN, Status.CLOSED, Status.REFERRED)
# Everything not finished and not a draft, spelled out so an index on status
# answers ``status IN (...)``.
OPEN_STATUSES = tuple(
    status for status in Status.values if status not in (*FINISHED, Status.DRAFT)
)


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private (requester, collaborators, editors)"
    NEWSROOM = "newsroom", "Newsroom (every signed-in colleague)"
    PUBLIC = "public", "Public (anyone, read-only)"


class Decision(models.TextChoices):
    NOT_REQUESTED = "not_requested", "Not requested"
    REQUESTED = "requested", "Requested"
    GRANTED = "granted", "Granted"
    DENIED = "denied", "Denied"


class FeeCategory(models.TextChoices):
    NEWS_MEDIA = "news_media", "Representative of the news media"
    EDUCATIONAL = "educational", "Educational or non-commercial scientific"
    COMMERCIAL = "commercial", "Commercial use"
    OTHER = "other", "All other requesters"


class FoiaRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> FoiaRequestQuerySet:
        """Requests ``user`` may see: their own, shared, newsroom-wide or public.

        An embargo keeps a request as if private until its date.
        """
        from foia import roles

        today = timezone.localdate()
        if user is None or not user.is_authenticated:
            return self.filter(
                Q(visibility=Visibility.PUBLIC)
                & (Q(embargo_until__isnull=True) | Q(embargo_until__lte=today))
            ).exclude(status=Status.DRAFT)
        if roles.sees_everything(user):
            return self.all()
        not_embargoed = Q(embargo_until__isnull=True) | Q(embargo_until__lte=today)
        # Through the link table, not a join: a join repeats rows per
        # collaborator and would need DISTINCT (or a subquery) on every list.
        shared_with_user = FoiaRequest.collaborators.through.objects.filter(
            user=user
        ).values("foiarequest_id")
        own = Q(requester=user) | Q(pk__in=shared_with_user)
        if roles.names_of(user):
            shared = Q(visibility__in=(Visibility.NEWSROOM, Visibility.PUBLIC))
        else:
            # Signed in but in no newsroom role: only what the public sees.
            shared = Q(visibility=Visibility.PUBLIC)
        return self.filter(own | (shared & not_embargoed & ~Q(status=Status.DRAFT)))

    def open(self) -> FoiaRequestQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def awaiting_agency(self) -> FoiaRequestQuerySet:
        return self.filter(status__in=AWAITING_AGENCY)

    def overdue(self, *, today: date | None = None) -> FoiaRequestQuerySet:
        """The agency owes a determination and its due date has passed."""
        return self.filter(overdue_condition(today or timezone.localdate()))

    def due_within(
        self, *, days: int, today: date | None = None
    ) -> FoiaRequestQuerySet:
        today = today or timezone.localdate()
        return self.awaiting_agency().filter(
            current_due__gte=today, current_due__lte=today + timedelta(days=days)
        )

    def waiting_on_us(self) -> FoiaRequestQuerySet:
        return self.filter(status__in=WAITING_ON_US)

    def clarification_asked(self) -> FoiaRequestQuerySet:
        """Open, with the clock stopped by the agency's request for information
        that the newsroom has not answered yet."""
        return self.filter(clarification_asked_condition())

    def appeal_window_closing(
        self, *, days: int, today: date | None = None
    ) -> FoiaRequestQuerySet:
        """An adverse determination, not appealed since, whose appeal filing
        window closes within ``days`` days (today included)."""
        today = today or timezone.localdate()
        # Correlated, so only the requests in the window are looked up (on the
        # appeals' request index).
        appealed = Appeal.objects.filter(
            request=OuterRef("pk"), filed_on__gte=OuterRef("adverse_on")
        )
        return self.filter(
            ~Exists(appealed),
            status__in=ADVERSE,
            appeal_filing_due__gte=today,
            appeal_filing_due__lte=today + timedelta(days=days),
        )

    def appeals_pending(self) -> FoiaRequestQuerySet:
        """An appeal is waiting for its decision (a request has one at most)."""
        return self.filter(appeals_pending_condition())

    def appeal_exhausted(self, *, today: date | None = None) -> FoiaRequestQuerySet:
        """The appeal's decision is late, or the appeal was lost and the adverse
        determination stands."""
        return self.filter(appeal_exhausted_condition(today or timezone.localdate()))

    def may_go_to_court(self, *, today: date | None = None) -> FoiaRequestQuerySet:
        """Administrative remedies are exhausted: the agency missed its deadline
        without a determination (constructive exhaustion, 5 U.S.C.
        552(a)(6)(C)(i), ``FoiaRequest.may_go_to_court``), or the appeal is
        exhausted (``appeal_exhausted``). The two never overlap: their statuses
        differ. Requests already in litigation are left out."""
        today = today or timezone.localdate()
        return self.filter(overdue_condition(today) | appeal_exhausted_condition(today))


# The conditions of the methods above, for counting several lists in one query
# (``Count("pk", filter=...)``) with the very rows each method selects. Other
# tables are reached through uncorrelated ``pk__in`` subqueries only, which
# both databases read once per query.


def overdue_condition(today: date) -> Q:
    return Q(status__in=AWAITING_AGENCY, current_due__lt=today)


def clarification_asked_condition() -> Q:
    asked = Toll.objects.filter(kind="information", answered_on__isnull=True)
    return Q(status__in=OPEN_STATUSES, pk__in=asked.values("request_id"))


def appeals_pending_condition() -> Q:
    return Q(pk__in=Appeal.objects.pending().values("request_id"))


def appeal_exhausted_condition(today: date) -> Q:
    late = Appeal.objects.pending().decision_late(today=today)
    lost = Appeal.objects.lost()
    return Q(status=Status.APPEALING, pk__in=late.values("request_id")) | Q(
        status__in=ADVERSE, pk__in=lost.values("request_id")
    )


def appealed_or_asked_condition() -> Q:
    """Requests with an appeal or an unanswered request for information: every
    request that ``clarification_asked_condition``, ``appeals_pending_condition``
    or ``appeal_exhausted_condition`` selects, and more. Counting those
    conditions over these requests alone reads a few rows through the primary
    key instead of testing every request."""
    appealed = Appeal.objects.order_by().values("request_id")
    asked = Toll.objects.filter(kind="information", answered_on__isnull=True)
    return Q(pk__in=appealed.union(asked.order_by().values("request_id")))


class FoiaRequest(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="The records asked for, as sent.")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="foia_requests"
    )
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="shared_foia_requests"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="requests")
    story_url = models.URLField(blank=True)
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    embargo_until = models.DateField(null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="The request this one was split from or referred out of.",
    )
    parent_relation = models.CharField(
        max_length=10,
        blank=True,
        choices=[("split", "Split from"), ("referral", "Referred from")],
    )

    filed_on = models.DateField(null=True, blank=True)
    first_received_on = models.DateField(
        null=True,
        blank=True,
        help_text="First receipt by any component (misdirected requests).",
    )
    received_on = models.DateField(
        null=True, blank=True, help_text="Receipt by the component that will answer."
    )
    acknowledged_on = models.DateField(null=True, blank=True)
    determined_on = models.DateField(null=True, blank=True)
    adverse_on = models.DateField(
        null=True, blank=True, help_text="Date of the adverse determination, if any."
    )
    unusual_circumstances = models.BooleanField(default=False)

    expedited = models.CharField(
        max_length=16, choices=Decision.choices, default=Decision.NOT_REQUESTED
    )
    fee_waiver = models.CharField(
        max_length=16, choices=Decision.choices, default=Decision.NOT_REQUESTED
    )
    fee_category = models.CharField(
        max_length=16, choices=FeeCategory.choices, default=FeeCategory.NEWS_MEDIA
    )
    fee_limit = models.DecimalField(
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Fees agreed to without further approval.",
    )

    # Computed by foia.services from the jurisdiction's clock; stored for queries.
    response_due = models.DateField(null=True, blank=True)
    extended_due = models.DateField(null=True, blank=True)
    expedite_decision_due = models.DateField(null=True, blank=True)
    appeal_filing_due = models.DateField(null=True, blank=True)
    current_due = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="The date the agency's determination is due now.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FoiaRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "request"
        indexes = [
            # The desk's counts: statuses with due-date windows, per requester
            # on a reporter's desk and in each reporter's load.
            models.Index(fields=["status", "current_due"]),
            models.Index(
                fields=["requester", "status", "current_due"],
                name="foia_req_requester_status_due",
            ),
            # Appeal windows closing.
            models.Index(
                fields=["status", "appeal_filing_due"],
                name="foia_req_status_appeal_due",
            ),
            # The request list's default order (-updated_at, -id): its first page
            # is read from the index instead of sorting every visible request.
            models.Index(fields=["updated_at", "id"], name="foia_req_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("foia:request_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in (*FINISHED, Status.DRAFT)

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in AWAITING_AGENCY
            and self.current_due is not None
            and self.current_due < timezone.localdate()
        )

    @property
    def may_go_to_court(self) -> bool:
        """The agency missed its deadline without a determination.

        Under 5 U.S.C. 552(a)(6)(C)(i) the requester is then deemed to have
        exhausted administrative remedies (constructive exhaustion).
        """
        return self.is_overdue

    @property
    def is_embargoed(self) -> bool:
        return self.embargo_until is not None and self.embargo_until > (
            timezone.localdate()
        )


class TrackingNumber(models.Model):
    request = models.ForeignKey(
        FoiaRequest, on_delete=models.CASCADE, related_name="tracking_numbers"
    )
    number = models.CharField(max_length=80)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_on = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_current", "-assigned_on", "-created_at"]

    def __str__(self) -> str:
        return self.number


class Toll(models.Model):
    """The agency stopped the clock to ask something; the answer restarts it."""

    KIND_CHOICES = [
        ("information", "Request for information (once)"),
        ("fee", "Fee clarification"),
    ]
    request = models.ForeignKey(
        FoiaRequest, on_delete=models.CASCADE, related_name="tolls"
    )
    kind = models.CharField(max_length=12, choices=KIND_CHOICES)
    asked_on = models.DateField()
    answered_on = models.DateField(null=True, blank=True)
    communication = models.ForeignKey(
        "Communication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["asked_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.asked_on}"


class Fee(models.Model):
    KIND_CHOICES = [
        ("estimate", "Estimate"),
        ("invoice", "Invoice"),
        ("payment", "Payment"),
    ]
    request = models.ForeignKey(
        FoiaRequest, on_delete=models.CASCADE, related_name="fees"
    )
    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    on = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ${self.amount}"


class Direction(models.TextChoices):
    INCOMING = "in", "From the agency"
    OUTGOING = "out", "To the agency"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PORTAL = "portal", "Portal"
    MAIL = "mail", "Mail"
    FAX = "fax", "Fax"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"


class CommunicationKind(models.TextChoices):
    REQUEST = "request", "Request"
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
    EXTENSION_NOTICE = "extension_notice", "Extension notice"
    CLARIFICATION = "clarification", "Clarification request"
    FEE_LETTER = "fee_letter", "Fee letter"
    REPLY = "reply", "Our reply (resumes a stopped clock)"
    INTERIM_RELEASE = "interim_release", "Interim release"
    FINAL_RESPONSE = "final_response", "Final response"
    DENIAL = "denial", "Denial"
    NO_RECORDS = "no_records", "No records"
    APPEAL = "appeal", "Appeal"
    APPEAL_DECISION = "appeal_decision", "Appeal decision"
    FOLLOW_UP = "follow_up", "Follow-up"
    NOTE = "note", "Note"


class Communication(models.Model):
    request = models.ForeignKey(
        FoiaRequest, on_delete=models.CASCADE, related_name="communications"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    kind = models.CharField(max_length=20, choices=CommunicationKind.choices)
    sent_on = models.DateField()
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.sent_on})"

    def get_absolute_url(self) -> str:
        return f"{self.request.get_absolute_url()}#communication-{self.pk}"


class RequestEvent(models.Model):
    """One line of a request's timeline: who did what, when, and why."""

    KIND_CHOICES = [
        ("created", "Created"),
        ("status", "Status changed"),
        ("deadline", "Deadline changed"),
        ("communication", "Communication logged"),
        ("toll", "Clock stopped or resumed"),
        ("appeal", "Appeal"),
        ("tracking", "Tracking number"),
        ("fee", "Fee"),
        ("edit", "Details edited"),
        ("document", "Document"),
        ("embargo", "Embargo"),
    ]
    request = models.ForeignKey(
        FoiaRequest, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=16, choices=KIND_CHOICES)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    from_value = models.CharField(max_length=60, blank=True)
    to_value = models.CharField(max_length=60, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message}"


class AppealBasis(models.TextChoices):
    ADVERSE = "adverse", "Adverse determination"
    CONSTRUCTIVE = "constructive", "Constructive denial (deadline missed)"


class AppealOutcome(models.TextChoices):
    PENDING = "pending", "Pending"
    GRANTED = "granted", "Granted"
    PARTLY_GRANTED = "partly_granted", "Partly granted"
    DENIED = "denied", "Denied"
    REMANDED = "remanded", "Remanded"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AppealQuerySet(models.QuerySet):
    def pending(self) -> AppealQuerySet:
        return self.filter(outcome=AppealOutcome.PENDING)

    def lost(self) -> AppealQuerySet:
        """Decided against the requester, in whole or in part."""
        return self.filter(
            outcome__in=(AppealOutcome.DENIED, AppealOutcome.PARTLY_GRANTED)
        )

    def with_decision_due(self) -> AppealQuerySet:
        """Annotated with ``due``, the decision date in effect (as
        ``Appeal.current_decision_due``)."""
        return self.annotate(due=_appeal_decision_due())

    def decision_late(self, *, today: date | None = None) -> AppealQuerySet:
        today = today or timezone.localdate()
        return self.alias(late_due=_appeal_decision_due()).filter(late_due__lt=today)


def _appeal_decision_due() -> Case:
    return Case(
        When(
            unusual_circumstances=True,
            decision_extended_due__isnull=False,
            then=F("decision_extended_due"),
        ),
        default=F("decision_due"),
    )


class Appeal(models.Model):
    request = models.ForeignKey(
        FoiaRequest, on_delete=models.CASCADE, related_name="appeals"
    )
    basis = models.CharField(max_length=14, choices=AppealBasis.choices)
    filed_on = models.DateField()
    received_on = models.DateField(null=True, blank=True)
    unusual_circumstances = models.BooleanField(default=False)
    contested_exemptions = models.JSONField(default=list, blank=True)
    grounds = models.TextField(blank=True)
    tracking_number = models.CharField(max_length=80, blank=True)
    decision_due = models.DateField(null=True, blank=True)
    decision_extended_due = models.DateField(null=True, blank=True)
    outcome = models.CharField(
        max_length=16, choices=AppealOutcome.choices, default=AppealOutcome.PENDING
    )
    decided_on = models.DateField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    from_status = models.CharField(
        max_length=24,
        choices=Status.choices,
        blank=True,
        help_text="The request's status when the appeal was filed; a denied or "
        "withdrawn appeal returns the request to it.",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_on"]

    def __str__(self) -> str:
        return f"Appeal of {self.request} ({self.filed_on})"

    @property
    def is_pending(self) -> bool:
        return self.outcome == AppealOutcome.PENDING

    @property
    def current_decision_due(self) -> date | None:
        if self.unusual_circumstances and self.decision_extended_due:
            return self.decision_extended_due
        return self.decision_due

    @property
    def is_overdue(self) -> bool:
        due = self.current_decision_due
        return self.is_pending and due is not None and due < timezone.localdate()

    @property
    def contested_exemption_labels(self) -> list[str]:
        from foia.exemptions import exemption_label

        return [exemption_label(code) for code in self.contested_exemptions]


class LetterTemplate(models.Model):
    KIND_CHOICES = [
        ("request", "Request letter"),
        ("follow_up", "Follow-up on an overdue request"),
        ("appeal", "Appeal letter"),
    ]
    kind = models.CharField(max_length=12, choices=KIND_CHOICES)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="letter_templates",
        help_text="Empty: used where no jurisdiction has its own.",
    )
    name = models.CharField(max_length=120)
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Django template syntax; see the help page.")

    class Meta:
        ordering = ["kind", "jurisdiction__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "jurisdiction"], name="one_template_per_kind_and_law"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.template import Template, TemplateSyntaxError

        for field in ("subject", "body"):
            try:
                Template(getattr(self, field))
            except TemplateSyntaxError as error:
                raise ValidationError({field: f"Template error: {error}"}) from error
