from django.urls import path

from . import views

urlpatterns = [
    path("", views.committee_settings, name="committee-settings"),
    path("logo/", views.committee_logo, name="committee-logo"),
    path("personas/", views.committee_people, name="committee-people"),
]
