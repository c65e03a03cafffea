from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from outbox.models import OutboxAttachment, OutboxMessage, OutboxStatus
from outbox.services import outbox_retry


class AttachmentInline(admin.TabularInline):
    model = OutboxAttachment
    fields = ["position", "stored_file"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: messages are written by the services and changed by the sending job."""

    list_display = ["created_at", "subject", "recipients", "status", "attempts", "sent_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["message_id", "subject", "to"]
    date_hierarchy = "created_at"
    inlines = [AttachmentInline]
    actions = ["retry"]
    readonly_fields = [
        "message_id",
        "from_email",
        "to",
        "subject",
        "body",
        "html_body",
        "headers",
        "status",
        "attempts",
        "max_attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
        "document_type",
        "document_id",
    ]
    fields = readonly_fields

    @admin.display(description=_("кому"))
    def recipients(self, obj: OutboxMessage) -> str:
        return ", ".join(obj.to)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Отправить повторно (сообщения с ошибкой)"))
    def retry(self, request, queryset) -> None:
        retried = 0
        for pk in queryset.filter(status=OutboxStatus.FAILED).values_list("pk", flat=True):
            try:
                outbox_retry(message_id=pk)
            except ValidationError:
                continue
            retried += 1
        self.message_user(
            request, _("Поставлено в очередь повторно: %(n)s") % {"n": retried}, messages.SUCCESS
        )
