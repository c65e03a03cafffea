from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from workflow.roles import role_choices


class LegalEntity(models.Model):
    """One of our own organisations: letters are addressed to it and sent on its behalf."""

    name = models.CharField(_("полное наименование"), max_length=255, unique=True)
    short_name = models.CharField(_("краткое наименование"), max_length=100)
    code = models.CharField(
        _("код"),
        max_length=10,
        unique=True,
        help_text=_("Короткий код для регистрационных номеров, например АО или АН."),
    )
    inn = models.CharField(_("ИНН"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("юридическое лицо")
        verbose_name_plural = _("юридические лица")
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name


class Department(models.Model):
    legal_entity = models.ForeignKey(
        LegalEntity,
        verbose_name=_("юридическое лицо"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("вышестоящее подразделение"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("название"), max_length=255)
    code = models.CharField(_("код"), max_length=20, blank=True)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("руководитель"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_departments",
    )

    class Meta:
        verbose_name = _("подразделение")
        verbose_name_plural = _("подразделения")
        ordering = ["legal_entity__short_name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="department_unique_name",
                violation_error_message=_(
                    "В этом подразделении уже есть подразделение с таким названием."
                ),
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="department_not_own_parent",
                violation_error_message=_("Подразделение не может входить само в себя."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """No department inside itself, directly or through its own sub-departments (the org
        tree is walked upwards everywhere: a loop would never end)."""
        super().clean()
        seen, current = set(), self.parent
        while current is not None and current.pk not in seen:
            if self.pk is not None and current.pk == self.pk:
                raise ValidationError(
                    {"parent": _("Подразделение не может входить само в себя или в своё дочернее.")}
                )
            seen.add(current.pk)
            current = current.parent


class Employee(models.Model):
    """The employee profile of a user: their place in the org structure and their roles."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="employee",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("подразделение"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employees",
    )
    position = models.CharField(_("должность"), max_length=255, blank=True)
    roles = ArrayField(
        models.CharField(max_length=32, choices=role_choices),
        verbose_name=_("роли"),
        default=list,
        blank=True,
    )
    phone = models.CharField(_("телефон"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("сотрудник")
        verbose_name_plural = _("сотрудники")
        indexes = [GinIndex(fields=["roles"], name="employee_roles_gin")]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    def has_role(self, role: str) -> bool:
        return role in self.roles


class AbsenceKind(models.TextChoices):
    VACATION = "vacation", _("Отпуск")
    SICK_LEAVE = "sick_leave", _("Больничный")
    BUSINESS_TRIP = "business_trip", _("Командировка")


class Absence(models.Model):
    """A period an employee is away; while it lasts their new tasks go to the deputy."""

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сотрудник"),
        on_delete=models.CASCADE,
        related_name="absences",
    )
    kind = models.CharField(_("вид"), max_length=20, choices=AbsenceKind.choices)
    starts_on = models.DateField(_("с"))
    ends_on = models.DateField(_("по (включительно)"))
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("замещающий"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deputising",
    )
    comment = models.CharField(_("комментарий"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("отсутствие")
        verbose_name_plural = _("отсутствия")
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["employee", "starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="absence_ends_after_start",
                violation_error_message=_("Отсутствие не может закончиться раньше, чем началось."),
            ),
            models.CheckConstraint(
                condition=~Q(deputy=F("employee")),
                name="absence_deputy_not_self",
                violation_error_message=_(
                    "Сотрудник не может замещать сам себя: выберите другого заместителя."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"
