from django.contrib.auth import get_user_model

from .models import Category, Product

User = get_user_model()


class ProductRepository:
    def __init__(self):
        self.base = Product.objects.select_related("category", "brand")

    def fetch(self, pk):
        return Product.objects.select_related("category").get(pk=pk)

    async def afetch(self, pk):
        return await Product.objects.select_related("category").aget(pk=pk)

    def search(self, term):
        return Product.objects.in_stock().filter(name__icontains=term)

    def created_by(self, username):
        return Product.objects.filter(created_by__username=username)


class CategoryRepository:
    def visible(self):
        return Category.objects.visible()

    def visible_names(self):
        return [c.name for c in Category.objects.visible()]


class UserRepository:
    def get_user(self, pk):
        return User.objects.get(pk=pk)

    async def aget_user(self, pk):
        return await User.objects.aget(pk=pk)


product_repo = ProductRepository()
user_repo = UserRepository()
