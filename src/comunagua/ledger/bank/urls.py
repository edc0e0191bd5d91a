"""URLs of the bank pages (under /<committee>/caja/banco/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="bank-home"),
    path("confirmar/", views.confirm, name="bank-confirm"),
    path("extractos/<int:pk>/", views.statement, name="bank-statement"),
    path("lineas/<int:pk>/", views.line, name="bank-line"),
    path("lineas/<int:pk>/ignorar/", views.line_ignore, name="bank-line-ignore"),
]
