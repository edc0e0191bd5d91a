"""Mounted by comunagua/urls.py at /<committee>/conexiones/, before the register's pages: the
meter change is a connection's page, but the register cannot import metering."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/medidor/", views.connection_meter, name="connection-meter"),
]
