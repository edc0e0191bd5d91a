"""The water balance and its settings."""

from django.urls import path

from . import views

urlpatterns = [
    path("balance/", views.balance, name="supply-balance"),
    path("balance/ajustes/", views.settings_edit, name="supply-settings"),
]
