from django.db import models


class Grant(models.Model):
    user = models.CharField(max_length=50)
    action = models.CharField(max_length=50)
