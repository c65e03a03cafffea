import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControlConfig(AppConfig):
    name = "control"
    verbose_name = _("Контроль исполнения")

    def ready(self) -> None:
        from control import follow_up
        from workflow import registry
        from workflow.calendar import is_working_day

        registry.register_timer_handler(follow_up.FOLLOW_UP, follow_up.follow_up_fire)
        # The production calendar of a year takes tens of milliseconds to build, once per
        # process: build this year's and last year's (the stuck threshold looks back across
        # New Year in January) at start rather than on the first dashboard view.
        today = dt.date.today()
        is_working_day(today)
        is_working_day(today.replace(month=1, day=1) - dt.timedelta(days=1))
