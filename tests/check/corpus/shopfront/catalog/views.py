import asyncio
import functools
import json
import logging

import httpx
from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views import View
from django.views.decorators.http import require_POST

import catalog.services as svc
from .models import Category, Product, Review, Tag
from .repositories import product_repo, user_repo
from .services import CatalogService, featured_queryset
from .services import load_featured as load_things

logger = logging.getLogger(__name__)

SUPPLIER_URL = "https://supplier.example.com/feed.json"
MIRROR_URL = "https://mirror.example.com/feed.json"

catalog_service = CatalogService()


def _apply_rows(rows):
    with transaction.atomic():
        for row in rows:
            Product.objects.filter(sku=row["sku"]).update(stock=row["stock"])
    return len(rows)


async def product_list(request):
    term = request.GET.get("q", "")
    products = Product.objects.in_stock().select_related("category")
    if term:
        products = products.filter(name__icontains=term)
    page = [p async for p in products[:24]]
    total = await products.acount()
    logger.info("listed %s of %s products", len(page), total)
    return render(request, "catalog/list.html", {"products": page, "total": total, "term": term})


async def product_detail(request, pk):
    product = await Product.objects.aget(pk=pk)
    category_name = product.category.name  # expect: AL104
    has_brand = product.brand_id is not None
    rating = product.average_rating  # expect: AL101
    label = product.display_name
    reviews = product.reviews.filter(rating__gte=3)
    return render(request, "catalog/detail.html", {"product": product, "label": label, "category": category_name, "has_brand": has_brand, "rating": rating, "reviews": reviews})  # expect: AL102


async def category_products(request, slug):
    category = await Category.objects.aget(slug=slug)
    products = category.products.all()
    ordered = sorted(products, key=lambda p: p.price_cents)  # expect: AL102
    return JsonResponse({"category": category.name, "skus": [p.sku for p in ordered]})


async def search(request):
    term = request.GET.get("q", "")
    results = product_repo.search(term)
    if (first := await results.afirst()) is None:
        return JsonResponse({"results": []})
    ids = list(results.values_list("id", flat=True))  # expect: AL102
    return JsonResponse({"first": first.name, "ids": ids})


async def featured(request):
    items = load_things()  # expect: AL102
    low = svc.low_stock_report()  # expect: AL101
    threshold_hits = Product.low_stock_count()  # expect: AL101
    prefix = Product.sku_prefix()
    fresh = [p.name async for p in featured_queryset()[:4]]
    value = await asyncio.to_thread(svc.stock_value)
    return JsonResponse(
        {
            "items": [p.sku for p in items],
            "low": low,
            "threshold_hits": threshold_hits,
            "prefix": prefix,
            "fresh": fresh,
            "value": value,
        }
    )


async def new_arrivals(request):
    names = []
    for product in featured_queryset():  # expect: AL102
        names.append(product.name)
    return JsonResponse({"names": names})


async def product_card(request, pk):
    card = await catalog_service.product_card(pk)
    menu = await catalog_service.category_menu()
    extra = await catalog_service.safe_card(pk)
    return JsonResponse({"card": card, "menu": menu, "extra": extra})


async def owner_products(request, user_id):
    owner = user_repo.get_user(user_id)  # expect: AL101
    same = await user_repo.aget_user(user_id)
    mine = product_repo.created_by(same.get_username())
    return JsonResponse({"owner": owner.pk, "count": await mine.acount()})


@require_POST
async def inventory_sync(request):
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.get(SUPPLIER_URL)
        if resp.status_code != 200:
            resp = httpx.get(MIRROR_URL, timeout=10)  # expect: AL201
    payload = resp.json()
    rows = [json.loads(line) for line in payload["lines"]]  # expect: AL302
    try:
        applied = _apply_rows(rows)  # expect: AL101
    except Exception:
        logger.exception("inventory sync failed, retrying in a worker thread")
        applied = await asyncio.to_thread(_apply_rows, rows)
    return JsonResponse({"applied": applied})


@require_POST
async def bulk_restock(request):
    data = json.loads(request.body)
    loop = asyncio.get_running_loop()
    applied = await loop.run_in_executor(None, functools.partial(_apply_rows, data["rows"]))
    applied += await sync_to_async(_apply_rows)(data.get("extra", []))
    return JsonResponse({"applied": applied})


@login_required
@require_POST
async def add_review(request, pk):
    user = await request.auser()
    product = await Product.objects.aget(pk=pk)
    body = request.POST.get("body", "")
    with transaction.atomic():  # expect: AL101
        review = Review.objects.create(product=product, author=user, rating=int(request.POST["rating"]), body=body)  # expect: AL101
        Product.objects.filter(pk=product.pk).update(review_count=F("review_count") + 1)  # expect: AL101
    return JsonResponse({"id": review.pk})


async def tag_product(request, pk, tag_id):
    product = await Product.objects.aget(pk=pk)
    tag = await Tag.objects.aget(pk=tag_id)
    await product.tags.aadd(tag)
    if request.GET.get("exclusive"):
        product.tags.set([tag])  # expect: AL101
    return JsonResponse({"ok": True})


class ProductLookupMixin:
    pk_url_kwarg = "pk"

    def get_product(self):
        return get_object_or_404(Product, pk=self.kwargs[self.pk_url_kwarg])

    async def aget_product(self):
        return await Product.objects.select_related("category", "brand").aget(pk=self.kwargs[self.pk_url_kwarg])


class ProductStockView(ProductLookupMixin, View):
    async def get(self, request, *args, **kwargs):
        product = self.get_product()  # expect: AL101
        return JsonResponse({"sku": product.sku, "stock": product.stock})

    async def post(self, request, *args, **kwargs):
        if not self.request.user.is_staff:  # expect: AL105
            return JsonResponse({"error": "forbidden"}, status=403)
        product = await self.aget_product()
        product.stock = int(request.POST.get("stock", product.stock))
        await product.asave(update_fields=["stock"])
        brand = product.brand.name if product.brand_id else None
        return JsonResponse({"category": product.category.name, "brand": brand})


async def export_csv(request):
    async def rows():
        yield "sku,name,stock\n"
        async for sku, name, stock in Product.objects.in_stock().values_list("sku", "name", "stock"):
            yield f"{sku},{name},{stock}\n"

    return StreamingHttpResponse(rows(), content_type="text/csv")


async def export_categories(request):
    async def rows():
        yield "slug,name\n"
        for category in Category.objects.visible():  # expect: AL102
            yield f"{category.slug},{category.name}\n"

    return StreamingHttpResponse(rows(), content_type="text/csv")


def healthz(request):  # expect: AL403
    return HttpResponse("ok")


class PingView(View):
    def get(self, request):
        return JsonResponse({"pong": True})
