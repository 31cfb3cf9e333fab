from __future__ import annotations

from django import forms

from documents import intake
from documents.models import Document
from foia.models import Communication, FoiaRequest


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each is checked at intake, not here."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        items = list(data) if isinstance(data, list | tuple) else [data]
        files = [single(item, initial) for item in items if item]
        if not files and self.required:
            raise forms.ValidationError(
                self.error_messages["required"], code="required"
            )
        return files


LANGUAGE_NAMES = {
    "eng": "English",
    "spa": "Spanish",
    "fra": "French",
    "deu": "German",
    "por": "Portuguese",
    "ita": "Italian",
    "vie": "Vietnamese",
    "chi_sim": "Chinese (simplified)",
    "ara": "Arabic",
    "rus": "Russian",
}


def language_choices() -> list[tuple[str, str]]:
    """Installed tesseract languages, and each paired with English."""
    installed = intake.installed_languages()

    def name(code: str) -> str:
        return LANGUAGE_NAMES.get(code, code)

    choices = [("", "Default")] + [(code, name(code)) for code in installed]
    if "eng" in installed:
        choices += [
            (f"eng+{code}", f"English and {name(code)}")
            for code in installed
            if code != "eng"
        ]
    return choices


class UploadForm(forms.Form):
    files = MultipleFileField(label="Files")
    # A number, not a list: a newsroom may have thousands of requests.
    request = forms.ModelChoiceField(
        queryset=FoiaRequest.objects.none(),
        required=False,
        label="Request number (optional)",
        widget=forms.NumberInput(attrs={"min": 1}),
        error_messages={"invalid_choice": "There is no such request you can see."},
    )
    communication = forms.ModelChoiceField(
        queryset=Communication.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )
    languages = forms.ChoiceField(
        choices=(), required=False, label="Text languages (OCR)"
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, files_required: bool = True, **kwargs) -> None:
        """``files_required`` is false when every file sent was refused on the
        way in (over the size limit): the form then reports nothing of its own."""
        super().__init__(*args, **kwargs)
        self.fields["files"].required = files_required
        visible = FoiaRequest.objects.visible_to(user)
        self.fields["request"].queryset = visible
        self.fields["communication"].queryset = Communication.objects.filter(
            request__in=visible.values("pk")
        )
        self.fields["languages"].choices = language_choices()

    def clean(self):
        data = super().clean()
        request_obj, communication = data.get("request"), data.get("communication")
        if (
            communication is not None
            and request_obj is not None
            and communication.request_id != request_obj.pk
        ):
            raise forms.ValidationError(
                "That communication belongs to another request."
            )
        return data


class DocumentFilterForm(forms.Form):
    state = forms.ChoiceField(
        choices=[("", "Any state"), *Document.State.choices], required=False
    )
    # Bounded by the id column: a larger number would reach the database and fail.
    request = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, label="Request number"
    )


class RetryPagesForm(forms.Form):
    pages = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=False)
    languages = forms.ChoiceField(choices=(), required=False)

    def __init__(self, *args, page_numbers: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pages"].choices = [(n, str(n)) for n in page_numbers]
        self.fields["languages"].choices = language_choices()
