from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="billing-home"),
    path("ejecutar/", views.run_create, name="billing-run"),
    path("corridas/<int:pk>/", views.run_detail, name="run-detail"),
    path("corridas/<int:pk>/imprimir/", views.run_print, name="run-print"),
    path("corridas/<int:pk>/imprimir/pdf/", views.run_print_pdf, name="run-print-pdf"),
    path("avisos/<int:pk>/", views.bill_detail, name="bill-detail"),
    path("avisos/<int:pk>/nota-de-credito/", views.credit_note, name="credit-note"),
    path("avisos/<int:pk>/pdf/", views.bill_pdf, name="bill-pdf"),
    path("conexiones/<int:pk>/estado/", views.statement, name="statement"),
]
