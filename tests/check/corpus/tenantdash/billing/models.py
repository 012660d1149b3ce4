from django.db import models


class Invoice(models.Model):
    STATUSES = [("draft", "Draft"), ("open", "Open"), ("paid", "Paid"), ("void", "Void")]

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField(max_length=32)
    amount_cents = models.IntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(max_length=10, choices=STATUSES, default="draft")
    external_id = models.CharField(max_length=64, blank=True, db_index=True)
    pdf_key = models.CharField(max_length=255, blank=True)
    issued_at = models.DateTimeField(null=True)

    def mark_paid(self, external_id):
        Invoice.objects.filter(pk=self.pk).update(status="paid", external_id=external_id)


class UsageRecord(models.Model):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="usage_records")
    metric = models.CharField(max_length=50)
    quantity = models.PositiveIntegerField()
    recorded_at = models.DateTimeField(auto_now_add=True)
