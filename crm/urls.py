from django.urls import path

from crm import views

app_name = "crm"

urlpatterns = [
    path("", views.company_list, name="company-list"),
    path("companies/<int:pk>/", views.company_detail, name="company-detail"),
    path("companies/<int:pk>/edit/", views.company_edit, name="company-edit"),
    path("companies/<int:pk>/take/", views.company_take, name="company-take"),
    path(
        "companies/<int:pk>/communication/",
        views.company_communication,
        name="company-communication",
    ),
    path(
        "companies/<int:pk>/communications/",
        views.communication_list,
        name="company-communications",
    ),
    path("companies/<int:pk>/contacts/new/", views.contact_edit, name="contact-new"),
    path("companies/<int:pk>/contacts/<int:contact_id>/", views.contact_edit, name="contact-edit"),
    path(
        "companies/<int:pk>/contacts/<int:contact_id>/delete/",
        views.contact_delete,
        name="contact-delete",
    ),
    path("import/", views.import_upload, name="import-upload"),
    path("import/<int:pk>/mapping/", views.import_mapping, name="import-mapping"),
    path("import/<int:pk>/sheet/", views.import_sheet, name="import-sheet"),
    path("import/<int:pk>/", views.import_detail, name="import-detail"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import-confirm"),
    path("import/<int:pk>/back/", views.import_back, name="import-back"),
    path("import/<int:pk>/errors.xlsx", views.import_errors, name="import-errors"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/events/new/", views.event_new, name="event-new"),
    path("calendar/events/<int:pk>/", views.event_edit, name="event-edit"),
    path("calendar/events/<int:pk>/delete/", views.event_delete, name="event-delete"),
    path("calendar/feed/regenerate/", views.calendar_feed_regenerate, name="calendar-regenerate"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("calls/<int:pk>/", views.call_list_detail, name="call-list"),
    path("calls/<int:pk>/<int:assignment_id>/done/", views.call_done, name="call-done"),
    path("distribution/", views.distribution_view, name="distribution"),
    path("distribution/run/", views.distribution_run, name="distribution-run"),
    path("distribution/settings/", views.distribution_settings, name="distribution-settings"),
]
