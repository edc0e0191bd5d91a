"""URLs of the report pages (under /<committee>/caja/informe/). The public page of a published
report, /publico/informe/<token>/, is in comunagua.urls."""

from django.urls import path

from . import views_report

urlpatterns = [
    path("", views_report.home, name="report-home"),
    # Before the month: "mi-cuenta" is not a month.
    path("mi-cuenta/", views_report.my_account, name="report-my-account"),
    path("<str:period>/", views_report.month, name="report-month"),
    path("<str:period>/pdf/", views_report.month_pdf, name="report-pdf"),
    path("<str:period>/publicar/", views_report.publish, name="report-publish"),
]
