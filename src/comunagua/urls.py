from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from comunagua.api.v1 import api, not_found
from comunagua.billing import views as billing_views
from comunagua.ledger.cash import views as ledger_views
from comunagua.ledger.report import views as report_views
from comunagua.tenancy import views as tenancy_views

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path(
        "cuenta/ingresar/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("cuenta/salir/", auth_views.LogoutView.as_view(), name="logout"),
    path("cuenta/tokens/", tenancy_views.token_list, name="token-list"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<path>.*)$", not_found),  # JSON, not the site's HTML 404
    # A receipt's QR code: anyone holding the paper checks it, without logging in.
    path("recibo/<str:token>/", ledger_views.receipt_public, name="receipt-public"),
    path("publico/informe/<str:token>/", report_views.public, name="report-public"),
    path("<slug:committee>/lecturas/", include("comunagua.metering.urls")),
    # The tariff simulator applies a tariff to a billed month: billing's page, at the tariffs'
    # path (the tariffs sit below billing and cannot point at it).
    path(
        "<slug:committee>/tarifas/simular/",
        billing_views.tariff_simulate,
        name="tariff-simulate",
    ),
    path("<slug:committee>/tarifas/", include("comunagua.tariffs.urls")),
    path("<slug:committee>/facturacion/", include("comunagua.billing.urls")),
    path("<slug:committee>/caja/", include("comunagua.ledger.urls")),
    path("<slug:committee>/agua/", include("comunagua.supply.urls")),
    path("<slug:committee>/comite/", include("comunagua.tenancy.urls")),
    # A connection's meter change is metering's page (it reads the meter's readings), under the
    # register's connection path: the register sits below metering and cannot import it.
    path("<slug:committee>/conexiones/", include("comunagua.metering.meters.urls")),
    path("<slug:committee>/", include("comunagua.registry.urls")),
]
