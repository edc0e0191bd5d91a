"""The books' URLs, under /<committee>/caja/: the cash desk at the top, each other area under its
own prefix, each with its own views and URL module."""

from django.urls import include, path

urlpatterns = [
    path("", include("comunagua.ledger.cash.urls")),
    path("morosidad/", include("comunagua.ledger.arrears.urls")),
    path("banco/", include("comunagua.ledger.bank.urls")),
    path("informe/", include("comunagua.ledger.report.urls")),
    path("libros/", include("comunagua.ledger.books.urls")),
]
