from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and access"

    def ready(self) -> None:
        # Registers the token scheme with drf-spectacular.
        from accounts import schema  # noqa: F401
