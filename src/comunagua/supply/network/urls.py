"""The network's setup pages: sources, tanks and meters."""

from django.urls import path

from . import views

urlpatterns = [
    path("fuentes/", views.source_list, name="supply-sources"),
    path("fuentes/nueva/", views.source_create, name="supply-source-create"),
    path("fuentes/<int:pk>/", views.source_edit, name="supply-source-edit"),
    path("tanques/nuevo/", views.tank_create, name="supply-tank-create"),
    path("medidores/nuevo/", views.meter_create, name="supply-meter-create"),
]
