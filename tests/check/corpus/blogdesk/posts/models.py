from django.conf import settings
from django.db import models
from django.utils import timezone


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published", published_at__lte=timezone.now())

    def drafts_for(self, user):
        return self.filter(author=user, status="draft")


ArticleManager = models.Manager.from_queryset(ArticleQuerySet)


class Section(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(unique=True)
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="edited_sections")

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)


class Article(models.Model):
    DRAFT = "draft"
    PUBLISHED = "published"
    STATUS_CHOICES = [(DRAFT, "Draft"), (PUBLISHED, "Published")]

    section = models.ForeignKey(Section, on_delete=models.CASCADE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    views = models.PositiveIntegerField(default=0)
    cover_path = models.CharField(max_length=255, blank=True)
    tags = models.ManyToManyField(Tag, blank=True)

    objects = ArticleManager()

    class Meta:
        ordering = ["-published_at"]

    def __str__(self):
        return self.title

    @classmethod
    def published_count(cls):
        return cls.objects.published().count()

    @staticmethod
    def normalize_slug(value):
        return value.strip().lower().replace(" ", "-")


class Comment(models.Model):
    article = models.ForeignKey(Article, related_name="comments", on_delete=models.CASCADE)
    author_name = models.CharField(max_length=80)
    body = models.TextField()
    approved = models.BooleanField(default=False)


class Subscriber(models.Model):
    email = models.EmailField(unique=True)
    active = models.BooleanField(default=True)
