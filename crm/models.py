from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CounterpartyCategory(models.TextChoices):
    """Decides how incoming letters are routed (seed 000)."""

    TENANT = "tenant", _("Арендатор")
    GOVERNMENT = "government", _("Государственный орган")
    CONTRACTOR = "contractor", _("Подрядчик / поставщик")
    CLIENT = "client", _("Клиент")
    OTHER = "other", _("Прочее")


class Counterparty(models.Model):
    """A company or body we correspond and contract with."""

    name = models.CharField(_("наименование"), max_length=255)
    category = models.CharField(
        _("категория"),
        max_length=16,
        choices=CounterpartyCategory.choices,
        default=CounterpartyCategory.OTHER,
    )
    inn = models.CharField(_("ИНН"), max_length=12, blank=True)
    kpp = models.CharField(_("КПП"), max_length=9, blank=True)
    email = models.EmailField(_("эл. почта"), blank=True)
    phone = models.CharField(_("телефон"), max_length=50, blank=True)
    address = models.CharField(_("адрес"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("создан"), default=timezone.now)

    class Meta:
        verbose_name = _("контрагент")
        verbose_name_plural = _("контрагенты")
        ordering = ["name"]
        indexes = [
            GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="counterparty_name_trgm"),
            models.Index(fields=["category"], name="counterparty_category"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["inn", "kpp"],
                condition=~models.Q(inn=""),
                name="counterparty_unique_inn_kpp",
            )
        ]

    def __str__(self) -> str:
        return self.name
