import hashlib
import json
import secrets
from decimal import Decimal

from asgiref.sync import sync_to_async
from django.contrib.auth.hashers import make_password
from django.core.cache import cache as django_cache
from django.core.cache import caches
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from .decorators import async_login_required, staff_only
from .models import ApiKey, Customer, Invoice, Payment, Tag
from .services import apply_credit, billing, compute_aging, render_pdf


def invoice_pdf(request, pk):
    invoice = Invoice.objects.select_related("customer").get(pk=pk)
    lines = [li.description for li in invoice.lines.all()]
    return HttpResponse(render_pdf(invoice.number, lines), content_type="application/pdf")


@async_login_required
async def invoice_detail(request, pk):
    invoice = billing.repo.get(pk)  # expect: AL101
    return JsonResponse({"number": invoice.number, "customer": invoice.customer.name})


async def invoice_card(request, pk):
    invoice = await Invoice.objects.aget(pk=pk)
    email = invoice.customer.email  # expect: AL104
    owner = await sync_to_async(lambda: invoice.customer.account_manager)()
    full = await Invoice.objects.select_related("customer__company").aget(pk=pk)
    company = full.customer.company.name
    lines = [f"{li.description}: {li.amount}" async for li in invoice.lines.all()]
    pdf = await sync_to_async(render_pdf, thread_sensitive=False)(invoice.number, lines)
    return HttpResponse(pdf, content_type="application/pdf", headers={"X-Company": company, "X-Email": email, "X-Owner": str(owner)})


async def customer_invoices(request, customer_id):
    customer = await Customer.objects.select_related("company").aget(pk=customer_id)
    invoices = billing.repo.open_for(customer)
    summary = await billing.summary(customer)
    recent = request.session.setdefault("recent_customers", [])  # expect: AL105
    return render(request, "billing/customer.html", {"customer": customer, "company": customer.company.name, "invoices": invoices, "summary": summary, "recent": recent})  # expect: AL102


async def overdue_digest(request):
    names = []
    async for inv in Invoice.objects.overdue():
        names.append(inv.customer.name)  # expect: AL104
    total = Invoice.overdue_total()  # expect: AL101
    aging = compute_aging()  # expect: AL102
    aging_bg = await sync_to_async(compute_aging, thread_sensitive=False)()  # expect: AL106
    html = render_to_string("billing/digest.html", {"names": names, "total": total, "aging": aging or aging_bg, "overdue": Invoice.objects.overdue()})  # expect: AL102
    return HttpResponse(html)


@staff_only
@require_POST
async def bulk_import(request):
    rows = json.loads(request.body)["rows"]
    existing = Invoice.objects.in_bulk([r["number"] for r in rows], field_name="number")  # expect: AL101
    new = [Invoice(number=r["number"], customer_id=r["customer"], amount=Decimal(r["amount"])) for r in rows if r["number"] not in existing]
    created = await Invoice.objects.abulk_create(new)
    drafts = []
    for inv in Invoice.objects.filter(status="draft").iterator():  # expect: AL101
        drafts.append(inv.number)
    contact, _ = Customer.objects.get_or_create(email=rows[0]["email"], defaults={"name": rows[0]["name"], "company_id": rows[0]["company"]})  # expect: AL101
    return JsonResponse({"created": len(created), "drafts": drafts, "contact": contact.pk})


@require_POST
async def record_payment(request, pk):
    invoice = await Invoice.objects.aget(pk=pk)
    amount = Decimal(request.POST["amount"])
    payment = Payment(invoice=invoice, reference=request.POST["reference"], amount=amount)
    payment.save()  # expect: AL103
    if Payment.objects.filter(reference=payment.reference).exclude(pk=payment.pk).exists():  # expect: AL101
        payment.delete()  # expect: AL103
        return JsonResponse({"error": "duplicate"}, status=409)
    paid = await apply_credit(invoice, amount)
    draft = request.session.pop("draft_payment", None)  # expect: AL105
    return JsonResponse({"payment": payment.pk, "paid": str(paid), "draft": draft})


async def payment_lookup(request, reference):
    payment = await Payment.objects.aget(reference=reference)
    number = payment.invoice.number  # expect: AL104
    return JsonResponse({"invoice_id": payment.invoice_id, "number": number})


async def untag_customer(request, customer_id, tag_id):
    customer = await Customer.objects.aget(pk=customer_id)
    tag = await Tag.objects.aget(pk=tag_id)
    if await customer.tags.filter(pk=tag.pk).aexists():
        customer.tags.remove(tag)  # expect: AL101
    remaining = customer.tags.all()
    still_tagged = tag in remaining  # expect: AL102
    return JsonResponse({"remaining": len(remaining), "still_tagged": still_tagged})  # expect: AL102


@staff_only
async def issue_api_key(request, customer_id):
    raw = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", raw.encode(), salt, 390000)  # expect: AL301
    fingerprint = hashlib.sha256(raw.encode()).hexdigest()[:8]
    hashed = make_password(raw)  # expect: AL301
    key = await ApiKey.objects.acreate(customer_id=customer_id, prefix=fingerprint, hashed=hashed, salt=salt.hex(), digest=digest.hex())
    django_cache.set(f"apikey:{fingerprint}", key.pk, 3600)  # expect: AL207
    caches["sessions"].delete(f"customer:{customer_id}")  # expect: AL207
    await django_cache.adelete("apikey:stale")
    return JsonResponse({"key": raw, "prefix": fingerprint})
