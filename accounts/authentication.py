"""DRF authentication with the hashed personal tokens of ``accounts``."""

from __future__ import annotations

from rest_framework import authentication, exceptions

from accounts.services import api_token_authenticate


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>`` (or ``Bearer <key>``)."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "The Authorization header should be 'Token <key>'."
            )
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        user = api_token_authenticate(key)
        if user is None:
            raise exceptions.AuthenticationFailed("The token is unknown or revoked.")
        return user, key

    def authenticate_header(self, request) -> str:
        return "Token"
