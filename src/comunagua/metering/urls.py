"""Metering's pages, mounted at /<committee>/lecturas/: the rounds and routes, the readings
(the reader's sheet, a reading's review) and the reader's app. The meter-change page sits under
the connection's path instead: comunagua/urls.py mounts meters/urls.py there."""

from django.urls import include, path

urlpatterns = [
    path("", include("comunagua.metering.rounds.urls")),
    path("", include("comunagua.metering.readings.urls")),
    path("app/", include("comunagua.metering.app.urls")),
]
