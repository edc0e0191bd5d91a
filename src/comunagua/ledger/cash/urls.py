"""URLs of the cash desk (under /<committee>/caja/). The receipt's public page, /recibo/<token>/,
is in comunagua.urls."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="cash-home"),
    path("abrir/", views.session_open, name="cash-open"),
    path("conexiones/<int:pk>/", views.account, name="cash-account"),
    path("recibos/<int:pk>/", views.receipt, name="receipt"),
    path("recibos/<int:pk>/pdf/", views.receipt_pdf, name="receipt-pdf"),
    path("recibos/<int:pk>/anular/", views.receipt_reverse, name="receipt-reverse"),
    path("sesiones/", views.session_list, name="session-list"),
    path("sesiones/<int:pk>/", views.session_report, name="session-report"),
    path("sesiones/<int:pk>/cerrar/", views.session_close, name="session-close"),
]
