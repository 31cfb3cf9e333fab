from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import AccessLog
from accounts.services import (
    LoginThrottled,
    client_address,
    login_attempt_check,
    login_failure_record,
    login_success_record,
)


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing further tries after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That username and password do not match. Try again.",
    }

    def clean(self):
        username = self.data.get("username", "")
        address = client_address(self.request)
        try:
            login_attempt_check(username=username, address=address)
        except LoginThrottled as exc:
            raise forms.ValidationError(str(exc), code="throttled") from exc
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, address=address)
            raise
        login_success_record(username=username, address=address)
        return cleaned


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80, help_text="What will use it, e.g. 'newsroom chat bot'."
    )


class AccessLogFilterForm(forms.Form):
    username = forms.CharField(required=False, label="User")
    request = forms.IntegerField(required=False, min_value=1, label="Request number")
    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *AccessLog.Action.choices]
    )
    since = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
