import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from argo_docs.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Creates the demo organisation (seed 000) with demo logins. DEBUG only."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "The demo data has known passwords: it is loaded only with DJANGO_DEBUG=true."
            )
        # the queue logs every enqueued notification email at INFO: noise on this screen
        queue_logger = logging.getLogger("django-q")
        level = queue_logger.level
        queue_logger.setLevel(logging.WARNING)
        try:
            logins = load_demo()
        finally:
            queue_logger.setLevel(level)
        self.stdout.write(self.style.SUCCESS("Demo organisation is ready. Logins:"))
        for username, who in logins:
            self.stdout.write(f"  {username:<11} {who}")
        self.stdout.write(f"Password for every demo login: {DEMO_PASSWORD}")
