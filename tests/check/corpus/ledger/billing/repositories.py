from django.db.models import Sum

from .models import Invoice


class InvoiceRepository:
    def get(self, pk):
        return Invoice.objects.select_related("customer").get(pk=pk)

    async def aget(self, pk):
        return await Invoice.objects.select_related("customer__company").aget(pk=pk)

    def open_for(self, customer):
        return Invoice.objects.open().filter(customer=customer)

    def totals(self):
        return Invoice.objects.aggregate(total=Sum("amount"), paid=Sum("paid_amount"))
