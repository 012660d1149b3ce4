from django.conf import settings
from django.db import models


class City(models.Model):
    name = models.CharField(max_length=100)


class Hotel(models.Model):
    name = models.CharField(max_length=100)
    city = models.ForeignKey(City, on_delete=models.CASCADE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    tags = models.ManyToManyField("Tag")
    published = models.Manager()

    @property
    def room_count(self):
        return self.rooms.count()

    def cheapest(self):
        return self.rooms.order_by("price").first()

    def label(self):
        return self.name.upper()


class Room(models.Model):
    hotel = models.ForeignKey(Hotel, related_name="rooms", on_delete=models.CASCADE)
    price = models.IntegerField()


class Tag(models.Model):
    name = models.CharField(max_length=30)


class Booking(models.Model):
    room = models.ForeignKey("shop.Room", on_delete=models.CASCADE)
    guest = models.OneToOneField("Guest", on_delete=models.CASCADE)


class Guest(models.Model):
    email = models.EmailField()
