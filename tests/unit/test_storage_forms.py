"""The multiple-file field used by document forms."""

from django import forms

from storage import testing as samples
from storage.forms import MultipleFileField


class LetterForm(forms.Form):
    files = MultipleFileField(label="Файлы")


class OptionalForm(forms.Form):
    files = MultipleFileField(label="Файлы", required=False)


def _bound(form_class, uploads):
    from django.utils.datastructures import MultiValueDict

    return form_class(data={}, files=MultiValueDict({"files": uploads}))


def test_several_good_files_come_back_as_a_list_with_their_types():
    """GIVEN a scan and a Word file WHEN the form is cleaned THEN both come back, typed."""
    form = _bound(
        LetterForm,
        [
            samples.upload("скан.pdf", samples.pdf_bytes()),
            samples.upload("d.docx", samples.docx_bytes()),
        ],
    )
    assert form.is_valid(), form.errors
    files = form.cleaned_data["files"]
    assert [f.name for f in files] == ["скан.pdf", "d.docx"]
    assert files[0].detected_content_type == "application/pdf"
    assert "multiple" in str(form["files"])


def test_each_bad_file_is_named_in_its_own_russian_error():
    """GIVEN one good file and two bad ones WHEN the form is cleaned THEN it is invalid and the
    errors name both bad files, not the good one."""
    form = _bound(
        LetterForm,
        [
            samples.upload("скан.pdf", samples.pdf_bytes()),
            samples.upload("вирус.pdf", samples.EXE_BYTES),
            samples.upload("страница.pdf", b"<html><body>x</body></html>"),
        ],
    )
    assert not form.is_valid()
    errors = form.errors["files"]
    assert len(errors) == 2
    assert "«вирус.pdf»" in errors[0] and "«страница.pdf»" in errors[1]
    assert not any("скан.pdf" in e for e in errors)


def test_required_and_optional():
    """GIVEN no files WHEN required THEN «Обязательное поле»; WHEN optional THEN an empty list."""
    form = _bound(LetterForm, [])
    assert not form.is_valid()
    assert "Обязательное поле." in form.errors["files"]
    form = _bound(OptionalForm, [])
    assert form.is_valid() and form.cleaned_data["files"] == []
