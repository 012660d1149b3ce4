"""Sync helpers: flagged only where async code calls them."""

import requests

from .models import Hotel, Room


def load_hotel(pk):
    return Hotel.objects.get(pk=pk)


def fetch_rates(url):
    return requests.get(url, timeout=5).json()


def nested(pk):
    return load_hotel(pk)


def only_from_sync(pk):
    return list(Room.objects.filter(hotel_id=pk))


def pure(values):
    return sorted(values)
