from django.urls import path

from search import views, views_dossier

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("exports/<int:pk>/", views_dossier.export_detail, name="export-detail"),
    path("exports/<int:pk>/download/", views_dossier.export_download, name="export-download"),
]
for _code in ("counterparty", "project", "thread"):
    urlpatterns += [
        path(
            f"dossier/{_code}/<int:pk>/",
            views_dossier.dossier_page,
            {"code": _code},
            name=f"dossier-{_code}",
        ),
        path(
            f"dossier/{_code}/<int:pk>/export/",
            views_dossier.dossier_export,
            {"code": _code},
            name=f"dossier-{_code}-export",
        ),
    ]
