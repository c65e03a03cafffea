"""Session cache warming only (no business logic): the language a user chose is read once, at
login, so the pages after it need no query for it."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="argo_docs.language_on_login")
def cache_language_on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    from argo_docs.language import remember, stored_language

    remember(request, stored_language(user), user=user)
