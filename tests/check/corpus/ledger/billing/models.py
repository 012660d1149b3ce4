from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Sum
from django.utils import timezone


class Company(models.Model):
    name = models.CharField(max_length=120)
    vat_number = models.CharField(max_length=32, blank=True)


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)


class Customer(models.Model):
    company = models.ForeignKey(Company, related_name="customers", on_delete=models.CASCADE)
    account_manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(max_length=120)
    email = models.EmailField()
    tags = models.ManyToManyField(Tag, blank=True)


class InvoiceQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status="open")

    def overdue(self):
        return self.open().filter(due_date__lt=timezone.now().date())


class Invoice(models.Model):
    customer = models.ForeignKey(Customer, related_name="invoices", on_delete=models.PROTECT)
    number = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=10, default="draft")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    paid_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    due_date = models.DateField(null=True)

    objects = InvoiceQuerySet.as_manager()

    @classmethod
    def overdue_total(cls):
        return cls.objects.overdue().aggregate(total=Sum("amount"))["total"] or Decimal("0")


class LineItem(models.Model):
    invoice = models.ForeignKey(Invoice, related_name="lines", on_delete=models.CASCADE)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2)


class Payment(models.Model):
    invoice = models.OneToOneField(Invoice, related_name="payment", on_delete=models.PROTECT)
    reference = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    received_at = models.DateTimeField(auto_now_add=True)


class ApiKey(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    prefix = models.CharField(max_length=8)
    hashed = models.CharField(max_length=128)
    salt = models.CharField(max_length=64)
    digest = models.CharField(max_length=128)
