import asyncio
import csv
import hashlib
import io
import json
import lzma
import os
import secrets
import smtplib
import subprocess
import time
from datetime import timedelta
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import aiofiles
import psycopg
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, Max
from django.http import FileResponse, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from PIL import Image

from reports.archives import build_zip
from reports.exporters import build_pdf, export_csv, rows_to_csv_bytes
from reports.models import Chart, Report, ReportRun, ReportShare
from reports.rawsql import external_rows, stage_rows
from reports.tasks import purge_old_exports, refresh_row_counts, regenerate_thumbnail
from reports.thumbnails import make_thumbnail, thumbnail_bytes
from reports.tools import WKHTMLTOPDF, ahtml_to_pdf, directory_size


def dashboard(request):
    recent = ReportRun.objects.select_related("report").order_by("-started_at")[:20]
    by_status = ReportRun.objects.values("status").annotate(n=Count("id"))
    return render(request, "reports/dashboard.html", {"recent": recent, "by_status": list(by_status)})


async def report_list(request):  # expect: AL401
    reports = Report.objects.filter(owner=request.user).order_by("-created_at")  # expect: AL105
    return render(request, "reports/list.html", {"reports": reports})  # expect: AL102


async def overview_counts(request):  # expect: AL401
    reports, failed = await asyncio.gather(Report.objects.acount(), ReportRun.objects.filter(status="failed").acount())  # expect: AL107
    export_bytes, running = await asyncio.gather(
        asyncio.to_thread(directory_size, settings.EXPORT_ROOT),
        ReportRun.objects.filter(status="running").acount(),
    )
    return JsonResponse({"reports": reports, "failed": failed, "running": running, "export_bytes": export_bytes})


async def run_report_now(request, pk):  # expect: AL401
    report = await Report.objects.aget(pk=pk)
    source = report.source  # expect: AL104
    run = await ReportRun.objects.acreate(report=report, status="running")
    try:
        header, rows = external_rows(source.dsn, report.query_sql)  # expect: AL208
    except psycopg.Error as exc:
        run.status = "failed"
        run.error = str(exc)
        await run.asave()
        return JsonResponse({"run": run.pk, "error": run.error}, status=502)
    run.output_file = export_csv(run, header, rows)  # expect: AL203
    run.status = "done"
    run.row_count = len(rows)
    run.finished_at = timezone.now()
    await run.asave()
    return JsonResponse({"run": run.pk, "rows": run.row_count})


async def export_csv_view(request, pk):  # expect: AL401
    report = await Report.objects.select_related("source").aget(pk=pk)
    header, rows = await asyncio.to_thread(external_rows, report.source.dsn, report.query_sql)
    delimiter = ","
    if "export_delimiter" in request.session:  # expect: AL105
        delimiter = request.session["export_delimiter"]  # expect: AL105
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    export_dir = Path(settings.EXPORT_ROOT) / str(report.pk)
    export_dir.mkdir(parents=True, exist_ok=True)  # expect: AL203
    target = export_dir / f"{report.pk}-{int(time.time())}.csv"
    target.write_text(buf.getvalue(), encoding="utf-8")  # expect: AL203
    response = HttpResponse(buf.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{target.name}"'
    return response


async def export_pdf_view(request, pk):  # expect: AL401
    report = await Report.objects.aget(pk=pk)
    runs = ReportRun.objects.filter(report=report).order_by("-started_at")[:50]
    html = render_to_string("reports/pdf.html", {"report": report, "runs": runs})  # expect: AL102
    html_path = os.path.join(settings.EXPORT_ROOT, f"report-{report.pk}.html")
    with open(html_path, "w", encoding="utf-8") as fh:  # expect: AL203
        fh.write(html)  # expect: AL203
    pdf_path = html_path[:-5] + ".pdf"
    subprocess.run([WKHTMLTOPDF, "--quiet", html_path, pdf_path], check=True, timeout=120)  # expect: AL204
    return FileResponse(open(pdf_path, "rb"), as_attachment=True, filename=f"report-{report.pk}.pdf")  # expect: AL203


async def export_pdf_v2(request, pk):  # expect: AL401
    report = await Report.objects.aget(pk=pk)
    runs = [r async for r in ReportRun.objects.filter(report=report).order_by("-started_at")[:50]]
    html = render_to_string("reports/pdf.html", {"report": report, "runs": runs})
    html_path = os.path.join(settings.EXPORT_ROOT, f"report-{report.pk}-v2.html")
    async with aiofiles.open(html_path, "w", encoding="utf-8") as fh:
        await fh.write(html)
    pdf_path = await ahtml_to_pdf(html_path, html_path[:-5] + ".pdf")
    async with aiofiles.open(pdf_path, "rb") as fh:
        data = await fh.read()
    return HttpResponse(data, content_type="application/pdf")


async def summary_pdf(request, pk):  # expect: AL401
    report = await Report.objects.select_related("source").aget(pk=pk)
    header, rows = await asyncio.to_thread(external_rows, report.source.dsn, report.query_sql)
    rows.sort(key=lambda r: str(r[0]))
    data = await asyncio.to_thread(build_pdf, report.title, header, rows[:500])
    return HttpResponse(data, content_type="application/pdf")


async def upload_chart(request, pk):  # expect: AL401
    report = await Report.objects.aget(pk=pk)
    data = request.FILES["image"].read()
    chart_dir = os.path.join(settings.MEDIA_ROOT, "charts")
    os.makedirs(chart_dir, exist_ok=True)  # expect: AL203
    src = os.path.join(chart_dir, f"{report.pk}.png")
    async with aiofiles.open(src, "wb") as fh:
        await fh.write(data)
    dst = src[:-4] + "-thumb.jpg"
    await asyncio.to_thread(make_thumbnail, src, dst)
    preview = await thumbnail_bytes(data)
    await Chart.objects.aupdate_or_create(report=report, defaults={"image_path": src, "thumb_path": dst})
    return JsonResponse({"thumb": dst, "preview_bytes": len(preview)})


async def rotate_chart(request, pk):  # expect: AL401
    chart = await Chart.objects.aget(report_id=pk)
    img = Image.open(chart.image_path)
    rotated = img.rotate(-90, expand=True)  # expect: AL301
    rotated.save(chart.image_path)
    make_thumbnail(chart.image_path, chart.thumb_path)  # expect: AL301
    chart.thumb_path = chart.thumb_path or chart.image_path
    chart.save()  # expect: AL103
    return JsonResponse({"ok": True})


async def regenerate_chart(request, pk):  # expect: AL401
    chart = await Chart.objects.aget(report_id=pk)
    thumb = await asyncio.to_thread(regenerate_thumbnail, chart.pk)
    return JsonResponse({"thumb": thumb})


async def download_bundle(request, pk):  # expect: AL401
    report = await Report.objects.aget(pk=pk)
    paths = [run.output_file async for run in report.runs.exclude(output_file="")]
    data = await asyncio.to_thread(build_zip, paths)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="report-{report.pk}.zip"'
    return response


async def run_history(request, pk):  # expect: AL401
    runs = ReportRun.objects.filter(report_id=pk).order_by("-started_at")
    total = len(runs)  # expect: AL102
    if total == 0:
        return JsonResponse({"runs": []})
    latest = runs[0]  # expect: AL102
    stats = runs.aggregate(avg_rows=Avg("row_count"), max_rows=Max("row_count"))  # expect: AL101
    rows = [{"id": r.pk, "status": r.status, "rows": r.row_count} for r in runs]  # expect: AL102
    lines = []
    for row in rows:
        lines.append(json.dumps(row))  # expect: AL302
    return JsonResponse({"latest": latest.status, "stats": stats, "total": total, "ndjson": "\n".join(lines)})


async def table_stats(request):  # expect: AL401
    with connection.cursor() as cursor:  # expect: AL101
        cursor.execute("SELECT status, COUNT(*) FROM reports_reportrun GROUP BY status")
        local = dict(cursor.fetchall())
    with psycopg.connect(settings.WAREHOUSE_DSN) as conn:  # expect: AL208
        remote = conn.execute("SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY 2 DESC LIMIT 20").fetchall()  # expect: AL208
    return JsonResponse({"runs_by_status": local, "warehouse": [{"table": t, "rows": n} for t, n in remote]})


async def import_dataset(request):  # expect: AL401
    upload = request.FILES["file"]
    raw = upload.read()
    if upload.name.endswith(".xz"):
        raw = lzma.decompress(raw)  # expect: AL301
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8")))
    pairs = [(row["key"], row["value"]) for row in reader]
    staged = stage_rows(settings.SCRATCH_DB, pairs)  # expect: AL208

    def keep_copy():
        os.makedirs(settings.IMPORT_ARCHIVE, exist_ok=True)
        with open(os.path.join(settings.IMPORT_ARCHIVE, os.path.basename(upload.name)), "wb") as fh:
            fh.write(raw)

    keep_copy()  # expect: AL203
    return JsonResponse({"staged": staged})


async def email_report(request, pk):  # expect: AL401
    report = await Report.objects.select_related("owner", "source").aget(pk=pk)
    header, rows = await asyncio.to_thread(external_rows, report.source.dsn, report.query_sql)
    msg = MIMEMultipart()
    msg["Subject"] = f"Report: {report.title}"
    msg["From"] = settings.DEFAULT_FROM_EMAIL
    msg["To"] = report.owner.email
    msg.attach(MIMEText("Your report is attached.", "plain"))
    msg.attach(MIMEApplication(rows_to_csv_bytes(header, rows), Name=f"report-{report.pk}.csv"))
    with smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=10) as smtp:  # expect: AL206
        smtp.starttls()  # expect: AL206
        smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)  # expect: AL206
        smtp.send_message(msg)  # expect: AL206
    return JsonResponse({"sent_to": report.owner.email})


async def maintenance(request):  # expect: AL401
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    removed = purge_old_exports(days=int(request.POST.get("days", "30")))  # expect: AL203
    counts = refresh_row_counts(int(request.POST["report"]))  # expect: AL101
    other = await sync_to_async(lambda: list(Report.objects.filter(pk__gt=0).values_list("pk", flat=True)[:100]))()
    return JsonResponse({"removed": removed, "counts": counts, "checked": len(other)})


async def wait_for_run(request, pk):  # expect: AL401
    for _ in range(20):
        run = await ReportRun.objects.aget(pk=pk)
        if run.status != "running":
            return JsonResponse({"status": run.status, "rows": run.row_count})
        time.sleep(0.5)  # expect: AL202
    return JsonResponse({"status": "running"}, status=202)


async def create_share_link(request, pk):  # expect: AL401
    report = await Report.objects.aget(pk=pk)
    if ReportShare.objects.filter(report=report, created_at__gte=timezone.now() - timedelta(minutes=1)).exists():  # expect: AL101
        return JsonResponse({"error": "too many share links"}, status=429)
    token = secrets.token_urlsafe(24)
    digest = hashlib.pbkdf2_hmac("sha256", token.encode(), settings.SECRET_KEY.encode(), 120_000)  # expect: AL301
    fingerprint = hashlib.sha256(token.encode()).hexdigest()[:12]
    await ReportShare.objects.acreate(report=report, token_hash=digest.hex(), fingerprint=fingerprint)
    return JsonResponse({"url": f"/shared/{token}/", "fingerprint": fingerprint}, status=201)
