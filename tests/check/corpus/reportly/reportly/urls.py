from django.contrib import admin
from django.urls import path

from reports import api, views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", views.dashboard, name="dashboard"),
    path("api/ping/", api.ping),
    path("api/tools/", api.tool_status),
    path("reports/", views.report_list, name="report-list"),
    path("reports/overview/", views.overview_counts),
    path("reports/import/", views.import_dataset),
    path("reports/maintenance/", views.maintenance),
    path("reports/stats/", views.table_stats),
    path("reports/<int:pk>/run/", views.run_report_now),
    path("reports/<int:pk>/runs/", views.run_history),
    path("reports/<int:pk>/csv/", views.export_csv_view),
    path("reports/<int:pk>/pdf/", views.export_pdf_view),
    path("reports/<int:pk>/pdf/v2/", views.export_pdf_v2),
    path("reports/<int:pk>/summary.pdf", views.summary_pdf),
    path("reports/<int:pk>/chart/", views.upload_chart),
    path("reports/<int:pk>/chart/rotate/", views.rotate_chart),
    path("reports/<int:pk>/chart/regenerate/", views.regenerate_chart),
    path("reports/<int:pk>/bundle.zip", views.download_bundle),
    path("reports/<int:pk>/email/", views.email_report),
    path("reports/<int:pk>/share/", views.create_share_link),
    path("runs/<int:pk>/wait/", views.wait_for_run),
]
