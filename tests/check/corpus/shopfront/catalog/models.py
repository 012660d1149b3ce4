from django.conf import settings
from django.db import models
from django.db.models import Avg


class CategoryQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(hidden=False).order_by("position")


class ProductQuerySet(models.QuerySet):
    def in_stock(self):
        return self.filter(stock__gt=0)

    def for_category(self, slug):
        return self.filter(category__slug=slug)


class ProductManager(models.Manager.from_queryset(ProductQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(archived=False)


class Category(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    position = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(default=False)

    objects = CategoryQuerySet.as_manager()

    def __str__(self):
        return self.name


class Brand(models.Model):
    name = models.CharField(max_length=100)
    country = models.CharField(max_length=2, blank=True)


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)


class Product(models.Model):
    category = models.ForeignKey(Category, related_name="products", on_delete=models.CASCADE)
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.SET_NULL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=32, unique=True)
    price_cents = models.PositiveIntegerField()
    stock = models.IntegerField(default=0)
    review_count = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    tags = models.ManyToManyField(Tag, blank=True)

    objects = ProductManager()

    def __str__(self):
        return f"{self.sku} {self.name}"

    @classmethod
    def low_stock_count(cls, threshold=5):
        return cls.objects.filter(stock__lt=threshold).count()

    @staticmethod
    def sku_prefix():
        return "SF-"

    @property
    def display_name(self):
        return f"{self.sku_prefix()}{self.sku} {self.name}"

    @property
    def average_rating(self):
        return self.reviews.aggregate(avg=Avg("rating"))["avg"]


class Review(models.Model):
    product = models.ForeignKey(Product, related_name="reviews", on_delete=models.CASCADE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    rating = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True)
