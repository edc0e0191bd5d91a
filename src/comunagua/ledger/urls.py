from django.urls import include, path

from . import views

# Under /<committee>/caja/. The receipt's public page, /recibo/<token>/, is in comunagua.urls.
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
    # Each part of the books has its own views and URL module.
    path("morosidad/", include("comunagua.ledger.urls_arrears")),
    path("banco/", include("comunagua.ledger.urls_bank")),
    path("informe/", include("comunagua.ledger.urls_report")),
    path("libros/", include("comunagua.ledger.urls_books")),
]
