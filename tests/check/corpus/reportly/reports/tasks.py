"""Worker jobs. Registered with Celery at the bottom of the module; the web code sometimes calls them inline."""
import os
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from reportly.celery import app
from reports.models import Chart, ReportRun
from reports.thumbnails import make_thumbnail


def refresh_row_counts(report_id):
    cutoff = timezone.now() - timedelta(hours=6)
    stale = ReportRun.objects.filter(report_id=report_id, status="running", started_at__lt=cutoff).update(status="stale")
    done = ReportRun.objects.filter(report_id=report_id, status="done").count()
    return {"stale": stale, "done": done}


def purge_old_exports(days=30):
    cutoff = time.time() - days * 86400
    removed = 0
    for name in os.listdir(settings.EXPORT_ROOT):
        path = os.path.join(settings.EXPORT_ROOT, name)
        if os.path.isfile(path) and os.path.getmtime(path) < cutoff:
            os.remove(path)
            removed += 1
    return removed


def regenerate_thumbnail(chart_id):
    chart = Chart.objects.get(pk=chart_id)
    make_thumbnail(chart.image_path, chart.thumb_path)
    return chart.thumb_path


refresh_row_counts_task = app.task(name="reports.refresh_row_counts")(refresh_row_counts)
purge_old_exports_task = app.task(name="reports.purge_old_exports")(purge_old_exports)
regenerate_thumbnail_task = app.task(name="reports.regenerate_thumbnail")(regenerate_thumbnail)
