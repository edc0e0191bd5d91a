"""The water's URLs (under /<committee>/agua/): the front page here, each area's pages in its
own urls.py."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="supply-home"),
    path("", include("comunagua.supply.log.urls")),
    path("", include("comunagua.supply.balance.urls")),
    path("", include("comunagua.supply.wells.urls")),
    path("", include("comunagua.supply.incidents.urls")),
    path("", include("comunagua.supply.network.urls")),
]
