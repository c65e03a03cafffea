from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from argo_docs import views

admin.site.site_header = _("Арго Документы: администрирование")
admin.site.site_title = _("Арго Документы")
admin.site.index_title = _("Настройки системы")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.language_set, name="language-set"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("", include("workflow.urls")),
    path("letters/", include("correspondence.urls")),
    path("contracts/", include("contracts.urls")),
    path("crm/", include("crm.urls")),
    path("memos/", include("memos.urls")),
    path("files/", include("storage.urls")),
    path("control/", include("control.urls")),
    path("search/", include("search.urls")),
]
if settings.ARGO_BENCH_URLS:  # bench/pages.py's baseline, off by default
    urlpatterns.append(path("bench/bare/", views.bench_bare, name="bench-bare"))
