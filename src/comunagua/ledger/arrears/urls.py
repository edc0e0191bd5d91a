"""URLs of the arrears pages (under /<committee>/caja/morosidad/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="arrears"),
    path("multas/", views.fines, name="arrears-fines"),
    path("cortes/", views.disconnections, name="arrears-disconnections"),
    path("reglas/", views.rules, name="arrears-rules"),
    path("conexiones/<int:pk>/", views.household, name="arrears-household"),
    path("conexiones/<int:pk>/aviso/", views.notice, name="arrears-notice"),
    path("conexiones/<int:pk>/aviso/imprimir/", views.notice_print, name="arrears-notice-print"),
    path("conexiones/<int:pk>/corte/", views.disconnect, name="arrears-disconnect"),
    path("conexiones/<int:pk>/reconexion/", views.reconnect, name="arrears-reconnect"),
    path("conexiones/<int:pk>/convenio/", views.plan, name="arrears-plan"),
]
