from django.contrib.auth import aauthenticate, alogin, alogout, authenticate, get_user_model, login
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

User = get_user_model()


async def login_view(request):
    if request.method != "POST":
        return render(request, "accounts/login.html", {"next": request.GET.get("next", "/")})
    user = await aauthenticate(request, username=request.POST.get("username"), password=request.POST.get("password"))
    if user is None:
        return render(request, "accounts/login.html", {"error": "Invalid credentials"}, status=401)
    await alogin(request, user)
    cart = await request.session.aget("cart", [])
    await request.session.aset("cart_size", len(cart))
    return redirect(request.POST.get("next") or "/")


@require_POST
async def legacy_login(request):
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])  # expect: AL101
    if user is not None:
        login(request, user)  # expect: AL101
    request.session["welcome"] = True  # expect: AL105
    return redirect("/")


async def logout_view(request):
    await alogout(request)
    return redirect("/")


async def profile(request):
    user = await request.auser()
    if not user.is_authenticated:
        return redirect("accounts:login")
    theme = request.session.get("theme", "light")  # expect: AL105
    has_cart = "cart" in request.session  # expect: AL105
    return JsonResponse({"username": user.get_username(), "theme": theme, "has_cart": has_cart})


@require_POST
async def change_password(request):
    user = await request.auser()
    if not user.check_password(request.POST["old_password"]):  # expect: AL301
        return JsonResponse({"error": "wrong password"}, status=400)
    user.set_password(request.POST["new_password"])  # expect: AL301
    await user.asave(update_fields=["password"])
    return JsonResponse({"ok": True})


async def user_lookup(request, username):
    staff = await User.objects.filter(is_staff=True).acount()
    user = User.objects.get(username=username)  # expect: AL101
    return JsonResponse({"id": user.pk, "staff_total": staff})
