from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArgoDocsConfig(AppConfig):
    name = "argo_docs"
    verbose_name = _("Арго Документы")

    def ready(self) -> None:
        from argo_docs import signals  # noqa: F401
