from django.db import models


class LiveEvent(models.Model):
    title = models.CharField(max_length=255)
    slug = models.SlugField(unique=True)
    is_live = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)


class LivePost(models.Model):
    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey("articles.Author", on_delete=models.PROTECT, related_name="live_posts")
    body = models.TextField()
    pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
