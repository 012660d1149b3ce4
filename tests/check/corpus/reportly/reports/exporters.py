import csv
import io
import os

from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def rows_to_csv_bytes(header, rows):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def export_csv(run, header, rows):
    os.makedirs(settings.EXPORT_ROOT, exist_ok=True)
    path = os.path.join(settings.EXPORT_ROOT, f"run-{run.pk}.csv")
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def build_pdf(title, header, rows):
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    width, height = A4
    y = height - 60
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(40, y, title)
    pdf.setFont("Helvetica", 9)
    y -= 30
    pdf.drawString(40, y, " | ".join(str(h) for h in header))
    for row in rows:
        y -= 14
        if y < 40:
            pdf.showPage()
            pdf.setFont("Helvetica", 9)
            y = height - 40
        pdf.drawString(40, y, " | ".join(str(v) for v in row))
    pdf.save()
    return buf.getvalue()
