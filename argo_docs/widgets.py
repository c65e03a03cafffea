"""Selects rendered in Python. Django renders each <option> through its own template include
(about 50 µs each), so the 200 people of a filter cost 10 ms per page; lists render their filter
forms on every request, so their selects are built here as one string instead."""

from __future__ import annotations

import html

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """The same HTML as ``forms.Select`` (name, attributes, optgroups, the first matching option
    selected), without a template per option. A model choice field with ``fast_choices()``
    (pairs of value and label from one values query) is listed from those, not from objects."""

    def _listed_choices(self):
        field = getattr(self.choices, "field", None)  # a ModelChoiceIterator knows its field
        fast = getattr(field, "fast_choices", None)
        if fast is None:
            return self.choices
        empty = [] if field.empty_label is None else [("", field.empty_label)]
        return [*empty, *fast()]

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        selected = set(self.format_value(value))
        parts = [format_html("<select{}>", flatatt(final_attrs))]
        done = False

        def option(option_value, label) -> str:
            nonlocal done
            text = "" if option_value is None else str(option_value)
            is_selected = not done and text in selected
            done = done or is_selected
            mark = " selected" if is_selected else ""
            # the standard library's escape (Django's own calls it, behind a check for lazy text
            # that costs more than the escaping: 400 options a page)
            return f'<option value="{html.escape(text)}"{mark}>{html.escape(str(label))}</option>'

        for option_value, label in self._listed_choices():
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


class NamedChoiceField(forms.ModelChoiceField):
    """A model choice whose label is one column (the model's ``__str__``): listed for a
    ``FastSelect`` by a values query instead of an object per option."""

    def __init__(self, *args, label_field: str = "name", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.label_field = label_field

    def fast_choices(self):
        return self.queryset.values_list("pk", self.label_field)
