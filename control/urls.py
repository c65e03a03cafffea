from django.urls import path

from control import views, views_follow_up

app_name = "control"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("documents/", views.document_list, name="document-list"),
]
urlpatterns += [path("journals/", views.journal_reports, name="journal-reports")]
urlpatterns += [path("remind/<int:task_pk>/", views.follow_up, name="follow-up")]
urlpatterns += [path("digest/", views.digest_settings, name="digest-settings")]
urlpatterns += [
    path(
        "remind/<str:code>/<int:pk>/",
        views_follow_up.follow_up_document,
        name="follow-up-document",
    )
]
