import asyncio
import logging

from asgiref.sync import sync_to_async
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import get_list_or_404, render

from billing.models import Customer, Invoice, Payment
from billing.services import billing

logger = logging.getLogger(__name__)


def _open_invoices(customer_id=None):
    qs = Invoice.objects.open()
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return qs


async def reports_index(request):
    open_count, overdue_count, payments = await asyncio.gather(  # expect: AL107
        Invoice.objects.open().acount(),
        Invoice.objects.overdue().acount(),
        Payment.objects.acount(),
    )
    invoices = _open_invoices()
    first = None
    if invoices:  # expect: AL102
        first = invoices[0]  # expect: AL102
    newest = invoices.order_by("-id")[:5]
    numbers = [i.number async for i in newest]
    return JsonResponse({"open": open_count, "overdue": overdue_count, "payments": payments, "first": first.number if first else None, "newest": numbers})


async def customer_report(request, customer_id):
    invoices = get_list_or_404(Invoice, customer_id=customer_id)  # expect: AL101
    total = sum(i.amount for i in invoices)
    snapshot = tuple(_open_invoices(customer_id))  # expect: AL102
    has_open = bool(Invoice.objects.open().filter(customer_id=customer_id))  # expect: AL102
    stats = await Invoice.objects.filter(customer_id=customer_id).aaggregate(paid=Sum("paid_amount"))
    return JsonResponse({"count": len(invoices), "total": str(total), "open": len(snapshot), "has_open": has_open, "paid": str(stats["paid"])})


async def report_filters(request):
    filters = request.session.setdefault("report_filters", {})  # expect: AL105
    if "currency" in request.GET:
        filters["currency"] = request.GET["currency"]
    remembered = "report_filters" in request.session  # expect: AL105
    return JsonResponse({"filters": filters, "remembered": remembered})


async def close_period(request, customer_id):
    customer = await Customer.objects.aget(pk=customer_id)
    summary, _ = Invoice.objects.update_or_create(number=f"SUM-{customer.pk}", defaults={"customer": customer, "amount": 0})  # expect: AL101
    plan = Invoice.objects.open().filter(customer=customer).explain()  # expect: AL101
    member = await Invoice.objects.open().filter(customer=customer).acontains(summary)
    other = await Invoice.objects.filter(customer=customer).afirst()
    if other is not None and Invoice.objects.open().contains(other):  # expect: AL101
        logger.info("customer %s still has open invoices", customer.pk)
    rows = await sync_to_async(lambda: list(_open_invoices(customer.pk)))()
    details = await billing.summary(customer)
    return render(request, "reports/close.html", {"customer": customer, "plan": plan, "member": member, "rows": rows, "summary": details})


async def slow_report(request):
    data = await sync_to_async(_totals_by_customer)()
    inline = _totals_by_customer()  # expect: AL102
    return JsonResponse({"data": data, "inline": inline})


def _totals_by_customer():
    return {row["customer_id"]: str(row["total"]) for row in Invoice.objects.values("customer_id").annotate(total=Sum("amount"))}
