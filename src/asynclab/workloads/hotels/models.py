"""Models of the hotel-availability domain, sized by seed.py so that queries do real work."""

from django.db import models


class Hotel(models.Model):
    name = models.CharField(max_length=80)
    city = models.CharField(max_length=40, db_index=True)
    stars = models.PositiveSmallIntegerField()


class Room(models.Model):
    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="rooms")
    kind = models.CharField(max_length=20)
    capacity = models.PositiveSmallIntegerField()


class Offer(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="offers")
    provider = models.PositiveSmallIntegerField()
    night = models.DateField()
    price = models.PositiveIntegerField(db_index=True)


class Review(models.Model):
    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="reviews")
    score = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120)


class SeedInfo(models.Model):
    """One row, written last: the seed version the data was built with."""

    version = models.PositiveIntegerField()
