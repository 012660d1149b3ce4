from django.urls import path

from shop import views

urlpatterns = [
    path("products/", views.product_list),
    path("products/<str:sku>/", views.product_detail),
    path("products/<str:sku>/image/", views.upload_image),
    path("cart/", views.cart_view),
    path("cart/<str:sku>/", views.cart_add),
    path("checkout/", views.checkout),
    path("orders/", views.order_history),
    path("orders/<int:pk>/", views.OrderView.as_view()),
    path("register/", views.register),
]
