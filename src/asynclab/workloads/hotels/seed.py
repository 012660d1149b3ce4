"""Deterministic seed data: the same rows, in the same order, on every machine and database."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from asynclab.workloads.hotels.models import Hotel, Offer, Review, Room, SeedInfo

HOTELS = 1_000
ROOMS_PER_HOTEL = 5
OFFERS_PER_ROOM = 10  # 50,000 offers
REVIEWS_PER_HOTEL = 20  # 20,000 reviews
PROVIDERS = 50
CITIES = (
    "Amsterdam",
    "Athens",
    "Barcelona",
    "Berlin",
    "Brussels",
    "Budapest",
    "Copenhagen",
    "Dublin",
    "Helsinki",
    "Krakow",
    "Lisbon",
    "London",
    "Madrid",
    "Milan",
    "Oslo",
    "Paris",
    "Prague",
    "Rome",
    "Stockholm",
    "Vienna",
)
ROOM_KINDS = ("single", "double", "twin", "family", "suite")
_FIRST_NIGHT = dt.date(2026, 1, 1)
_BATCH = 2_000


def seed(version: int) -> None:
    """Write the seed data and, last, the SeedInfo row that says it is complete."""
    rng = random.Random(2026)
    with transaction.atomic():
        SeedInfo.objects.all().delete()
        Offer.objects.all().delete()
        Review.objects.all().delete()
        Room.objects.all().delete()
        Hotel.objects.all().delete()
        hotels = [
            Hotel(
                id=i + 1,
                name=f"Hotel {i + 1:04d}",
                city=CITIES[i % len(CITIES)],
                stars=rng.randint(1, 5),
            )
            for i in range(HOTELS)
        ]
        Hotel.objects.bulk_create(hotels, batch_size=_BATCH)
        rooms = [
            Room(
                id=h * ROOMS_PER_HOTEL + r + 1,
                hotel_id=h + 1,
                kind=ROOM_KINDS[r],
                capacity=rng.randint(1, 6),
            )
            for h in range(HOTELS)
            for r in range(ROOMS_PER_HOTEL)
        ]
        Room.objects.bulk_create(rooms, batch_size=_BATCH)
        offers = [
            Offer(
                id=room.id * OFFERS_PER_ROOM + o,
                room_id=room.id,
                provider=rng.randint(1, PROVIDERS),
                night=_FIRST_NIGHT + dt.timedelta(days=rng.randint(0, 89)),
                price=rng.randint(35, 600),
            )
            for room in rooms
            for o in range(OFFERS_PER_ROOM)
        ]
        Offer.objects.bulk_create(offers, batch_size=_BATCH)
        reviews = [
            Review(
                id=h * REVIEWS_PER_HOTEL + r + 1,
                hotel_id=h + 1,
                score=rng.randint(1, 10),
                title=f"Review {r + 1} of hotel {h + 1}",
            )
            for h in range(HOTELS)
            for r in range(REVIEWS_PER_HOTEL)
        ]
        Review.objects.bulk_create(reviews, batch_size=_BATCH)
        SeedInfo.objects.create(version=version)


def seeded_version() -> int | None:
    row = SeedInfo.objects.first()
    return None if row is None else row.version
