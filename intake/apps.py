from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Входящая почта")

    def ready(self) -> None:
        from intake import rules, selectors  # noqa: F401  (rules registers perms)
        from storage.registry import register_download_check

        register_download_check(selectors.user_may_download)
