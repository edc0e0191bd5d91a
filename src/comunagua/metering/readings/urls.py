from django.urls import path

from . import views

urlpatterns = [
    path("rondas/<int:pk>/rutas/<int:route>/", views.route_entry, name="route-entry"),
    path("lectura/<int:pk>/", views.reading_review, name="reading-review"),
]
