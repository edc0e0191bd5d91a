from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="billing-home"),
    path("ejecutar/", views.run_create, name="billing-run"),
    path("corridas/<int:pk>/", views.run_detail, name="run-detail"),
    path("corridas/<int:pk>/imprimir/", views.run_print, name="run-print"),
    path("avisos/<int:pk>/", views.bill_detail, name="bill-detail"),
    path("conexiones/<int:pk>/estado/", views.statement, name="statement"),
]
