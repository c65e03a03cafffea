"""Form fields for uploads, for document apps to use in their own forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from storage.validation import ALLOWED_TYPES, validate_upload

ACCEPT = ",".join(
    [".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".doc", ".docx", ".xls", ".xlsx"]
    + [".odt", ".ods", ".rtf", ".txt"]
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": ACCEPT, **(attrs or {})})


class MultipleFileField(forms.FileField):
    """Several files in one input. ``clean`` returns a list of UploadedFile, each checked by
    ``validate_upload`` (size, type by content); errors name each refused file. The detected
    MIME types are kept on each file as ``upload.detected_content_type``."""

    widget = MultipleFileInput
    default_error_messages = {
        "too_many": gettext_lazy("Можно приложить не больше %(max)s файлов за раз."),
    }

    def __init__(self, *args, max_files: int = 20, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("help_text", _allowed_help())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            single(None, initial)  # raises "required" when the field is required
            return []
        if len(files) > self.max_files:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": self.max_files}
            )
        errors: list[ValidationError] = []
        cleaned = []
        for upload in files:
            try:
                upload = single(upload, initial)
                upload.detected_content_type = validate_upload(upload)
            except ValidationError as error:
                name = getattr(upload, "name", "")
                for message in error.messages:
                    if name and name not in message:
                        message = _("Файл «%(name)s»: %(message)s") % {
                            "name": name,
                            "message": message,
                        }
                    errors.append(ValidationError(message, code=error.code))
                continue
            cleaned.append(upload)
        if errors:
            raise ValidationError(errors)
        return cleaned


def _allowed_help():
    kinds = ", ".join(sorted({ext.upper() for ext in ALLOWED_TYPES.values()}))
    return format_lazy(gettext_lazy("Допустимые типы: {kinds}."), kinds=kinds)
