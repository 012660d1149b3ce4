from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from asgiref.sync import sync_to_async
from django.db import transaction

from .models import Invoice, Payment
from .repositories import InvoiceRepository

if TYPE_CHECKING:
    from django.http import HttpRequest


def compute_aging():
    buckets = {"30": Decimal("0"), "60": Decimal("0"), "90+": Decimal("0")}
    for invoice in Invoice.objects.overdue():
        buckets["30"] += invoice.amount - invoice.paid_amount
    return buckets


def render_pdf(number, lines):
    return ("%PDF-1.4\n" + number + "\n" + "\n".join(lines)).encode()


def client_ip(request: "HttpRequest") -> str:
    return request.META.get("REMOTE_ADDR", "")


class BillingService:
    def __init__(self):
        self.repo = InvoiceRepository()
        self.currency = "EUR"

    def record_payment(self, invoice_id, amount, reference):
        with transaction.atomic():
            invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
            invoice.paid_amount += amount
            invoice.save(update_fields=["paid_amount"])
            return Payment.objects.create(invoice=invoice, amount=amount, reference=reference)

    async def summary(self, customer):
        open_qs = self.repo.open_for(customer)
        totals = self.repo.totals()  # expect: AL101
        return {"open": await open_qs.acount(), "currency": self.currency, **totals}

    async def settle(self, invoice_id, amount, reference):
        return await sync_to_async(self.record_payment)(invoice_id, amount, reference)


async def apply_credit(invoice: "Invoice", amount: Decimal):
    invoice.paid_amount += amount
    invoice.save(update_fields=["paid_amount"])  # expect: AL103
    await invoice.arefresh_from_db()
    return invoice.paid_amount


billing = BillingService()
