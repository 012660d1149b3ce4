"""Old CSV export kept around from the Python 2 days; not imported anywhere."""
import csv


def export_events(events, fh)  # expect: AL001
    writer = csv.writer(fh)
    for e in events:
        writer.writerow([e.kind, e.created])
