"""One search entry per searchable object, kept in the transaction of every write to it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# the kinds with a word-and-tokens index of their own (partial); a kind not listed here is read
# through ``search_entry_kind_vector`` and its visibility rule
WORD_ACCESS_KINDS = ("incoming", "outgoing", "contract", "memo", "company")


class SearchEntry(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    kind = models.CharField(_("вид"), max_length=20)
    title = models.CharField(_("заголовок"), max_length=1000)
    # the title folded (lower case, ё → е, punctuation as spaces): the trigram fallback's column
    title_norm = models.CharField(max_length=1000)
    codes = ArrayField(models.CharField(max_length=255), default=list, blank=True)
    counterparty_name = models.CharField(max_length=500, blank=True)
    # what fragments are cut from: the body and the text of the files
    body = models.TextField(blank=True)
    vector = SearchVectorField()
    date = models.DateField(null=True, blank=True)
    counterparty_id = models.BigIntegerField(null=True, blank=True)
    legal_entity_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=40, blank=True)
    file_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    # what dossiers the document belongs to: "counterparty:12", "project:3", "thread:40"
    scopes = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    reply_to = models.CharField(max_length=40, blank=True)  # "incoming:5": «в ответ на»
    # who the access table opens the object to: "u<user id>", "d<department id>". Kept by the
    # database itself (triggers of migration 0005), so the text index and these tokens meet in
    # one bitmap and a search reads only the matches the viewer may open; the exact visibility
    # rule still filters what it returns
    access = ArrayField(models.CharField(max_length=24), default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("запись поискового индекса")
        verbose_name_plural = _("поисковый индекс")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="search_entry_unique_object"
            )
        ]
        # the kind leads the full-text and trigram indexes (btree_gin): a common word searched
        # in a small kind reads only that kind's matches. Without fastupdate a write updates the
        # index at once, so no search scans a pending list of recent writes.
        indexes = [
            GinIndex(fields=["kind", "vector"], name="search_entry_kind_vector", fastupdate=False),
            # a viewer who sees part of the archive: the word and the viewer's access tokens meet
            # inside one index per kind, which reads the rarest posting list first and skips
            # through the other. An index of the tokens alone built a bitmap of every entry the
            # viewer may open (376k for the registrar at 1M letters: 27 ms a kind), and the
            # planner preferred it for frequent words. With the kind as a leading column the
            # index also intersected the kind's own posting list (a million incoming letters):
            # at 1M letters «исполн» for the registrar 124 → 69 ms in the index alone
            *[
                GinIndex(
                    fields=["vector", "access"],
                    condition=Q(kind=kind),
                    name=f"search_{kind}_word_access",
                    fastupdate=False,
                )
                for kind in WORD_ACCESS_KINDS
            ],
            GinIndex(
                F("kind"),
                OpClass(F("title_norm"), name="gin_trgm_ops"),
                name="search_entry_kind_title_trgm",
                fastupdate=False,
            ),
            GinIndex(fields=["codes"], name="search_entry_codes"),
            GinIndex(fields=["file_ids"], name="search_entry_files"),
            GinIndex(fields=["scopes"], name="search_entry_scopes"),
            # the object first: a search's planner finds no index for "every entry of a kind"
            # and so never walks a whole kind hoping to meet a word early
            models.Index(fields=["object_id", "kind"], name="search_entry_object_kind"),
            models.Index(fields=["counterparty_id", "date"], name="search_entry_counterparty"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title[:60]}"


class ExportState(models.TextChoices):
    QUEUED = "queued", _("в очереди")
    RUNNING = "running", _("собирается")
    DONE = "done", _("готово")
    FAILED = "failed", _("не удалось")


def dossier_path(instance: DossierExport, filename: str) -> str:
    return f"dossiers/{timezone.now():%Y/%m}/{instance.token}.zip"


class DossierExport(models.Model):
    """A ZIP of a dossier built by a job for the person who asked; removed after 7 days."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто запросил"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    scope = models.CharField(_("досье"), max_length=20)
    scope_id = models.BigIntegerField()
    title = models.CharField(_("название"), max_length=500)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    state = models.CharField(
        _("состояние"), max_length=10, choices=ExportState.choices, default=ExportState.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.CharField(_("причина"), max_length=500, blank=True)
    file = models.FileField(upload_to=dossier_path, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("выгрузка досье")
        verbose_name_plural = _("выгрузки досье")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.state == ExportState.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
