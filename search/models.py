"""One search entry per searchable object, kept in the transaction of every write to it."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("запись поискового индекса")
        verbose_name_plural = _("поисковый индекс")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="search_entry_unique_object"
            )
        ]
        indexes = [
            GinIndex(fields=["vector"], name="search_entry_vector"),
            GinIndex(fields=["codes"], name="search_entry_codes"),
            GinIndex(fields=["file_ids"], name="search_entry_files"),
            GinIndex(OpClass("title_norm", name="gin_trgm_ops"), name="search_entry_title_trgm"),
            models.Index(fields=["kind", "object_id"], name="search_entry_kind_object"),
            models.Index(fields=["counterparty_id", "date"], name="search_entry_counterparty"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title[:60]}"
