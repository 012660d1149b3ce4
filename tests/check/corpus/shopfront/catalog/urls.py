from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list, name="list"),
    path("healthz/", views.healthz, name="healthz"),
    path("ping/", views.PingView.as_view(), name="ping"),
    path("search/", views.search, name="search"),
    path("featured/", views.featured, name="featured"),
    path("new/", views.new_arrivals, name="new"),
    path("export.csv", views.export_csv, name="export"),
    path("categories.csv", views.export_categories, name="export-categories"),
    path("inventory/sync/", views.inventory_sync, name="inventory-sync"),
    path("inventory/restock/", views.bulk_restock, name="restock"),
    path("c/<slug:slug>/", views.category_products, name="category"),
    path("p/<int:pk>/", views.product_detail, name="detail"),
    path("p/<int:pk>/card/", views.product_card, name="card"),
    path("p/<int:pk>/stock/", views.ProductStockView.as_view(), name="stock"),
    path("p/<int:pk>/review/", views.add_review, name="review"),
    path("p/<int:pk>/tag/<int:tag_id>/", views.tag_product, name="tag"),
    path("u/<int:user_id>/", views.owner_products, name="owner"),
]
