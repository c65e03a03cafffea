"""Storage pages: the permission-checked download (files are never served from a public URL)
and the folder browser."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from storage import selectors
from storage.models import Folder, StoredFile
from storage.registry import may_download
from storage.validation import INLINE_TYPES


@require_GET
def download(request, pk: int):
    """Stream a stored file to someone allowed to have it; everyone else gets 404 (we don't tell
    strangers the file exists). ``?inline=1`` shows PDFs, images and text in the browser."""
    stored = get_object_or_404(StoredFile, pk=pk)
    if not may_download(request.user, stored):
        raise Http404
    inline = request.GET.get("inline") == "1" and stored.content_type in INLINE_TYPES
    storage = stored.file.storage
    try:
        content_type = stored.content_type
        if content_type == "text/plain":
            charset = "utf-8" if _is_utf8(storage, stored.file.name) else "windows-1251"
            content_type = f"text/plain; charset={charset}"
        handle = storage.open(stored.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=stored.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if stored.content_type != "application/pdf":
        # an image or text shown inline can run nothing; Chrome's PDF viewer needs no sandbox
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    elif inline:
        # a PDF is previewed in a frame of our own task pages, never of another site's
        response["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'self'"
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _is_utf8(storage, name: str) -> bool:
    with storage.open(name, "rb") as handle:
        head = handle.read(8192)
    for cut in range(4):
        try:
            (head[: len(head) - cut] if cut else head).decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False


def folder_browser(request, pk: int | None = None):
    """The folder tree: breadcrumbs, subfolders, and the files the user may see with their
    documents. A folder exists for a user only where they may see a file in it or below it: the
    others answer 404 and are never listed, so folder names tell nobody who wrote to whom."""
    folder = None
    chain: list[Folder] = []
    if pk is not None:
        chain = selectors.folder_chain(pk)
        if not chain:
            raise Http404
        folder = chain[-1]
    view = selectors.folder_view(request.user, folder)
    if folder is not None and not view.visible:
        raise Http404
    page = None
    if folder is not None:
        page = selectors.folder_entries_visible_to(
            request.user, folder, page_number=request.GET.get("page", 1)
        )
    return render(
        request,
        "storage/folder_detail.html",
        {"folder": folder, "chain": chain, "children": view.children, "page": page},
    )
