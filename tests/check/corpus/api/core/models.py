from django.conf import settings
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)
    webhook_url = models.URLField(blank=True)


class ApiKey(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="keys")
    hashed = models.CharField(max_length=128)
    revoked = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    org = models.ForeignKey(Organization, on_delete=models.SET_NULL, null=True)
    api_secret = models.BinaryField(null=True)


class Event(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    kind = models.CharField(max_length=50)
    payload = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)
