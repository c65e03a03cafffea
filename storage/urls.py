from django.urls import path

from storage import views

app_name = "storage"

urlpatterns = [
    path("<int:pk>/download/", views.download, name="download"),
]
