from django.urls import path

from correspondence import views

app_name = "correspondence"

urlpatterns = [
    path("incoming/", views.incoming_list, name="incoming-list"),
    path("incoming/export.xlsx", views.incoming_export, name="incoming-export"),
    path("incoming/new/", views.incoming_register, name="incoming-register"),
    path("incoming/<int:pk>/", views.incoming_detail, name="incoming-detail"),
    path("incoming/<int:pk>/comment/", views.incoming_comment, name="incoming-comment"),
    path("outgoing/<int:pk>/", views.outgoing_detail, name="outgoing-detail"),
    path("threads/<int:pk>/", views.thread_detail, name="thread-detail"),
    path("counterparties/search/", views.counterparty_search, name="counterparty-search"),
    path("counterparties/pick/", views.counterparty_pick, name="counterparty-pick"),
    path("counterparties/new/", views.counterparty_create, name="counterparty-create"),
]
