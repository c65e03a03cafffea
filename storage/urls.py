from django.urls import path

from storage import views

app_name = "storage"

urlpatterns = [
    path("<int:pk>/download/", views.download, name="download"),
    path("folders/", views.folder_browser, name="folder-root"),
    path("folders/<int:pk>/", views.folder_browser, name="folder"),
]
