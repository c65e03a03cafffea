"""Create or update the intake mailbox described by ARGO_INTAKE_IMAP_* variables."""

from django.core.management.base import BaseCommand

from intake.setup import mailbox_from_env


class Command(BaseCommand):
    help = "Create or update the intake mailbox described by the ARGO_INTAKE_IMAP_* variables."

    def handle(self, *args, **options) -> None:
        mailbox = mailbox_from_env()
        if mailbox is None:
            self.stdout.write("ARGO_INTAKE_IMAP_HOST is not set: no mailbox configured")
        else:
            self.stdout.write(
                f"mailbox «{mailbox.name}»: {mailbox.username}@{mailbox.host}:{mailbox.port} "
                f"({mailbox.security}), polled every minute by the worker"
            )
