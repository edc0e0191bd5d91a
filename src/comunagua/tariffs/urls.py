from django.urls import path

from . import views

urlpatterns = [
    path("", views.tariff_list, name="tariff-list"),
    path("nueva/", views.tariff_create, name="tariff-create"),
    path("simular/", views.tariff_simulate, name="tariff-simulate"),
    path("<int:pk>/", views.tariff_detail, name="tariff-detail"),
    path("<int:pk>/editar/", views.tariff_edit, name="tariff-edit"),
]
