from django.http import JsonResponse


def routed_view(request):  # expect: AL403
    return JsonResponse({})
