"""Recompute the document access table from the documents and their tasks (after a data import,
a restore, or moving employees between departments)."""

from django.core.management.base import BaseCommand

from workflow.access import access_rebuild


class Command(BaseCommand):
    help = "Rebuild the document access table from scratch."

    def handle(self, *args, **options) -> None:
        rows = access_rebuild()
        self.stdout.write(f"document access rows: {rows}")
