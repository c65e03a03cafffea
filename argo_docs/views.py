from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from argo_docs import language, services


def home(request: HttpRequest) -> HttpResponse:
    return redirect("workflow:inbox")


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the load balancer and the run script: answers once the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_not_required
def bench_bare(request: HttpRequest) -> HttpResponse:
    """The cost of the middleware stack alone: routed only with ARGO_BENCH_URLS (benchmarks)."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on their own; the icon itself is a static file."""
    return HttpResponseRedirect(staticfiles_storage.url("favicon.ico"))


def login_locked_out(request: HttpRequest, original_response=None, credentials=None):
    """django-axes calls this when a (username, address) pair is locked out: the login page again
    with one message that reads the same whether the user exists or not."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    return render(
        request,
        "registration/login.html",
        {
            "form": form,
            "locked_out": True,
            "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "next": request.POST.get("next", ""),
        },
        status=429,
    )


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The user menu's language switch: remembered for the user, not for the browser."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    try:
        preference = services.user_language_set(
            user=request.user, language=request.POST.get("language", "")
        )
    except ValidationError:
        return HttpResponseRedirect(target)
    language.remember(request, preference.language)
    return HttpResponseRedirect(target)
