"""Form fields for uploads, for document apps to use in their own forms.

Every limit (count, size, type by content, the same content twice) is checked by the form
before anything is stored. A form that uses ``UploadsFormMixin`` keeps the acceptable files of
a refused submission as staged files behind a signed token (see storage.staging), shown above
the file input with a «убрать» box each; the view calls ``uploads_keep(form)`` when it shows a
refused form again.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from storage.models import StoredFile
from storage.services import duplicate_message
from storage.staging import staged_files_from_token, staged_token_make, uploads_stage
from storage.validation import ALLOWED_TYPES, validate_upload

ACCEPT = ",".join(
    [".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".doc", ".docx", ".xls", ".xlsx"]
    + [".odt", ".ods", ".rtf", ".txt"]
)
STAGED_SUFFIX = "_staged"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": ACCEPT, **(attrs or {})})


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(64 * 1024) if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


class MultipleFileField(forms.FileField):
    """Several files in one input. ``clean`` returns a list of UploadedFile, each checked by
    ``validate_upload`` (size, type by content) and given ``detected_content_type`` and
    ``sha256``; errors name each refused file. Too many files are refused before any file is
    looked at. ``accepted`` keeps the files that passed, for staging when the form is refused
    (empty when the count was over the limit)."""

    widget = MultipleFileInput
    default_error_messages = {
        "too_many": gettext_lazy("Можно приложить не больше %(max)s файлов за раз."),
    }

    def __init__(self, *args, max_files: int = 20, **kwargs):
        self.max_files = max_files
        self.accepted: list = []
        kwargs.setdefault("help_text", _allowed_help())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        self.accepted = []
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
                upload.sha256 = _sha256(upload)
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
        self.accepted = cleaned
        if errors:
            raise ValidationError(errors)
        return cleaned


class StagedFilesWidget(forms.Widget):
    """The files kept from a refused submission: names with «убрать» boxes and the signed
    token. Hidden (just the empty token) while nothing is kept."""

    template_name = "storage/widgets/staged_files.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.staged: list[StoredFile] = []
        self.token = ""

    @property
    def is_hidden(self) -> bool:
        return not self.staged

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            {"staged": self.staged, "token": self.token, "remove_name": f"{name}_remove"}
        )
        return context

    def value_from_datadict(self, data, files, name):
        removed = data.getlist(f"{name}_remove") if hasattr(data, "getlist") else []
        return {"token": data.get(name, ""), "remove": [v for v in removed if str(v).isdigit()]}

    def value_omitted_from_data(self, data, files, name) -> bool:
        return False


class StagedFilesField(forms.Field):
    widget = StagedFilesWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", gettext_lazy("Уже выбранные файлы"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy("Выбирать их заново не нужно; отметьте «убрать», если файл лишний."),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        return value  # resolved by UploadsFormMixin, which knows the user


class UploadsFormMixin:
    """For forms with ``MultipleFileField``s: adds a ``<name>_staged`` field after each, checks
    the count over staged + new files and the same content twice (within the submission and
    against ``existing_files``, the document's files), and makes ``cleaned_data[<name>]`` the
    staged ``StoredFile`` rows followed by the new uploads, ready for
    ``storage.services.stored_files_create``.

    Pass ``uploader=`` (the user) to the constructor, or call ``uploads_bind(form, user)``
    before validating; without a user nothing is staged or re-attached."""

    def __init__(self, *args, uploader=None, existing_files=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.uploader = uploader
        self.existing_files = list(existing_files)
        self._staged: dict[str, list[StoredFile]] | None = None
        self._required: dict[str, bool] = {}
        fields = {}
        for name, field in self.fields.items():
            fields[name] = field
            if isinstance(field, MultipleFileField):
                fields[f"{name}{STAGED_SUFFIX}"] = StagedFilesField()
                self._required[name] = field.required
        self.fields = fields

    def bind_uploader(self, user) -> None:
        self.uploader = user
        self._staged = None

    @property
    def upload_field_names(self) -> list[str]:
        return [name for name in self._required if name in self.fields]

    def staged_files(self, name: str) -> list[StoredFile]:
        if self._staged is None:
            self._staged = {}
            for field_name in self.upload_field_names:
                self._staged[field_name] = self._resolve(field_name)
                self._show(field_name)
        return self._staged[name]

    def _resolve(self, name: str) -> list[StoredFile]:
        if not self.is_bound or self.uploader is None:
            return []
        staged_name = f"{name}{STAGED_SUFFIX}"
        widget = self.fields[staged_name].widget
        value = widget.value_from_datadict(self.data, self.files, self.add_prefix(staged_name))
        return staged_files_from_token(
            token=value["token"], user=self.uploader, exclude=[int(v) for v in value["remove"]]
        )

    def _show(self, name: str) -> None:
        widget = self.fields[f"{name}{STAGED_SUFFIX}"].widget
        widget.staged = self._staged[name]
        widget.token = (
            staged_token_make(user=self.uploader, files=widget.staged) if self.uploader else ""
        )

    def full_clean(self):
        for name in self.upload_field_names:
            # staged files stand in for a required file input
            self.fields[name].required = self._required[name] and not self.staged_files(name)
        super().full_clean()

    def clean(self):
        cleaned = super().clean()
        existing = {f.sha256: f.original_name for f in self.existing_files}
        for name in self.upload_field_names:
            field = self.fields[name]
            staged = self.staged_files(name)
            if self.has_error(name):
                continue
            new = cleaned.get(name) or []
            if len(staged) + len(new) > field.max_files:
                field.accepted = []
                self.add_error(
                    name,
                    ValidationError(
                        field.error_messages["too_many"],
                        code="too_many",
                        params={"max": field.max_files},
                    ),
                )
                continue
            if self._required[name] and not staged and not new:
                self.add_error(name, field.error_messages["required"])
                continue
            seen = dict(existing)
            attached = set(existing)
            unique = []
            for item in [*staged, *new]:
                label = getattr(item, "original_name", None) or item.name
                if item.sha256 in seen:
                    self.add_error(
                        name,
                        ValidationError(
                            duplicate_message(
                                label, seen[item.sha256], attached=item.sha256 in attached
                            ),
                            code="duplicate",
                        ),
                    )
                    continue
                seen[item.sha256] = label
                unique.append(item)
            field.accepted = [u for u in unique if not isinstance(u, StoredFile)]
            if name in cleaned:
                cleaned[name] = [*staged, *new]
        return cleaned

    def uploads_keep(self) -> None:
        """The form was refused: store its acceptable new uploads as staged for the uploader
        (nothing when the count was over the limit) and show them with a fresh token."""
        if self.uploader is None or not self.is_bound:
            return
        self._staged = None  # read again: a parallel submission may have attached some meanwhile
        for name in self.upload_field_names:
            field = self.fields[name]
            staged = self.staged_files(name)
            room = field.max_files - len(staged)
            seen = {f.sha256 for f in [*self.existing_files, *staged]}
            keep = []
            for upload in field.accepted:
                if upload.sha256 not in seen:
                    seen.add(upload.sha256)
                    keep.append(upload)
            if keep and len(field.accepted) <= room:
                self._staged[name] = staged + uploads_stage(uploads=keep, user=self.uploader)
            field.accepted = []
            self._show(name)


def uploads_bind(form, user) -> None:
    """Tell a form built elsewhere (e.g. a task decision form) whose uploads it handles."""
    if isinstance(form, UploadsFormMixin):
        form.bind_uploader(user)


def uploads_keep(form) -> None:
    """Call when showing a refused form again; a no-op for forms without uploads."""
    if isinstance(form, UploadsFormMixin) and form.is_bound:
        form.uploads_keep()


def _allowed_help():
    kinds = ", ".join(sorted({ext.upper() for ext in ALLOWED_TYPES.values()}))
    return format_lazy(gettext_lazy("Допустимые типы: {kinds}."), kinds=kinds)
