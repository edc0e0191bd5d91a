"""The register's pages, mounted at /<committee>/. The meter-change page
(conexiones/<pk>/medidor/) is metering's: comunagua/urls.py mounts it at that path."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="committee-home"),
    path("socios/", views.member_list, name="member-list"),
    path("socios/nuevo/", views.member_create, name="member-create"),
    path("socios/<int:pk>/", views.member_detail, name="member-detail"),
    path("socios/<int:pk>/editar/", views.member_edit, name="member-edit"),
    path("conexiones/", views.connection_list, name="connection-list"),
    path("conexiones/nueva/", views.connection_create, name="connection-create"),
    path("conexiones/<int:pk>/", views.connection_detail, name="connection-detail"),
    path("conexiones/<int:pk>/editar/", views.connection_edit, name="connection-edit"),
    path("conexiones/<int:pk>/titular/", views.connection_transfer, name="connection-transfer"),
    path("importar/", views.import_upload, name="import-upload"),
    path("importar/<int:pk>/", views.import_preview, name="import-preview"),
]
