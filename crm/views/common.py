import rules
from django.core.exceptions import ValidationError
from django.http import Http404


def require(user, perm: str, obj=None) -> None:
    if not rules.has_perm(perm, user, obj):
        raise Http404  # never reveal what a user may not see


def form_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its fields where it names them."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)
