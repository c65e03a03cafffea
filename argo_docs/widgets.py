"""Selects rendered in Python. Django renders each <option> through its own template include
(about 50 µs each), so the 200 people of a filter cost 10 ms per page; lists render their filter
forms on every request, so their selects are built here as one string instead."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """The same HTML as ``forms.Select`` (name, attributes, optgroups, the first matching option
    selected), without a template per option."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        selected = set(self.format_value(value))
        parts = [format_html("<select{}>", flatatt(final_attrs))]
        state = {"done": False}

        def option(option_value, label) -> str:
            text = "" if option_value is None else str(option_value)
            is_selected = not state["done"] and text in selected
            state["done"] = state["done"] or is_selected
            return format_html(
                '<option value="{}"{}>{}</option>',
                text,
                mark_safe(" selected") if is_selected else "",
                label,
            )

        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts.extend(option(value_, label_) for value_, label_ in label)
                parts.append("</optgroup>")
            else:
                parts.append(option(option_value, label))
        parts.append("</select>")
        return mark_safe("".join(parts))


class FastSelectsMixin:
    """For forms shown on every request of a list (filters): every plain select becomes a
    ``FastSelect`` with the same attributes and choices."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if type(widget) is forms.Select:
                fast = FastSelect(attrs=widget.attrs)
                fast.choices = widget.choices
                fast.is_required = widget.is_required
                field.widget = fast
