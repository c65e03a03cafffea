import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.helpers import give
from workflow.jobs import notification_email
from workflow.models import Notification


def test_new_task_notifies_in_app_and_by_email_once(org, django_capture_on_commit_callbacks):
    """GIVEN an employee with an email WHEN they get a task
    THEN an unread notification appears and one email is sent through the outbox after the
    commit (emailed_at = when the server accepted it); re-running the old job sends none."""
    with django_capture_on_commit_callbacks(execute=True):
        give(org["sales_head"], org["seller"], "Подготовить отчёт")
    notification = Notification.objects.get(recipient=org["seller"])
    assert notification.read_at is None and notification.emailed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [org["seller"].email]
    assert "Подготовить отчёт" in mail.outbox[0].subject
    assert notification_email(notification.pk) is False
    assert len(mail.outbox) == 1


def test_navbar_counts_unread_notifications_and_opening_one_marks_it_read(client, org):
    give(org["sales_head"], org["seller"], "Первое")
    give(org["sales_head"], org["seller"], "Второе")
    client.force_login(org["seller"])
    html = client.get("/notifications/").content.decode()
    assert 'data-testid="nav-notification-count">2<' in html
    notification = Notification.objects.filter(recipient=org["seller"]).first()
    response = client.get(reverse("workflow:notification-open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == notification.url
    html = client.get("/notifications/").content.decode()
    assert 'data-testid="nav-notification-count">1<' in html
    client.post(reverse("workflow:notification-read-all"))
    assert not Notification.objects.filter(recipient=org["seller"], read_at__isnull=True).exists()


def test_navbar_counters_stop_at_99(client, org):
    """GIVEN someone with 100 open tasks and 100 unread notifications THEN the navigation bar
    reads «99+» for both instead of counting them on every page; with 99 the number is exact."""
    for number in range(100):
        give(org["sales_head"], org["seller"], f"Поручение {number}")
    client.force_login(org["seller"])
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/notifications/").content.decode()
    assert 'data-testid="nav-task-count">99+<' in html
    assert 'data-testid="nav-notification-count">99+<' in html
    # both badges are counted by one query, on every page
    counters = [q["sql"] for q in queries.captured_queries if "count(*)" in q["sql"].lower()]
    both = [sql for sql in counters if "workflow_task" in sql and "workflow_notification" in sql]
    assert len(both) == 1
    assert not [sql for sql in counters if sql not in both and "LIMIT 100" in sql]
    Notification.objects.filter(
        pk=Notification.objects.filter(recipient=org["seller"]).first().pk
    ).delete()
    html = client.get("/notifications/").content.decode()
    assert 'data-testid="nav-notification-count">99<' in html
    # the statement is compiled once for everyone: each person still gets their own counts
    client.force_login(org["seller2"])
    html = client.get("/notifications/").content.decode()
    assert 'data-testid="nav-task-count">99' not in html
    assert 'data-testid="nav-notification-count"' not in html


@pytest.mark.parametrize("viewer", ["seller2", "sales_head"])
def test_someone_elses_notification_is_404(client, org, viewer):
    give(org["sales_head"], org["seller"])
    notification = Notification.objects.get(recipient=org["seller"])
    client.force_login(org[viewer])
    response = client.get(reverse("workflow:notification-open", args=[notification.pk]))
    assert response.status_code == 404
    assert Notification.objects.get(pk=notification.pk).read_at is None
