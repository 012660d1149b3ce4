from django.http import JsonResponse


async def feed(request):  # expect: AL401
    return JsonResponse({})
