from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "comunagua.web"
    label = "web"
    verbose_name = "Comunagua"
