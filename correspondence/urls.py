from django.urls import path
from django.views.generic import RedirectView

from correspondence import views, views_mail, views_outgoing

app_name = "correspondence"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="correspondence:incoming-list"), name="index"),
    path("incoming/", views.incoming_list, name="incoming-list"),
    path("incoming/export.xlsx", views.incoming_export, name="incoming-export"),
    path("incoming/new/", views.incoming_register, name="incoming-register"),
    path("incoming/<int:pk>/", views.incoming_detail, name="incoming-detail"),
    path("incoming/<int:pk>/comment/", views.incoming_comment, name="incoming-comment"),
    path("mail/", views_mail.mail_queue, name="mail-queue"),
    path("mail/<int:pk>/", views_mail.mail_item, name="mail-item"),
    path("mail/<int:pk>/dismiss/", views_mail.mail_item_dismiss, name="mail-item-dismiss"),
    path("mail/<int:pk>/restore/", views_mail.mail_item_restore, name="mail-item-restore"),
    path("outgoing/", views_outgoing.outgoing_list, name="outgoing-list"),
    path("outgoing/export.xlsx", views_outgoing.outgoing_export, name="outgoing-export"),
    path("outgoing/new/", views_outgoing.outgoing_create, name="outgoing-create"),
    path("outgoing/<int:pk>/", views_outgoing.outgoing_detail, name="outgoing-detail"),
    path("outgoing/<int:pk>/edit/", views_outgoing.outgoing_edit, name="outgoing-edit"),
    path("outgoing/<int:pk>/submit/", views_outgoing.outgoing_submit, name="outgoing-submit"),
    path("outgoing/<int:pk>/withdraw/", views_outgoing.outgoing_withdraw, name="outgoing-withdraw"),
    path("outgoing/<int:pk>/send/", views_outgoing.outgoing_send, name="outgoing-send"),
    path(
        "outgoing/<int:pk>/email/retry/",
        views_outgoing.outgoing_email_retry,
        name="outgoing-email-retry",
    ),
    path(
        "outgoing/counterparties/search/",
        views_outgoing.counterparty_search,
        name="outgoing-counterparty-search",
    ),
    path(
        "outgoing/counterparties/pick/",
        views_outgoing.counterparty_pick,
        name="outgoing-counterparty-pick",
    ),
    path("threads/<int:pk>/", views.thread_detail, name="thread-detail"),
    path(
        "registers/counterparties/search/",
        views.register_counterparty_search,
        name="register-counterparty-search",
    ),
    path(
        "registers/counterparties/pick/",
        views.register_counterparty_pick,
        name="register-counterparty-pick",
    ),
    path("counterparties/search/", views.counterparty_search, name="counterparty-search"),
    path("counterparties/pick/", views.counterparty_pick, name="counterparty-pick"),
    path("counterparties/new/", views.counterparty_create, name="counterparty-create"),
]
