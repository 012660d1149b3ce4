import functools

from django.http import HttpResponseForbidden


def staff_only(view):
    @functools.wraps(view)
    async def _wrapped(request, *args, **kwargs):
        if not request.user.is_staff:  # expect: AL105
            return HttpResponseForbidden()
        return await view(request, *args, **kwargs)

    return _wrapped


def async_login_required(view):
    @functools.wraps(view)
    async def _wrapped(request, *args, **kwargs):
        user = await request.auser()
        if not user.is_authenticated:
            return HttpResponseForbidden()
        return await view(request, *args, **kwargs)

    return _wrapped
