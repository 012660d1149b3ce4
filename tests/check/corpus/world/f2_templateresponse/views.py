# From a real project: kitchenai (a QuerySet in a TemplateResponse: rendered after the view, in a thread).
from django.template.response import TemplateResponse

from .models import Item


async def items(request):
    qs = Item.objects.filter(name__startswith="a")
    # Django's async handler renders a TemplateResponse in a thread
    # (sync_to_async(response.render)), after this view returns.
    return TemplateResponse(request, "items.html", {"items": qs})
