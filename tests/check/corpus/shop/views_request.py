from django.contrib.auth import alogin, authenticate, login
from django.http import HttpRequest, JsonResponse
from django.views import View


async def profile(request):
    if request.user.is_authenticated:  # expect: AL105
        return JsonResponse({"name": request.user.username})  # expect: AL105
    return JsonResponse({})


async def session_use(request):
    cart = request.session.get("cart", [])  # expect: AL105
    request.session["cart"] = [*cart, 1]  # expect: AL105
    if "coupon" in request.session:  # expect: AL105
        pass
    visits = await request.session.aget("visits", 0)
    await request.session.aset("visits", visits + 1)
    return JsonResponse({"cart": cart})


async def sign_in(request: HttpRequest):
    user = authenticate(request, username="a", password="b")  # expect: AL101
    login(request, user)  # expect: AL101
    await alogin(request, user)
    return JsonResponse({})


async def correct(request):
    user = await request.auser()
    if user.is_authenticated:
        return JsonResponse({"name": user.username})
    return JsonResponse({})


class Dashboard(View):
    async def get(self, request):
        owner = self.request.user  # expect: AL105
        return JsonResponse({"owner": str(owner)})


def sync_profile(request):
    return JsonResponse({"name": request.user.username, "cart": request.session.get("cart")})
