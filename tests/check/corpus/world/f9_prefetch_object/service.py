# From a real project: khoj (a relation fetched by a Prefetch object).
from django.db.models import Prefetch

from .models import Setting, UserConfig


async def user_setting():
    config = await UserConfig.objects.prefetch_related(
        Prefetch("setting", queryset=Setting.objects.all())
    ).afirst()
    return config.setting if config else None  # cached by the prefetch
