"""URLs of the books (under /<committee>/caja/libros/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.books_home, name="books-home"),
    path("diario/", views.journal, name="books-journal"),
    path("gastos/", views.expenses, name="books-expenses"),
    path("asiento/", views.manual_entry, name="books-manual-entry"),
    path("cuentas/", views.chart, name="books-chart"),
    path("cuentas/<int:pk>/", views.account_edit, name="books-account"),
]
