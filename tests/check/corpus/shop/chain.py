"""Helpers calling helpers: a chain met at different depths must be judged at each."""

from .models import Hotel


def h1():
    return h2()


def h2():
    return h3()


def h3():
    return h4()


def h4():
    return Hotel.objects.count()


def ping():
    return pong()


def pong():
    return ping() or Hotel.objects.count()


async def from_the_top(request):
    return h1()  # four levels down: past the depth followed


async def from_the_middle(request):
    return h3()  # expect: AL101


async def through_a_cycle(request):
    return ping()  # expect: AL101
