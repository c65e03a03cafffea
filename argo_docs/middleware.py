"""Project-wide middleware: request size guard, the user's language, no caching of private pages."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control

from argo_docs.language import language_for


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than any allowed upload (every file at the
    size limit plus the form's fields) before anything reads the body. Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE leaves file parts out, so without this a 200 MB body would be
    received and spooled to disk before the form refuses it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = settings.ARGO_REQUEST_MAX_BYTES
        if declared > limit:
            return render(
                request,
                "413.html",
                {
                    "limit_mb": limit // (1024 * 1024),
                    "file_mb": settings.ARGO_UPLOAD_MAX_MB,
                    "max_files": settings.ARGO_UPLOAD_MAX_FILES,
                },
                status=413,
            )
        return self.get_response(request)


class UserLanguageMiddleware:
    """Activate the user's chosen language (Russian by default) for the whole request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", language)
        finally:
            # the thread serves other people next: back to the product's default
            translation.activate(settings.LANGUAGE_CODE)
        return response


class NoStoreMiddleware:
    """Pages of a signed-in user must not stay in the browser cache of a shared office computer.
    Responses that set their own Cache-Control (downloads, feeds) keep it; static files never
    come here (WhiteNoise answers them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
