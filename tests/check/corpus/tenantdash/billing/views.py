import asyncio
import csv
import io
import json
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Sum
from django.http import HttpResponse, JsonResponse
from django.views import View

from accounts.permissions import OwnerRequiredMixin, TenantMemberRequiredMixin
from billing.models import Invoice, UsageRecord
from clients.payments import PaymentsClient, PaymentsError, verify_signature
from clients.storage import ObjectStorage, presign_download

logger = logging.getLogger(__name__)


@sync_to_async(thread_sensitive=False)  # expect: AL106
def _load_usage(tenant_id):
    rows = UsageRecord.objects.filter(tenant_id=tenant_id).values("metric").annotate(total=Sum("quantity"))
    return {row["metric"]: row["total"] for row in rows}


@sync_to_async
def _paid_total(tenant_id):
    return Invoice.objects.filter(tenant_id=tenant_id, status="paid").aggregate(total=Sum("amount_cents"))["total"] or 0


class InvoiceListView(TenantMemberRequiredMixin, View):
    def _row(self, invoice):
        return {
            "number": invoice.number,
            "amount": invoice.amount_cents,
            "currency": invoice.currency,
            "status": invoice.status,
        }

    async def get(self, request, tenant_slug):
        invoices = Invoice.objects.filter(tenant=self.tenant).order_by("-issued_at")
        status = request.GET.get("status")
        if status:
            invoices = invoices.filter(status=status)
        results = [self._row(inv) for inv in invoices]  # expect: AL102
        paid = await _paid_total(self.tenant.pk)
        usage = await _load_usage(self.tenant.pk)
        return JsonResponse({"results": results, "paid_total": paid, "usage": usage})


class InvoicePdfView(TenantMemberRequiredMixin, View):
    async def get(self, request, tenant_slug, number):
        invoice = await Invoice.objects.filter(tenant=self.tenant, number=number).afirst()
        if invoice is None:
            return JsonResponse({"error": "not found"}, status=404)
        logger.info("invoice %s downloaded by user %s", number, self.request.user.pk)  # expect: AL105
        url = presign_download(settings.TENANT_BUCKET, invoice.pdf_key, expires=300)
        return JsonResponse({"url": url})


class UsageSummaryView(TenantMemberRequiredMixin, View):
    async def get(self, request, tenant_slug):
        qs = UsageRecord.objects.filter(tenant=self.tenant)
        try:
            latest = qs.latest("recorded_at")  # expect: AL101
        except UsageRecord.DoesNotExist:
            return JsonResponse({"total": 0, "last_recorded_at": None})
        totals = qs.aggregate(total=Sum("quantity"))  # expect: AL101
        return JsonResponse({"total": totals["total"], "last_recorded_at": latest.recorded_at.isoformat()})


class UsageUploadView(TenantMemberRequiredMixin, View):
    async def post(self, request, tenant_slug):
        upload = request.FILES["file"]
        content = upload.read()
        storage = ObjectStorage(bucket=settings.TENANT_BUCKET)
        key = f"tenants/{self.tenant.slug}/usage/{upload.name}"
        storage.put_object(key, content, content_type="text/csv")  # expect: AL201
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
        records = [UsageRecord(tenant=self.tenant, metric=r["metric"], quantity=int(r["quantity"])) for r in rows]
        UsageRecord.objects.bulk_create(records, batch_size=500)  # expect: AL101
        return JsonResponse({"imported": len(records), "key": key}, status=201)


class UsageUploadV2View(TenantMemberRequiredMixin, View):
    async def post(self, request, tenant_slug):
        upload = request.FILES["file"]
        content = upload.read()
        storage = ObjectStorage(bucket=settings.TENANT_BUCKET)
        key = f"tenants/{self.tenant.slug}/usage/{upload.name}"
        await asyncio.to_thread(storage.put_object, key, content, "text/csv")
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
        records = [UsageRecord(tenant=self.tenant, metric=r["metric"], quantity=int(r["quantity"])) for r in rows]
        await UsageRecord.objects.abulk_create(records, batch_size=500)
        return JsonResponse({"imported": len(records), "key": key}, status=201)


class CheckoutView(OwnerRequiredMixin, View):
    async def post(self, request, tenant_slug):
        plan = json.loads(request.body or b"{}").get("plan")
        if plan not in settings.PLANS:
            return JsonResponse({"error": "unknown plan"}, status=400)
        client = PaymentsClient(settings.PAYMENTS_API_KEY)
        if not self.tenant.stripe_customer_id:
            user = await request.auser()
            customer = client.create_customer(email=user.email, name=self.tenant.name)  # expect: AL201
            self.tenant.stripe_customer_id = customer["id"]
            await self.tenant.asave(update_fields=["stripe_customer_id"])
        try:
            session = await client.acreate_checkout_session(self.tenant.stripe_customer_id, settings.PLANS[plan])
        except PaymentsError as exc:
            return JsonResponse({"error": str(exc)}, status=502)
        return JsonResponse({"url": session["url"]})


class SyncInvoicesView(OwnerRequiredMixin, View):
    async def post(self, request, tenant_slug):
        client = PaymentsClient(settings.PAYMENTS_API_KEY)
        remote = await asyncio.to_thread(client.list_invoices, self.tenant.stripe_customer_id)
        existing = list(Invoice.objects.filter(tenant=self.tenant).values_list("external_id", flat=True))  # expect: AL102
        created = 0
        for item in remote:
            if item["id"] in existing and item["status"] != "paid":
                continue
            _, was_created = await Invoice.objects.aupdate_or_create(
                tenant=self.tenant,
                external_id=item["id"],
                defaults={"number": item["number"], "amount_cents": item["amount_due"], "status": item["status"]},
            )
            created += int(was_created)
        return JsonResponse({"synced": len(remote), "created": created})


class RetryInvoiceView(OwnerRequiredMixin, View):
    async def post(self, request, tenant_slug, number):
        invoice = await Invoice.objects.aget(tenant=self.tenant, number=number)
        client = PaymentsClient(settings.PAYMENTS_API_KEY)
        result = await client.aretry_invoice(invoice.external_id)
        return JsonResponse({"status": result.get("status")})


class PaymentsWebhookView(View):
    async def post(self, request):
        signature = request.headers.get("Payments-Signature", "")
        if not verify_signature(request.body, signature, settings.PAYMENTS_WEBHOOK_SECRET):
            return HttpResponse(status=400)
        event = json.loads(request.body)
        if event.get("type") == "invoice.paid":
            obj = event["data"]
            invoice = await Invoice.objects.filter(external_id=obj["id"]).afirst()
            if invoice is not None:
                invoice.mark_paid(obj["id"])  # expect: AL101
                tenant = invoice.tenant  # expect: AL104
                send_mail("Payment received", f"{tenant.name} paid invoice {invoice.number}.", settings.DEFAULT_FROM_EMAIL, [settings.BILLING_EMAIL])  # expect: AL206
        return HttpResponse(status=200)
