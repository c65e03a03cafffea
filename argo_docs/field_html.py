"""A form field in Bootstrap 5 markup, built in Python.

The crispy filter renders every field through a dozen nested templates (field, attributes,
errors, help text): about 0.6 ms a field, so a register's nine filters cost 5–6 ms of every
request. Text inputs, textareas, selects and checkboxes come out here with the same markup as
crispy's bootstrap5 pack (the same ids, classes, ``aria-*``, error and help blocks). Anything
else (files, radios, multi-widgets) still goes through crispy, so the look never depends on
which path rendered a field."""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms
from django.conf import settings
from django.forms.widgets import Input
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

_REQUIRED_MARK = '<span class="asteriskField">*</span>'


def _kind(widget: forms.Widget) -> str | None:
    """The bootstrap control class for widgets this module renders itself, else None."""
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return None
    if isinstance(widget, forms.Select):
        return "form-select"
    if isinstance(widget, (forms.FileInput, forms.MultiWidget)):
        return None
    if isinstance(widget, (Input, forms.Textarea)):
        return "form-control"
    return None


def _widget_class(widget: forms.Widget, control: str, invalid: bool) -> str:
    # as crispy: the widget's own class, then its class name (converted), then the control class
    name = type(widget).__name__.lower()
    name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(name, name)
    classes = widget.attrs.get("class", "")
    if not classes:
        classes = name
    elif classes.find(name) == -1:
        classes += " " + name
    present = classes.split()
    for extra in (control, "is-invalid") if invalid else (control,):
        if extra not in present:
            classes += " " + extra
    return classes


def _control(bound: forms.BoundField, classes: str) -> str:
    """The widget itself; selects and custom widgets render themselves (FastSelect is already
    Python), plain inputs, textareas and checkboxes are written out here."""
    widget = bound.field.widget
    # a subclass with a template of its own (or a select) renders through it
    if isinstance(widget, forms.Select) or widget.template_name not in _PLAIN_TEMPLATES:
        return bound.as_widget(attrs={"class": classes})
    if bound.field.localize:
        widget.is_localized = True
    attrs = bound.build_widget_attrs({"class": classes}, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    context = widget.get_context(bound.html_name, bound.value(), attrs)["widget"]
    return _render_plain(widget, context)


# Django's plain input templates, the ones ``_render_plain`` writes out
_PLAIN_TEMPLATES = {
    "django/forms/widgets/text.html",
    "django/forms/widgets/email.html",
    "django/forms/widgets/url.html",
    "django/forms/widgets/number.html",
    "django/forms/widgets/password.html",
    "django/forms/widgets/date.html",
    "django/forms/widgets/datetime.html",
    "django/forms/widgets/time.html",
    "django/forms/widgets/search.html",
    "django/forms/widgets/tel.html",
    "django/forms/widgets/color.html",
    "django/forms/widgets/hidden.html",
    "django/forms/widgets/textarea.html",
    "django/forms/widgets/checkbox.html",
}


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html: False is left out, True is a bare attribute
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {name}" if value is True else f' {name}="{escape(value)}"')
    return "".join(parts)


def _render_plain(widget: forms.Widget, context: dict) -> str:
    name = escape(context["name"])
    value = context["value"]
    if isinstance(widget, forms.Textarea):
        text = conditional_escape(value) if value else ""
        return f'<textarea name="{name}"{_attrs(context["attrs"])}>\n{text}</textarea>'
    shown = "" if value is None else f' value="{escape(str(value))}"'
    return f'<input type="{context["type"]}" name="{name}"{shown}{_attrs(context["attrs"])}>'


def _help_and_errors(bound: forms.BoundField) -> str:
    parts = []
    if bound.errors:
        auto_id = bound.auto_id
        field_id = escape(getattr(bound.errors, "field_id", None) or "")
        parts.append(f'<div id="{field_id}_error" class="invalid-feedback">')
        for number, error in enumerate(bound.errors, start=1):
            parts.append(
                f'<p id="error_{number}_{auto_id}"><strong>{conditional_escape(error)}</strong></p>'
            )
        parts.append("</div>")
    if bound.help_text:
        ident = f'id="{bound.auto_id}_helptext" ' if bound.auto_id else ""
        # crispy marks help text safe as well: it comes from the form's code, never from users
        parts.append(f'<div {ident}class="form-text">{bound.help_text}</div>')
    return "".join(parts)


def _label_text(bound: forms.BoundField) -> str:
    mark = _REQUIRED_MARK if bound.field.required else ""
    return f"{conditional_escape(bound.label)}{mark}"


def render_field(bound: forms.BoundField) -> SafeString:
    """``{{ field|as_field }}``: the field with its label, help text and errors."""
    if bound.is_hidden:
        return mark_safe(str(bound))
    widget = bound.field.widget
    control = _kind(widget)
    # a form helper may change labels, wrappers and layout: crispy knows them all
    if control is None or getattr(bound.form, "helper", None) is not None:
        return as_crispy_field(bound)
    invalid = bool(bound.errors)
    classes = _widget_class(widget, control, invalid)
    required = " requiredField" if bound.field.required else ""
    css = f" {bound.css_classes()}" if bound.css_classes() else ""
    auto_id = bound.auto_id
    if control == "form-check-input":
        label = (
            f'<label for="{bound.id_for_label}" class="form-check-label{required}">'
            f"{_label_text(bound)}</label>"
        )
        html = (
            f'<div class="mb-3"><div id="div_{auto_id}" class="form-check{css}">'
            f"{_control(bound, classes)}{label}{_help_and_errors(bound)}</div></div>"
        )
        return mark_safe(html)
    label = ""
    if bound.label:
        target = f'for="{bound.id_for_label}" ' if bound.id_for_label else ""
        label = f'<label {target}class="form-label{required}">{_label_text(bound)}</label>'
    html = (
        f'<div id="div_{auto_id}" class="mb-3{css}">{label}'
        f"{_control(bound, classes)}{_help_and_errors(bound)}</div>"
    )
    return mark_safe(html)


def render_form(form) -> SafeString:
    """``{{ form|as_fields }}``: crispy's ``|crispy`` for a plain form: the form's own errors in
    an alert, then every field (hidden ones too) as ``render_field`` gives it."""
    if not isinstance(form, forms.BaseForm) or getattr(form, "helper", None) is not None:
        return as_crispy_form(form)
    parts = []
    errors = form.non_field_errors()
    if errors:
        items = "".join(f"<li>{conditional_escape(error)}</li>" for error in errors)
        parts.append(
            f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'
        )
    parts.extend(render_field(bound) for bound in form)
    return mark_safe("".join(parts))
