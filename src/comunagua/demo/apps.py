from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "comunagua.demo"
    verbose_name = "Demo"
