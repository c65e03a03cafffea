"""Registration journals: where letters get their numbers (Directum RX style, format from parts)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Входящие")
    OUTGOING = "outgoing", _("Исходящие")


FORMAT_PARTS = ("{index}", "{seq}", "{year}", "{entity}")


REG_NUMBER_LENGTH = 64  # the letters' reg_number columns


class RegistrationJournal(models.Model):
    """An admin-configured journal: one number sequence per journal, restarting each year."""

    name = models.CharField(_("название"), max_length=255)
    direction = models.CharField(_("направление"), max_length=16, choices=Direction.choices)
    legal_entity = models.ForeignKey(
        "workflow.LegalEntity",
        verbose_name=_("юридическое лицо"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registration_journals",
        help_text=_("Пусто: журнал для всех юрлиц, у которых нет своего."),
    )
    index = models.CharField(
        _("индекс"), max_length=20, blank=True, help_text=_("Например «Вх» или «Исх».")
    )
    number_format = models.CharField(
        _("формат номера"),
        max_length=100,
        default="{index}-{seq}/{entity}/{year}",
        help_text=_(
            "Части: {index} — индекс журнала, {seq} — порядковый номер, {year} — год, "
            "{entity} — код юрлица. Например: {index}-{seq}/{entity}/{year}."
        ),
    )
    sequence_width = models.PositiveSmallIntegerField(
        _("знаков в порядковом номере"),
        default=0,
        help_text=_("Дополнять нулями слева до этой длины; 0 — без дополнения."),
        validators=[MinValueValidator(0), MaxValueValidator(12)],
    )
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        verbose_name = _("журнал регистрации")
        verbose_name_plural = _("журналы регистрации")
        ordering = ["direction", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["direction", "legal_entity"],
                condition=models.Q(is_active=True),
                nulls_distinct=False,
                name="journal_one_active_per_entity",
                violation_error_message=_(
                    "У этого юрлица уже есть действующий журнал этого вида: сначала отключите его."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if "{seq}" not in self.number_format:
            raise ValidationError(
                {"number_format": _("Формат должен содержать порядковый номер {seq}.")}
            )
        from workflow.models import LegalEntity

        if not isinstance(self.sequence_width, int) or not 0 <= self.sequence_width <= 12:
            return  # the field's own validator says so

        try:
            longest = self.format_number(
                999999, 2000, entity_code="Ж" * LegalEntity._meta.get_field("code").max_length
            )
        except (KeyError, IndexError, ValueError, AttributeError, OverflowError) as exc:
            raise ValidationError(
                {"number_format": _("Неизвестная часть формата: %(part)s") % {"part": exc}}
            ) from None
        if "{seq." in self.number_format or "{seq[" in self.number_format:
            raise ValidationError({"number_format": _("Пишите {seq} без точек и скобок.")})
        if len(longest) > REG_NUMBER_LENGTH:
            raise ValidationError(
                _(
                    "Номер по этому формату может выйти длиннее %(max)s знаков (например, "
                    "«%(example)s…»): сократите формат, индекс или число знаков номера."
                )
                % {"max": REG_NUMBER_LENGTH, "example": longest[:30]}
            )

    def format_number(self, sequence: int, year: int, *, entity_code: str) -> str:
        return self.number_format.format(
            index=self.index,
            seq=str(sequence).zfill(self.sequence_width),
            year=year,
            entity=entity_code,
        )


class JournalCounter(models.Model):
    """The last number given in a journal in a year; the row is locked while a number is taken."""

    journal = models.ForeignKey(
        RegistrationJournal, on_delete=models.CASCADE, related_name="counters"
    )
    year = models.PositiveSmallIntegerField(_("год"))
    last_number = models.PositiveIntegerField(_("последний номер"), default=0)

    class Meta:
        verbose_name = _("счётчик журнала")
        verbose_name_plural = _("счётчики журналов")
        constraints = [
            models.UniqueConstraint(fields=["journal", "year"], name="journal_counter_year")
        ]

    def __str__(self) -> str:
        return f"{self.journal} {self.year}: {self.last_number}"
