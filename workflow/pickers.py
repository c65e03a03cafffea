"""One way to pick a person everywhere: «Фамилия Имя — должность», ordered and searched by surname.

- ``person_label(user)``: the label of a user in any picker;
- ``people()``: the queryset pickers offer (with the employee profile joined, by surname);
- ``PersonChoiceField`` / ``PersonMultipleChoiceField``: form fields with that label;
- ``PersonPickerAdminMixin``: admin foreign keys and many-to-many fields to users use them;
- ``install_autocomplete_labels(site)``: admin autocomplete answers with the same label.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _

User = get_user_model()


def person_name(user) -> str:
    """«Фамилия Имя», or the login when the user has no name."""
    return _name(user.last_name, user.first_name, user.get_username())


def _name(last_name: str, first_name: str, username: str) -> str:
    return " ".join(part for part in (last_name, first_name) if part) or username


def _label(name: str, position: str, is_active: bool) -> str:
    label = f"{name} — {position}" if position else name
    return label if is_active else _("%(label)s (не работает)") % {"label": label}


def person_label(user) -> str:
    """«Фамилия Имя — должность»; former employees are marked."""
    employee = getattr(user, "employee", None) if user.pk else None
    return _label(person_name(user), getattr(employee, "position", ""), user.is_active)


def people(*, active: bool | None = True, employees_only: bool = True) -> QuerySet:
    """Users as pickers list them: by surname, then name, with the employee profile joined."""
    qs = User.objects.select_related("employee").order_by("last_name", "first_name", "username")
    if active is not None:
        qs = qs.filter(is_active=active)
    if employees_only:
        qs = qs.filter(employee__isnull=False)
    return qs


class PersonChoiceField(forms.ModelChoiceField):
    def __init__(self, queryset=None, **kwargs) -> None:
        super().__init__(queryset=people() if queryset is None else queryset, **kwargs)

    def label_from_instance(self, obj) -> str:
        return person_label(obj)

    def fast_choices(self):
        """(pk, label) of every person by one values query, the labels of ``person_label``:
        a list filter offers all employees on each request, and building a user and an
        employee object per option cost more than the rest of the form."""
        rows = self.queryset.values_list(
            "pk", "last_name", "first_name", "username", "is_active", "employee__position"
        )
        for pk, last_name, first_name, username, is_active, position in rows:
            yield pk, _label(_name(last_name, first_name, username), position or "", is_active)


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, queryset=None, **kwargs) -> None:
        super().__init__(queryset=people() if queryset is None else queryset, **kwargs)

    def label_from_instance(self, obj) -> str:
        return person_label(obj)


def _is_user_relation(db_field) -> bool:
    remote = getattr(db_field, "remote_field", None)
    return remote is not None and remote.model is User


class PersonPickerAdminMixin:
    """Admin pickers of users (select, autocomplete or multiple) show «Фамилия Имя — должность»
    in surname order; former employees stay listed so existing values still display."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if _is_user_relation(db_field):
            kwargs.setdefault("form_class", PersonChoiceField)
            kwargs.setdefault("queryset", people(active=None, employees_only=False))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if _is_user_relation(db_field):
            kwargs.setdefault("form_class", PersonMultipleChoiceField)
            kwargs.setdefault("queryset", people(active=None, employees_only=False))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PersonAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete, labelling users like every other picker."""

    def get_queryset(self):
        qs = super().get_queryset()
        if self.model_admin.model is User:
            qs = qs.select_related("employee")
        return qs

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, User):
            result["text"] = person_label(obj)
        return result


def install_autocomplete_labels(site) -> None:
    """Point ``site``'s autocomplete endpoint at PersonAutocompleteJsonView (call before the
    admin's URLs are built, e.g. from an admin module)."""

    def autocomplete_view(request):
        return PersonAutocompleteJsonView.as_view(admin_site=site)(request)

    site.autocomplete_view = autocomplete_view
