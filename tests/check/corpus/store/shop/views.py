import io
import os
import subprocess

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Avg, Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import View
from PIL import Image

from .models import Category, Customer, Order, OrderLine, Product
from .payments import charge_card, fetch_exchange_rate

User = get_user_model()


async def _lines_payload(order):
    lines = order.lines.select_related("product")
    return [{"sku": line.product.sku, "qty": line.quantity} async for line in lines]


async def product_list(request):  # expect: AL401
    products = Product.objects.filter(stock__gt=0).select_related("category")
    if category := request.GET.get("category"):
        products = products.filter(category__name=category)
    items = [{"name": p.name, "category": p.category.name, "in_stock": p.in_stock()} async for p in products[:50]]
    avg = await Product.objects.aaggregate(avg=Avg("price"))
    return JsonResponse({"items": items, "avg_price": str(avg["avg"])})


async def product_detail(request, sku):  # expect: AL401
    product = await Product.objects.aget(sku=sku)
    category = product.category  # expect: AL104
    siblings = Product.objects.filter(category_id=product.category_id).exclude(pk=product.pk)
    first_sibling = siblings[0] if await siblings.aexists() else None  # expect: AL102
    root = Category.objects.filter(parent__isnull=True).first()  # expect: AL101
    stats = Product.objects.filter(category=category).aggregate(total=Sum("stock"))  # expect: AL101
    return JsonResponse({
        "name": product.name,
        "category": category.name,
        "root": root.name,
        "stock": stats["total"],
        "sibling": first_sibling.sku if first_sibling else None,
    })


async def cart_add(request, sku):  # expect: AL401
    cart = request.session.get("cart", {})  # expect: AL105
    cart[sku] = cart.get(sku, 0) + 1
    request.session["cart"] = cart  # expect: AL105
    return JsonResponse({"items": sum(cart.values())})


async def cart_view(request):  # expect: AL401
    cart = await request.session.aget("cart", {})
    products = Product.objects.filter(sku__in=list(cart))
    rows = [{"sku": p.sku, "qty": cart[p.sku], "price": str(p.price)} async for p in products]
    return JsonResponse({"rows": rows})


async def checkout(request):  # expect: AL401
    user = await request.auser()
    customer = await Customer.objects.aget(user=user)
    cart = await request.session.aget("cart", {})
    rate = fetch_exchange_rate("EUR")  # expect: AL201
    total = 0
    with transaction.atomic():  # expect: AL101
        order = Order(customer=customer)
        order.save()  # expect: AL103
        for sku, qty in cart.items():
            product = await Product.objects.aget(sku=sku)
            await OrderLine.objects.acreate(order=order, product=product, quantity=qty)
            total += product.price * qty
    charge_card(customer, total * rate)  # expect: AL201
    order.total = total
    await order.asave(update_fields=["total"])
    send_mail("Order received", f"Thanks for order #{order.pk}", None, [user.email])  # expect: AL206
    await request.session.apop("cart")
    return JsonResponse({"order": order.pk, "total": str(total)})


async def upload_image(request, sku):  # expect: AL401
    product = await Product.objects.aget(sku=sku)
    img = Image.open(request.FILES["image"])
    img = img.convert("RGB")  # expect: AL301
    img.thumbnail((800, 800))  # expect: AL301
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=85)
    folder = os.path.join(settings.MEDIA_ROOT, "products")
    os.makedirs(folder, exist_ok=True)  # expect: AL203
    path = os.path.join(folder, f"{sku}.jpg")
    with open(path, "wb") as fh:  # expect: AL203
        fh.write(buf.getvalue())  # expect: AL203
    subprocess.run(["jpegoptim", "--strip-all", path], check=True)  # expect: AL204
    product.image.name = f"products/{sku}.jpg"
    await product.asave(update_fields=["image"])
    return JsonResponse({"image": product.image.url})


class OrderView(View):
    async def get(self, request, pk):  # expect: AL401
        order = await Order.objects.select_related("customer__user").aget(pk=pk)
        if order.customer.user_id != (await request.auser()).id:
            return HttpResponse(status=403)
        return JsonResponse({"status": order.status, "lines": await _lines_payload(order)})

    async def post(self, request, pk):  # expect: AL401
        order = await Order.objects.aget(pk=pk)
        order.status = "cancelled"
        await order.asave(update_fields=["status"])
        order.products.clear()  # expect: AL101
        return JsonResponse({"status": order.status, "customer": order.customer_id})


def register(request):
    password = make_password(request.POST["password"])
    user = User.objects.create(username=request.POST["username"], password=password)
    Customer.objects.create(user=user, phone=request.POST.get("phone", ""))
    return JsonResponse({"id": user.pk}, status=201)


def order_history(request):
    orders = Order.objects.filter(customer__user=request.user).prefetch_related("lines__product")
    rate = fetch_exchange_rate("EUR")
    return render(request, "shop/orders.html", {"orders": orders, "count": orders.count(), "rate": rate})
