from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="supply-home"),
    path("diario/", views.log_day, name="supply-log"),
    path("diario/<int:pk>/", views.log_detail, name="supply-log-detail"),
    path("balance/", views.balance, name="supply-balance"),
    path("balance/ajustes/", views.settings_edit, name="supply-settings"),
    path("pozos/<int:pk>/", views.well, name="supply-well"),
    path("incidentes/", views.incident_list, name="supply-incidents"),
    path("incidentes/<int:pk>/", views.incident_detail, name="supply-incident"),
    path("incidentes/<int:pk>/denuncia/", views.incident_letter, name="supply-incident-letter"),
    path(
        "incidentes/<int:pk>/denuncia/pdf/",
        views.incident_letter_pdf,
        name="supply-incident-letter-pdf",
    ),
    path("fotos/<int:pk>/", views.incident_photo, name="supply-incident-photo"),
    path("fuentes/", views.source_list, name="supply-sources"),
    path("fuentes/nueva/", views.source_create, name="supply-source-create"),
    path("fuentes/<int:pk>/", views.source_edit, name="supply-source-edit"),
    path("tanques/nuevo/", views.tank_create, name="supply-tank-create"),
    path("medidores/nuevo/", views.meter_create, name="supply-meter-create"),
]
