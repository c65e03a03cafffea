"""Mailboxes are configured here. The password field is write-only: it is never rendered back,
and what is stored is encrypted (intake.passwords)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_q.tasks import async_task

from intake import imap
from intake.models import DEFAULT_PORTS, IntakeAttachment, IntakeItem, Mailbox
from intake.services import mailbox_password_set


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=gettext_lazy("Пароль"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "Хранится в зашифрованном виде и нигде не показывается. Оставьте пустым, чтобы не "
            "менять. Не нужен, если пароль задан переменной окружения."
        ),
    )
    clear_password = forms.BooleanField(
        label=gettext_lazy("Удалить сохранённый пароль"), required=False
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "is_active",
            "host",
            "port",
            "security",
            "username",
            "password",
            "clear_password",
            "password_env",
            "folder",
            "accept_since",
            "after_processing",
            "processed_flag",
            "processed_folder",
            "default_legal_entity",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["accept_since"].initial = timezone.localdate()
        elif self.instance.password_encrypted:
            self.fields["password"].help_text = _(
                "Пароль сохранён (зашифрован). Оставьте пустым, чтобы не менять."
            )

    def clean(self):
        cleaned = super().clean()
        has_stored = bool(self.instance.password_encrypted) and not cleaned.get("clear_password")
        if not (cleaned.get("password") or cleaned.get("password_env") or has_stored):
            self.add_error(
                "password", _("Укажите пароль или имя переменной окружения, где он лежит.")
            )
        security, port = cleaned.get("security"), cleaned.get("port")
        if security and port == 993 and security != "ssl":
            self.add_error("port", _("Порт 993 работает только с шифрованием SSL/TLS."))
        return cleaned

    def save(self, commit=True):
        mailbox = super().save(commit=False)
        if self.cleaned_data.get("password"):
            mailbox_password_set(mailbox=mailbox, password=self.cleaned_data["password"])
        elif self.cleaned_data.get("clear_password"):
            mailbox_password_set(mailbox=mailbox, password="")
        if "security" in self.changed_data and "port" not in self.changed_data:
            mailbox.port = DEFAULT_PORTS.get(mailbox.security, mailbox.port)
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "host", "username", "is_active", "state", "last_success_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "host", "username"]
    readonly_fields = [
        "has_password",
        "last_poll_at",
        "last_success_at",
        "last_error",
        "error_since",
        "failure_count",
        "next_attempt_at",
    ]
    actions = ["check_connection", "poll_now"]
    fieldsets = [
        (None, {"fields": ["name", "is_active", "default_legal_entity"]}),
        (
            gettext_lazy("Подключение"),
            {
                "fields": [
                    "host",
                    "port",
                    "security",
                    "username",
                    "has_password",
                    "password",
                    "clear_password",
                    "password_env",
                ]
            },
        ),
        (
            gettext_lazy("Что читать и как отмечать"),
            {
                "fields": [
                    "folder",
                    "accept_since",
                    "after_processing",
                    "processed_flag",
                    "processed_folder",
                ]
            },
        ),
        (
            gettext_lazy("Состояние"),
            {
                "fields": [
                    "last_poll_at",
                    "last_success_at",
                    "last_error",
                    "error_since",
                    "failure_count",
                    "next_attempt_at",
                ]
            },
        ),
    ]

    @admin.display(description=gettext_lazy("состояние"))
    def state(self, obj: Mailbox) -> str:
        if not obj.is_active:
            return _("не опрашивается")
        return (
            _("ошибка: %(error)s") % {"error": obj.last_error} if obj.last_error else _("работает")
        )

    @admin.display(description=gettext_lazy("пароль сейчас"))
    def has_password(self, obj: Mailbox) -> str:
        if obj.password_env:
            return _("из переменной окружения %(name)s") % {"name": obj.password_env}
        return _("сохранён (зашифрован)") if obj.password_encrypted else _("не задан")

    @admin.action(description=gettext_lazy("Проверить подключение"))
    def check_connection(self, request, queryset) -> None:
        for mailbox in queryset:
            try:
                with imap.session(mailbox, timeout=15) as server:
                    waiting = len(server.unprocessed_uids())
            except imap.MailboxFailure as failure:
                self.message_user(
                    request,
                    _("«%(name)s»: %(error)s") % {"name": mailbox.name, "error": failure},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    _("«%(name)s»: подключение работает, необработанных писем: %(count)s.")
                    % {"name": mailbox.name, "count": waiting},
                    messages.SUCCESS,
                )

    @admin.action(description=gettext_lazy("Опросить сейчас"))
    def poll_now(self, request, queryset) -> None:
        ids = list(queryset.filter(is_active=True).values_list("pk", flat=True))
        for mailbox_id in ids:
            async_task("intake.jobs.mailbox_poll", mailbox_id)
        self.message_user(request, _("Опрос запущен для ящиков: %(count)s.") % {"count": len(ids)})


class IntakeAttachmentInline(admin.TabularInline):
    model = IntakeAttachment
    extra = 0
    can_delete = False
    fields = ["position", "filename", "size", "stored_file", "refused_reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IntakeItem)
class IntakeItemAdmin(admin.ModelAdmin):
    """For diagnosis only: items are sorted on the «Входящая почта» page."""

    list_display = ["received_at", "mailbox", "sender_email", "subject", "status"]
    list_filter = ["status", "mailbox"]
    search_fields = ["subject", "sender_email", "message_id"]
    inlines = [IntakeAttachmentInline]
    date_hierarchy = "received_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
