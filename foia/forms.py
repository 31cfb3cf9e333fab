"""Forms for the request pages. They validate input; services decide and write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from foia import selectors, services
from foia.exemptions import EXEMPTIONS, exemption_label
from foia.models import (
    Agency,
    AppealBasis,
    AppealOutcome,
    Channel,
    CommunicationKind,
    Decision,
    Direction,
    Fee,
    FeeCategory,
    Status,
    Visibility,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(
    label: str, *, required: bool = False, help_text: str = ""
) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=DateInput(), help_text=help_text
    )


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, next to the fields it names."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        parent = f" — {obj.parent}" if obj.parent_id else ""
        return f"{obj.display_name}{parent} [{obj.jurisdiction.code}]"


def _agency_field(**kwargs) -> AgencyChoiceField:
    return AgencyChoiceField(
        queryset=Agency.objects.filter(is_active=True).select_related(
            "parent", "jurisdiction"
        ),
        **kwargs,
    )


class FlagInput(forms.CheckboxInput):
    """A checkbox read from a query string, where links may spell "off" as 0."""

    OFF = frozenset({"", "0", "off", "no", "false"})

    def value_from_datadict(self, data, files, name) -> bool:
        value = data.get(name)
        if isinstance(value, str) and value.strip().lower() in self.OFF:
            return False
        return super().value_from_datadict(data, files, name)


class RequestFilterForm(forms.Form):
    """The request list's filters, read from the query string."""

    q = forms.CharField(label="Text", required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status")]
        + list(selectors.STATUS_GROUPS.items())
        + list(Status.choices),
    )
    agency = forms.ModelChoiceField(
        label="Agency",
        required=False,
        queryset=Agency.objects.order_by("name"),
        to_field_name="slug",
        empty_label="Any agency",
    )
    requester = forms.ChoiceField(label="Requester", required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False, widget=FlagInput)
    due_within = forms.IntegerField(
        label="Due within (days)", required=False, min_value=0, max_value=365
    )
    clarification_asked = forms.BooleanField(
        label="Clarification asked",
        required=False,
        widget=FlagInput,
        help_text="The agency stopped the clock to ask us something.",
    )
    appeal_window_within = forms.IntegerField(
        label="Appeal window closes within (days)",
        required=False,
        min_value=0,
        max_value=365,
        help_text="Adverse determinations not appealed yet.",
    )
    appeals_pending = forms.BooleanField(
        label="Appeal pending", required=False, widget=FlagInput
    )
    may_go_to_court = forms.BooleanField(
        label="May go to court",
        required=False,
        widget=FlagInput,
        help_text="The deadline or the appeal decision date passed, or the "
        "appeal was lost.",
    )
    tag = forms.CharField(label="Tag", required=False)
    sort = forms.ChoiceField(
        label="Sort",
        required=False,
        choices=[(key, label) for key, (label, _order) in selectors.SORTS.items()],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["sort"].initial = selectors.DEFAULT_SORT
        if self.is_bound and not self.data.get("sort"):
            self.data = self.data.copy()
            self.data["sort"] = selectors.DEFAULT_SORT
        people = selectors.requesters_for(user)
        self._people = {person.get_username(): person for person in people}
        self.fields["requester"].choices = [
            ("", "Anyone"),
            ("me", "Me"),
            *[(name, name) for name in self._people],
        ]

    def filters(self) -> selectors.RequestFilters:
        """The filters to apply; invalid values are ignored, not fatal."""
        data = self.cleaned_data if self.is_valid() else {}
        requester = None
        who = data.get("requester") or ""
        if who == "me":
            requester = self.user
        elif who:
            requester = self._people.get(who)
        status = data.get("status") or ""
        return selectors.RequestFilters(
            statuses=[status] if status else [],
            agency=data.get("agency"),
            requester=requester,
            overdue=bool(data.get("overdue")),
            due_within=data.get("due_within"),
            clarification_asked=bool(data.get("clarification_asked")),
            appeal_window_within=data.get("appeal_window_within"),
            appeals_pending=bool(data.get("appeals_pending")),
            may_go_to_court=bool(data.get("may_go_to_court")),
            tag=(data.get("tag") or "").strip(),
            text=(data.get("q") or "").strip(),
            sort=data.get("sort") or selectors.DEFAULT_SORT,
        )


class RequestForm(forms.Form):
    """Filing a request, or editing its details."""

    title = forms.CharField(max_length=200)
    agency = _agency_field()
    body = forms.CharField(
        label="Records requested",
        widget=forms.Textarea,
        help_text="What is asked for, as sent to the agency.",
    )
    filed_on = _date(
        "Filed on", help_text="Leave empty to keep the request as a draft."
    )
    received_on = _date(
        "Received by the agency",
        help_text="Empty: the day it was filed (email and portal requests).",
    )
    first_received_on = _date(
        "First received by another component",
        help_text="Only for a request sent to the wrong component first.",
    )
    acknowledged_on = _date("Acknowledged on")
    tracking_number = forms.CharField(max_length=80, required=False)
    expedited = forms.ChoiceField(
        label="Expedited processing", choices=Decision.choices
    )
    fee_waiver = forms.ChoiceField(label="Fee waiver", choices=Decision.choices)
    fee_category = forms.ChoiceField(choices=FeeCategory.choices)
    fee_limit = forms.DecimalField(
        label="Fees agreed up to ($)",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
    )
    collaborators = forms.ModelMultipleChoiceField(
        queryset=services.users_who_can_collaborate(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        required=False, help_text="Separated by commas: ice, misconduct"
    )
    story_url = forms.URLField(
        label="Story link", required=False, assume_scheme="https"
    )
    visibility = forms.ChoiceField(choices=Visibility.choices)
    embargo_until = _date(
        "Embargo until", help_text="Kept private to the newsroom until this date."
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["tracking_number"]
            self.fields["filed_on"].help_text = ""
            self.fields["received_on"].help_text = ""

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        values["story_url"] = values.get("story_url") or ""
        return values


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label="New status")
    on = _date("On", help_text="The day it happened; empty: today.")
    reason = forms.CharField(max_length=500, required=False, label="Why")

    def __init__(self, *args, status: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [
            (value, Status(value).label)
            for value in services.allowed_transitions(status)
            if value != Status.APPEALING
        ]


class CommunicationForm(forms.Form):
    """Step one of logging: what came in or went out."""

    kind = forms.ChoiceField(choices=CommunicationKind.choices)
    direction = forms.ChoiceField(choices=Direction.choices)
    channel = forms.ChoiceField(choices=Channel.choices)
    sent_on = _date("Date", required=True)
    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(widget=forms.Textarea, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class CommunicationConfirmForm(CommunicationForm):
    """Step two: the proposal is shown; the reporter confirms or logs only."""

    apply = forms.BooleanField(
        required=False,
        initial=True,
        label="Apply the proposed status and clock change",
    )
    to_status = forms.ChoiceField(label="Status", required=False)
    appeal_outcome = forms.ChoiceField(
        label="Appeal outcome",
        required=False,
        choices=[("", "—")]
        + [c for c in AppealOutcome.choices if c[0] != AppealOutcome.PENDING],
    )
    fee_amount = forms.DecimalField(
        label="Fee estimate ($)",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
    )
    attachments = MultipleFileField(
        required=False,
        help_text=(
            "PDF, TIFF, PNG, JPEG or ZIP (unpacked into one document per file); "
            "stored as documents."
        ),
    )

    def __init__(self, *args, proposal: services.Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CommunicationForm.base_fields:
            self.fields[name].widget = forms.HiddenInput()
        if not proposal.changes_anything:
            del self.fields["apply"]
        if len(proposal.status_choices) > 1:
            self.fields["to_status"].choices = [
                (value, Status(value).label) for value in proposal.status_choices
            ]
            self.fields["to_status"].initial = proposal.to_status
        else:
            del self.fields["to_status"]
        if proposal.clock != "appeal_decision":
            del self.fields["appeal_outcome"]
        if proposal.kind != CommunicationKind.FEE_LETTER:
            del self.fields["fee_amount"]

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "direction": data["direction"],
            "channel": data["channel"],
            "kind": data["kind"],
            "sent_on": data["sent_on"],
            "subject": data["subject"],
            "body": data["body"],
            "attachments": data["attachments"],
            "confirm": bool(data.get("apply")),
            "to_status": data.get("to_status") or None,
            "appeal_outcome": data.get("appeal_outcome") or None,
            "fee_amount": data.get("fee_amount"),
        }


class AppealForm(forms.Form):
    basis = forms.ChoiceField(choices=AppealBasis.choices)
    filed_on = _date("Filed on", required=True)
    received_on = _date(
        "Received by the appeals office",
        help_text="Empty: counted from the filing date.",
    )
    contested_exemptions = forms.MultipleChoiceField(
        label="Exemptions contested",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(code, exemption_label(code)) for code in EXEMPTIONS],
    )
    other_exemptions = forms.CharField(
        label="Other exemptions or statutes contested",
        required=False,
        help_text="Separated by commas; for state laws, the section cited.",
    )
    grounds = forms.CharField(widget=forms.Textarea, required=False)
    tracking_number = forms.CharField(
        label="Appeal number", max_length=80, required=False
    )
    channel = forms.ChoiceField(
        label="Sent by",
        required=False,
        choices=[("", "Do not log a communication")] + list(Channel.choices),
    )

    def __init__(self, *args, federal: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not federal:
            del self.fields["contested_exemptions"]
            self.fields["other_exemptions"].label = "Exemptions contested"

    def exemptions(self) -> list[str]:
        chosen = list(self.cleaned_data.get("contested_exemptions") or [])
        other = self.cleaned_data.get("other_exemptions") or ""
        return chosen + [item.strip() for item in other.split(",") if item.strip()]


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[c for c in AppealOutcome.choices if c[0] != AppealOutcome.PENDING]
    )
    decided_on = _date("Decided on", required=True)
    note = forms.CharField(max_length=500, required=False)


class TrackingNumberForm(forms.Form):
    number = forms.CharField(label="Tracking number", max_length=80)
    assigned_on = _date("Assigned on")
    note = forms.CharField(max_length=200, required=False)


class FeeForm(forms.Form):
    kind = forms.ChoiceField(choices=Fee.KIND_CHOICES)
    amount = forms.DecimalField(min_value=0, max_digits=9, decimal_places=2)
    on = _date("On", required=True)
    note = forms.CharField(max_length=200, required=False)


class ReferForm(forms.Form):
    relation = forms.ChoiceField(
        label="What happened",
        choices=[
            ("referral", "The agency referred the whole request"),
            ("partial_referral", "The agency referred part of it"),
            ("split", "The agency split it into a separate request"),
        ],
    )
    agency = _agency_field(label="To agency", required=False)
    title = forms.CharField(
        max_length=200, required=False, help_text="For a split: what the part covers."
    )
    on = _date("On", required=True)
    tracking_number = forms.CharField(
        label="New tracking number", max_length=80, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("relation") in ("referral", "partial_referral") and not data.get(
            "agency"
        ):
            self.add_error("agency", "Choose the agency it was referred to.")
        if data.get("relation") == "split" and not (data.get("title") or "").strip():
            self.add_error("title", "Give the split request a title.")
        return data


class LetterDraftForm(forms.Form):
    """Exemptions to name in a draft appeal letter before the appeal is filed."""

    exemptions = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(code, exemption_label(code)) for code in EXEMPTIONS],
    )
