from django.apps import AppConfig


class FoiaConfig(AppConfig):
    name = "foia"
    verbose_name = "Requests"
