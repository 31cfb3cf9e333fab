from __future__ import annotations

from django import forms

from foia.models import Channel


class FollowUpSendForm(forms.Form):
    subject = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 16}))
    channel = forms.ChoiceField(
        choices=Channel.choices,
        initial=Channel.EMAIL,
        help_text="Email sends it to the agency now; any other channel records "
        "that you sent it that way.",
    )


class DigestPreferenceForm(forms.Form):
    daily_digest = forms.BooleanField(required=False, label="Email me the daily digest")


class NewsroomSettingForm(forms.Form):
    auto_send_follow_ups = forms.BooleanField(
        required=False,
        label="Send follow-up letters automatically",
        help_text="When a request passes its due date, email the drafted letter to "
        "the agency without waiting for the reporter.",
    )
