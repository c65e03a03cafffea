from django.urls import path

from memos import views

app_name = "memos"

urlpatterns = [
    path("", views.memo_list, name="list"),
    path("export.xlsx", views.memo_export, name="export"),
    path("new/", views.memo_form, name="create"),
    path("<int:pk>/", views.memo_detail, name="detail"),
    path("<int:pk>/edit/", views.memo_form, name="edit"),
    path("<int:pk>/submit/", views.memo_act, {"action": "submit"}, name="submit"),
    path("<int:pk>/withdraw/", views.memo_act, {"action": "withdraw"}, name="withdraw"),
]
