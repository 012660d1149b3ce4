"""Pre-2019 CSV exporter, kept for reference only (never imported)."""
import csv


class LegacyExporter(object)  # expect: AL001
    def __init__(self, stream):
        self.writer = csv.writer(stream)

    def run(self, rows):
        for row in rows:
            self.writer.writerow(row)
