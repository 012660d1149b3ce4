"""Catalog service layer shared by the storefront views."""
import logging

from django.db.models import Sum

from .models import Product
from .repositories import CategoryRepository, ProductRepository

logger = logging.getLogger(__name__)

FEATURED_LIMIT = 8


def load_featured():
    return list(Product.objects.in_stock().order_by("-created_at")[:FEATURED_LIMIT])


def featured_queryset():
    return Product.objects.in_stock().order_by("-created_at")


def low_stock_report(threshold=5):
    return Product.objects.filter(stock__lt=threshold).count()


def stock_value():
    return Product.objects.aggregate(total=Sum("stock"))["total"] or 0


def format_price(cents):
    return f"${cents / 100:.2f}"


class CatalogService:
    def __init__(self):
        self.products = ProductRepository()
        self.categories = CategoryRepository()
        self._memo = {}

    def lookup_cached(self, key):
        return self._memo.get(key)

    async def product_card(self, pk):
        product = self.products.fetch(pk)  # expect: AL101
        return {"id": product.pk, "name": product.name, "price": format_price(product.price_cents)}

    async def category_menu(self):
        menu = self.categories.visible_names()  # expect: AL102
        cached = self.lookup_cached("menu")
        return cached or menu

    async def safe_card(self, pk):
        product = await self.products.afetch(pk)
        logger.debug("card for %s", pk)
        return {"id": product.pk, "category": product.category.name}
