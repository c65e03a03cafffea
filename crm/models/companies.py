import re

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from argo_docs.reversing import pk_url


class CounterpartyCategory(models.TextChoices):
    """Decides how incoming letters are routed (seed 000)."""

    TENANT = "tenant", _("Арендатор")
    GOVERNMENT = "government", _("Государственный орган")
    CONTRACTOR = "contractor", _("Подрядчик / поставщик")
    CLIENT = "client", _("Клиент")
    OTHER = "other", _("Прочее")


class ProcessingStatus(models.TextChoices):
    """The nine processing statuses of the client pipeline (seed 001)."""

    IMPORTED = "imported", _("Импортирован")
    IN_PROGRESS = "in_progress", _("В обработке")
    MEETING = "meeting", _("Назначена встреча")
    TERMS = "terms", _("Согласование условий")
    CONTRACT = "contract", _("Согласование договора")
    SIGNING = "signing", _("Подписание договора")
    PREPARATION = "preparation", _("Подготовка к запуску")
    LAUNCHED = "launched", _("Запущен")
    REFUSED = "refused", _("Отказ")


# the client base: the pipeline block, calls and contact control apply to these categories
CLIENT_CATEGORIES = [CounterpartyCategory.CLIENT, CounterpartyCategory.TENANT]


# The pipeline stages in order: answering "the step is set" at a stage moves to the next one.
PIPELINE_STAGES = [
    ProcessingStatus.IN_PROGRESS,
    ProcessingStatus.MEETING,
    ProcessingStatus.TERMS,
    ProcessingStatus.CONTRACT,
    ProcessingStatus.SIGNING,
    ProcessingStatus.PREPARATION,
    ProcessingStatus.LAUNCHED,
]
ACTIVE_STAGES = PIPELINE_STAGES[:-1]


# The collation the company list sorts by: ICU Russian where the server has ICU, else a copy of
# "C" (created by crm's migration 0004). Sorting the normalised name (ё folded into е, lower case)
# makes even the "C" fallback put Cyrillic names in alphabetical order.
RUSSIAN_COLLATION = "argo_ru"

_PUNCTUATION = re.compile(r"[«»\"'“”„‘’‹›`.,;:!?()]")


def name_key(name: str) -> str:
    """The name reduced for matching and sorting: case, ё/е, quotes, punctuation and spacing do
    not count («ООО "Ёлка"» and ооо ёлка are the same key)."""
    return " ".join(_PUNCTUATION.sub(" ", name).lower().replace("ё", "е").split())


class Industry(models.Model):
    """Reference list «Сфера деятельности» (e.g. ЖКХ)."""

    name = models.CharField(_("название"), max_length=100, unique=True)
    starts_pipeline = models.BooleanField(
        _("запускает клиентский процесс"),
        default=False,
        help_text=_(
            "Перевод компании этой сферы из «Импортирован» в «В обработке» запускает "
            "бизнес-процесс работы с клиентом."
        ),
    )

    class Meta:
        verbose_name = _("сфера деятельности")
        verbose_name_plural = _("сферы деятельности")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Counterparty(FSMModelMixin, models.Model):
    """A company or body we correspond and contract with; in the CRM, a company card."""

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
    # --- CRM fields (all optional so the document apps' counterparties migrate as they are)
    name_key = models.CharField(_("ключ наименования"), max_length=255, blank=True, editable=False)
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("сфера деятельности"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="companies",
    )
    comment = models.TextField(_("комментарий"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ответственный менеджер"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="crm_companies",
    )
    status = FSMField(
        _("статус обработки"),
        max_length=16,
        choices=ProcessingStatus.choices,
        default=ProcessingStatus.IMPORTED,
        protected=True,
    )
    pipeline_started_at = models.DateTimeField(_("процесс запущен"), null=True, blank=True)
    last_communication_at = models.DateTimeField(_("последняя коммуникация"), null=True, blank=True)
    next_contact_check_at = models.DateTimeField(
        _("следующая проверка контакта"), null=True, blank=True
    )
    # phones (digits only) and emails (lower case) of the company and its contact persons, kept
    # by the services so one trigram index finds a company by any of them
    contact_keys = models.TextField(_("телефоны и адреса для поиска"), blank=True, editable=False)
    # bumped by every edit of the card: an edit made on an older version is refused
    version = models.PositiveIntegerField(_("версия карточки"), default=0, editable=False)

    class Meta:
        verbose_name = _("контрагент")
        verbose_name_plural = _("контрагенты")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["category"], name="counterparty_category"),
            models.Index(fields=["name_key"], name="counterparty_name_key"),
            # the list search: LIKE '%…%' on the normalised name and on phones/emails
            GinIndex(OpClass("name_key", name="gin_trgm_ops"), name="counterparty_name_key_trgm"),
            GinIndex(
                OpClass("contact_keys", name="gin_trgm_ops"), name="counterparty_contacts_trgm"
            ),
            # the list's default order and INN prefix search
            models.Index(
                Collate("name_key", RUSSIAN_COLLATION), "id", name="counterparty_sort_name"
            ),
            models.Index(
                OpClass("inn", name="varchar_pattern_ops"), name="counterparty_inn_prefix"
            ),
            # filters: a rare value is read through these, a common one by walking the sort
            # index (no more collated indexes: each makes every insert compare with ICU)
            models.Index(fields=["status"], name="counterparty_status"),
            models.Index(fields=["next_contact_check_at"], name="counterparty_next_check"),
            models.Index(
                models.F("last_communication_at").desc(nulls_last=True),
                "id",
                name="counterparty_last_contact",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["inn", "kpp"],
                condition=~models.Q(inn=""),
                name="counterparty_unique_inn_kpp",
                violation_error_message=_("Контрагент с такими ИНН и КПП уже есть."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_key = name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return pk_url("crm:company-detail", self.pk)

    @property
    def is_client(self) -> bool:
        """Clients and tenants are the client base: the pipeline, calls and contact control
        are for them, not for government bodies or suppliers."""
        return self.category in CLIENT_CATEGORIES

    def clean_fields(self, exclude=None) -> None:
        # the status is protected (it changes only through transitions): full_clean must not
        # assign it back, which django-fsm refuses
        super().clean_fields(exclude={*(exclude or ()), "status"})

    @property
    def pipeline_active(self) -> bool:
        return self.pipeline_started_at is not None and self.status in ACTIVE_STAGES

    # --- transitions: they only set fields; crm.services.pipeline decides when they run
    @transition(field=status, source=ProcessingStatus.IMPORTED, target=ProcessingStatus.IN_PROGRESS)
    def take_into_work(self) -> None:
        pass

    @transition(field=status, source=ProcessingStatus.IN_PROGRESS, target=ProcessingStatus.MEETING)
    def meeting_scheduled(self) -> None:
        pass

    @transition(field=status, source=ProcessingStatus.MEETING, target=ProcessingStatus.TERMS)
    def terms_negotiation(self) -> None:
        pass

    @transition(field=status, source=ProcessingStatus.TERMS, target=ProcessingStatus.CONTRACT)
    def contract_negotiation(self) -> None:
        pass

    @transition(field=status, source=ProcessingStatus.CONTRACT, target=ProcessingStatus.SIGNING)
    def contract_signing(self) -> None:
        pass

    @transition(field=status, source=ProcessingStatus.SIGNING, target=ProcessingStatus.PREPARATION)
    def launch_preparation(self) -> None:
        pass

    @transition(field=status, source=ProcessingStatus.PREPARATION, target=ProcessingStatus.LAUNCHED)
    def launch(self) -> None:
        pass  # the process ends here

    @transition(field=status, source=ACTIVE_STAGES, target=ProcessingStatus.REFUSED)
    def refuse(self) -> None:
        pass


# the transition that the answer "the step is set" runs at each stage
ADVANCE = {
    ProcessingStatus.IN_PROGRESS: "meeting_scheduled",
    ProcessingStatus.MEETING: "terms_negotiation",
    ProcessingStatus.TERMS: "contract_negotiation",
    ProcessingStatus.CONTRACT: "contract_signing",
    ProcessingStatus.SIGNING: "launch_preparation",
    ProcessingStatus.PREPARATION: "launch",
}


def default_distribution_categories() -> list[str]:
    return [str(c) for c in CLIENT_CATEGORIES]


class CrmSettings(models.Model):
    """The CRM's administrator-editable settings (one row)."""

    contact_control_days = models.PositiveSmallIntegerField(
        _("контроль контакта, дней"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Без коммуникации дольше этого срока открывается сделка «Клиентский сервис»."),
    )
    reminder_minutes = models.PositiveIntegerField(
        _("напоминание о событии, минут до начала"), default=60
    )
    distribution_quota = models.PositiveSmallIntegerField(
        _("компаний на менеджера в неделю"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    distribution_weekday = models.PositiveSmallIntegerField(
        _("день распределения"),
        default=0,
        choices=[
            (0, _("понедельник")),
            (1, _("вторник")),
            (2, _("среда")),
            (3, _("четверг")),
            (4, _("пятница")),
            (5, _("суббота")),
            (6, _("воскресенье")),
        ],
    )
    distribution_time = models.TimeField(_("время распределения"), default="09:00")
    distribution_cursor = models.BigIntegerField(
        _("последняя распределённая компания (id)"),
        default=0,
        help_text=_(
            "Меняется только распределением: следующая неделя продолжит с компании после этой."
        ),
    )
    distribution_categories = ArrayField(
        models.CharField(max_length=16, choices=CounterpartyCategory.choices),
        verbose_name=_("категории в прозвоне"),
        default=default_distribution_categories,
        blank=True,
    )
    distribution_industries = models.ManyToManyField(
        Industry,
        verbose_name=_("сферы в прозвоне"),
        blank=True,
        related_name="+",
        help_text=_("Пусто — все сферы."),
    )
    sales_department = models.ForeignKey(
        "workflow.Department",
        verbose_name=_("отдел продаж"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Его руководитель получает задания по компаниям без менеджера. Пусто — отдел, "
            "где работают менеджеры."
        ),
    )
    unassigned_fallback = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ответственный, если нет руководителя продаж"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Пусто — генеральный директор."),
    )
    contact_task_working_days = models.PositiveSmallIntegerField(
        _("срок задания «Связаться с клиентом», рабочих дней"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )

    class Meta:
        verbose_name = _("настройки CRM")
        verbose_name_plural = _("настройки CRM")

    def __str__(self) -> str:
        return str(_("Настройки CRM"))

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "CrmSettings":
        return cls.objects.get_or_create(pk=1)[0]
