"""Who may see a document, kept as rows: the access table every visibility rule reads.

One row says that a user (and, through the department stored beside them, the heads above that
department) or a whole department may open one document, and why. The services that add
participants write the rows in their own transaction; ``rebuild_document_access`` recomputes the
table from the documents and their tasks. The two indexes serve the one question every list asks:
``object_id IN (SELECT object_id … WHERE content_type = ?
 AND (user_id = ? OR department_id IN …))``.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessReason(models.TextChoices):
    REGISTRAR = "registrar", _("зарегистрировал")
    AUTHOR = "author", _("автор")
    EXECUTOR = "executor", _("исполнитель")
    INITIATOR = "initiator", _("инициатор")
    PARTICIPANT = "participant", _("участник согласования")
    DEPARTMENT = "department", _("подразделение")
    TASK = "task", _("задание")
    REPLY = "reply", _("ответ на наше письмо")
    INHERITED = "inherited", _("по документу, на который отвечает")


class DocumentAccess(models.Model):
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    object_id = models.PositiveBigIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    department = models.ForeignKey(
        "workflow.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    reason = models.CharField(max_length=16, choices=AccessReason.choices)

    class Meta:
        verbose_name = _("доступ к документу")
        verbose_name_plural = _("доступы к документам")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user", "department", "reason"],
                nulls_distinct=False,
                name="access_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(department__isnull=False),
                name="access_someone",
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "user", "object_id"], name="access_user"),
            models.Index(
                fields=["content_type", "department", "object_id"], name="access_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} → {self.user_id or self.department_id}"
