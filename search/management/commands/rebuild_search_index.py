from django.core.management.base import BaseCommand
from django.db import transaction

from search import indexing, providers


class Command(BaseCommand):
    help = "Index every searchable document again (after an upgrade or a bulk load)."

    def add_arguments(self, parser):
        kinds = [p.kind for p in providers.all_providers()]
        parser.add_argument("--kind", action="append", choices=kinds, help="only these kinds")

    def handle(self, *args, kind=None, **options):
        with transaction.atomic():
            indexing.rebuild(kind, stdout=self.stdout)
