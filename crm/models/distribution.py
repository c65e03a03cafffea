import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from argo_docs.reversing import pk_url
from crm.models.companies import Counterparty


class DistributionWeek(models.Model):
    """One weekly distribution run; its week is unique, so a week is distributed once."""

    week_start = models.DateField(_("неделя с"), unique=True)
    created_at = models.DateTimeField(_("распределено"), default=timezone.now)
    quota = models.PositiveSmallIntegerField(_("компаний на менеджера"))
    cursor_before = models.BigIntegerField(_("курсор до"), default=0)
    cursor_after = models.BigIntegerField(_("курсор после"), default=0)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("запустил"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Пусто — по расписанию."),
    )

    class Meta:
        verbose_name = _("недельное распределение")
        verbose_name_plural = _("недельные распределения")
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return f"{self.week_start:%d.%m.%Y}"

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)


class CallList(models.Model):
    """A manager's companies to call this week; one inbox task points at it."""

    week = models.ForeignKey(
        DistributionWeek, verbose_name=_("неделя"), on_delete=models.CASCADE, related_name="lists"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("менеджер"),
        on_delete=models.PROTECT,
        related_name="crm_call_lists",
    )

    class Meta:
        verbose_name = _("список прозвона")
        verbose_name_plural = _("списки прозвона")
        constraints = [
            models.UniqueConstraint(fields=["week", "manager"], name="call_list_unique_manager")
        ]

    def __str__(self) -> str:
        return _("Прозвон клиентов, неделя с %(date)s") % {
            "date": f"{self.week.week_start:%d.%m.%Y}"
        }

    def get_absolute_url(self) -> str:
        return pk_url("crm:call-list", self.pk)


class CallAssignment(models.Model):
    week = models.ForeignKey(
        DistributionWeek, verbose_name=_("неделя"), on_delete=models.CASCADE, related_name="+"
    )
    call_list = models.ForeignKey(
        CallList, verbose_name=_("список"), on_delete=models.CASCADE, related_name="assignments"
    )
    company = models.ForeignKey(
        Counterparty, verbose_name=_("компания"), on_delete=models.CASCADE, related_name="+"
    )
    called_at = models.DateTimeField(_("звонок сделан"), null=True, blank=True)
    result = models.CharField(_("результат"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("звонок по распределению")
        verbose_name_plural = _("звонки по распределению")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["week", "company"], name="call_once_per_week")
        ]

    def __str__(self) -> str:
        return str(self.company_id)
