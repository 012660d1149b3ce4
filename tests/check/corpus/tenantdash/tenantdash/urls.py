from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from accounts import views as account_views
from billing import views as billing_views
from tenantdash import probes

tenant_api = [
    path("overview/", account_views.OverviewView.as_view()),
    path("projects/", account_views.ProjectListView.as_view()),
    path("projects/<int:pk>/", account_views.ProjectDetailView.as_view()),
    path("projects/<int:pk>/collaborators/", account_views.CollaboratorView.as_view()),
    path("projects.csv", account_views.LegacyProjectCsvView.as_view()),
    path("api-keys/", account_views.ApiKeyView.as_view()),
    path("invites/", account_views.InviteView.as_view()),
    path("delete/", account_views.TenantDeleteView.as_view()),
    path("settings/", account_views.TenantSettingsView.as_view()),
    path("invoices/", billing_views.InvoiceListView.as_view()),
    path("invoices/sync/", billing_views.SyncInvoicesView.as_view()),
    path("invoices/<str:number>/pdf/", billing_views.InvoicePdfView.as_view()),
    path("invoices/<str:number>/retry/", billing_views.RetryInvoiceView.as_view()),
    path("usage/", billing_views.UsageSummaryView.as_view()),
    path("usage/upload/", billing_views.UsageUploadView.as_view()),
    path("usage/upload/v2/", billing_views.UsageUploadV2View.as_view()),
    path("checkout/", billing_views.CheckoutView.as_view()),
]

urlpatterns = [
    path("healthz/", account_views.healthz),
    path("readyz/", probes.readyz),
    path("livez/", probes.livez),
    path("dbcheck/", probes.dbcheck),
    path("api/auth/login/", account_views.LoginView.as_view()),
    path("api/auth/logout/", account_views.LogoutView.as_view()),
    path("api/auth/api-key/verify/", csrf_exempt(account_views.ApiKeyVerifyView.as_view())),
    path("api/session/tenant/", account_views.SwitchTenantView.as_view()),
    path("api/webhooks/payments/", csrf_exempt(billing_views.PaymentsWebhookView.as_view())),
    path("api/t/<slug:tenant_slug>/", include(tenant_api)),
]
