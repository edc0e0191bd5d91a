"""A well's page."""

from django.urls import path

from . import views

urlpatterns = [
    path("pozos/<int:pk>/", views.well, name="supply-well"),
]
