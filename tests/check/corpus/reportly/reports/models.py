from django.conf import settings
from django.db import models


class DataSource(models.Model):
    name = models.CharField(max_length=100)
    dsn = models.CharField(max_length=500)
    kind = models.CharField(max_length=20, default="postgres")


class Report(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="reports")
    title = models.CharField(max_length=200)
    query_sql = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)


class ReportRun(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=20, default="running")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    row_count = models.IntegerField(null=True, blank=True)
    output_file = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)


class Chart(models.Model):
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="chart")
    image_path = models.CharField(max_length=500)
    thumb_path = models.CharField(max_length=500, blank=True)


class ReportShare(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="shares")
    token_hash = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
