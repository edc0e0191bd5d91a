"""URLs of the report pages (under /<committee>/caja/informe/). The public page of a published
report, /publico/informe/<token>/, is in comunagua.urls."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="report-home"),
    # Before the month: "mi-cuenta" is not a month.
    path("mi-cuenta/", views.my_account, name="report-my-account"),
    path("<str:period>/", views.month, name="report-month"),
    path("<str:period>/pdf/", views.month_pdf, name="report-pdf"),
    path("<str:period>/publicar/", views.publish, name="report-publish"),
]
