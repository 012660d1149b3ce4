from django.db import models


class Setting(models.Model):
    name = models.CharField(max_length=20)


class UserConfig(models.Model):
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE)
