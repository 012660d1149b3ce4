# From a real project: kitchenai (a coroutine returned without await from an async wrapper, a miss until now).
async def inner(request):
    return "ok"


async def outer(request):
    return inner(request)  # the caller gets a coroutine, not a response  # expect: AL501
