from django.apps import AppConfig


class OldAddressesConfig(AppConfig):
    name = "oldaddresses"
    verbose_name = "Old addresses"
