"""The incidents, their photos and the complaint letter."""

from django.urls import path

from . import views

urlpatterns = [
    path("incidentes/", views.incident_list, name="supply-incidents"),
    path("incidentes/<int:pk>/", views.incident_detail, name="supply-incident"),
    path("incidentes/<int:pk>/denuncia/", views.incident_letter, name="supply-incident-letter"),
    path(
        "incidentes/<int:pk>/denuncia/pdf/",
        views.incident_letter_pdf,
        name="supply-incident-letter-pdf",
    ),
    path("fotos/<int:pk>/", views.incident_photo, name="supply-incident-photo"),
]
