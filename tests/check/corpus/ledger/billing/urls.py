from django.urls import path

from . import views

urlpatterns = [
    path("invoices/<int:pk>/", views.invoice_detail),
    path("invoices/<int:pk>/card/", views.invoice_card),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf),
    path("invoices/<int:pk>/pay/", views.record_payment),
    path("invoices/import/", views.bulk_import),
    path("overdue/", views.overdue_digest),
    path("payments/<str:reference>/", views.payment_lookup),
    path("customers/<int:customer_id>/", views.customer_invoices),
    path("customers/<int:customer_id>/keys/", views.issue_api_key),
    path("customers/<int:customer_id>/tags/<int:tag_id>/remove/", views.untag_customer),
]
