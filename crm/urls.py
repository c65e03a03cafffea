from django.urls import path

from crm import views

app_name = "crm"

urlpatterns = [
    path("", views.company_list, name="company-list"),
    path("companies/<int:pk>/", views.company_detail, name="company-detail"),
    path("companies/<int:pk>/take/", views.company_take, name="company-take"),
    path(
        "companies/<int:pk>/communication/",
        views.company_communication,
        name="company-communication",
    ),
    path("import/", views.import_upload, name="import-upload"),
    path("import/<int:pk>/mapping/", views.import_mapping, name="import-mapping"),
    path("import/<int:pk>/", views.import_detail, name="import-detail"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/feed/regenerate/", views.calendar_feed_regenerate, name="calendar-regenerate"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("calls/<int:pk>/", views.call_list_detail, name="call-list"),
    path("calls/<int:pk>/<int:assignment_id>/done/", views.call_done, name="call-done"),
    path("distribution/", views.distribution_view, name="distribution"),
]
