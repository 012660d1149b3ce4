import asyncio

from django.core.management.base import BaseCommand

from articles.maintenance import nightly, ping_search_engines, publish_due, warm_sections


class Command(BaseCommand):
    help = "Publish scheduled articles, optionally warming caches and pinging search engines."

    def add_arguments(self, parser):
        parser.add_argument("--warm", action="store_true")
        parser.add_argument("--ping", action="store_true")
        parser.add_argument("--nightly", action="store_true")

    def handle(self, *args, **options):
        if options["nightly"]:
            summary = asyncio.run(nightly())
            self.stdout.write(self.style.SUCCESS(f"nightly: {summary}"))
            return
        count = publish_due()
        self.stdout.write(f"published {count} article(s)")
        if options["warm"]:
            warmed = asyncio.run(warm_sections())
            self.stdout.write(f"warmed {warmed} section page(s)")
        if options["ping"]:
            status = asyncio.run(ping_search_engines())
            self.stdout.write(f"ping status {status}")
