"""``{{ form.field|as_field }}``: a field in Bootstrap 5 markup, the same as crispy's
``as_crispy_field``, built in Python for the common widgets (see ``argo_docs.field_html``)."""

from django import template

from argo_docs.field_html import render_field, render_form

register = template.Library()


@register.filter
def as_field(bound_field):
    return render_field(bound_field)


@register.filter
def as_fields(form):
    """``{{ form|as_fields }}``: the whole form as crispy's ``|crispy`` renders it."""
    return render_form(form)
