from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControlConfig(AppConfig):
    name = "control"
    verbose_name = _("Контроль исполнения")

    def ready(self) -> None:
        from control import follow_up
        from workflow import registry

        registry.register_timer_handler(follow_up.FOLLOW_UP, follow_up.follow_up_fire)
