"""Read-mostly admin: files and folders are created by uploads and filing, not by hand."""

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from storage.models import Folder, FolderEntry, StoredFile


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FolderEntryInline(admin.TabularInline):
    model = FolderEntry
    fields = ["stored_file", "label", "content_type", "object_id", "filed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Folder)
class FolderAdmin(ReadOnlyAdmin):
    list_display = ["path", "created_at", "open_link"]
    search_fields = ["path"]
    ordering = ["path"]
    fields = ["name", "parent", "path", "created_at"]
    readonly_fields = fields
    list_select_related = ["parent"]
    inlines = [FolderEntryInline]

    @admin.display(description=_("в приложении"))
    def open_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("открыть"))


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "content_type", "human_size", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type", "uploaded_at"]
    search_fields = ["original_name", "sha256"]
    list_select_related = ["uploaded_by"]
    date_hierarchy = "uploaded_at"
    fields = [
        "original_name",
        "download_link",
        "content_type",
        "human_size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "stored_path",
    ]
    readonly_fields = fields

    @admin.display(description=_("размер"), ordering="size")
    def human_size(self, obj):
        return filesizeformat(obj.size)

    @admin.display(description=_("путь в хранилище"))
    def stored_path(self, obj):
        # the path only: media is never served by URL, downloads go through the checked view
        return obj.file.name

    @admin.display(description=_("скачать"))
    def download_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_download_url(), obj.original_name)
