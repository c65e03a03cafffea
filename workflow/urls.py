from django.urls import path

from workflow import views

app_name = "workflow"

urlpatterns = [
    path("tasks/", views.inbox, name="inbox"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("tasks/<int:pk>/snooze/", views.task_snooze, name="task-snooze"),
    path("tasks/instruction/", views.instruction_give, name="instruction-give"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/<int:pk>/", views.notification_open, name="notification-open"),
    path("notifications/read-all/", views.notifications_read_all, name="notification-read-all"),
]
