"""The tariffs' pages, mounted at /<committee>/tarifas/. The simulator (simular/) reads billed
months: it is billing's page, mounted at that path by comunagua/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.tariff_list, name="tariff-list"),
    path("nueva/", views.tariff_create, name="tariff-create"),
    path("<int:pk>/", views.tariff_detail, name="tariff-detail"),
    path("<int:pk>/editar/", views.tariff_edit, name="tariff-edit"),
]
