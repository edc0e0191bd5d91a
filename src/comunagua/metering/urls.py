from django.urls import path

from . import views, views_app

urlpatterns = [
    path("", views.round_list, name="round-list"),
    path("abrir/", views.round_open, name="round-open"),
    path("rondas/<int:pk>/", views.round_detail, name="round-detail"),
    path("rondas/<int:pk>/cerrar/", views.round_close, name="round-close"),
    path("rondas/<int:pk>/rutas/<int:route>/", views.route_entry, name="route-entry"),
    path("lectura/<int:pk>/", views.reading_review, name="reading-review"),
    path("rutas/", views.route_list, name="route-list"),
    path("rutas/desde-sectores/", views.route_build, name="route-build"),
    # The reader's app: the service worker's scope is the app's folder.
    path("app/", views_app.reader_app, name="reader-app"),
    path("app/sw.js", views_app.reader_sw, name="reader-sw"),
    path("app/manifest.webmanifest", views_app.reader_manifest, name="reader-manifest"),
]
