"""The operator's log: a day's form and a day's log."""

from django.urls import path

from . import views

urlpatterns = [
    path("diario/", views.log_day, name="supply-log"),
    path("diario/<int:pk>/", views.log_detail, name="supply-log-detail"),
]
