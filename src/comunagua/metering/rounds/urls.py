from django.urls import path

from . import views

urlpatterns = [
    path("", views.round_list, name="round-list"),
    path("abrir/", views.round_open, name="round-open"),
    path("rondas/<int:pk>/", views.round_detail, name="round-detail"),
    path("rondas/<int:pk>/cerrar/", views.round_close, name="round-close"),
    path("rutas/", views.route_list, name="route-list"),
    path("rutas/desde-sectores/", views.route_build, name="route-build"),
]
