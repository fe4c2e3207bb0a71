"""What error pages, error emails and messages must not show: passwords in URLs, secrets by name.

Django's debug page (DEBUG on) and its error emails show settings, the request's META (under
runserver that is the whole environment), POST data and every frame's local variables. Its own filter
hides settings whose names look secret, but not `REDIS_URL` or `DATABASE_URL`, nor a password inside a
URL in any other value; and with DEBUG on it shows POST data and local variables as they are.
"""

from __future__ import annotations

import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

# scheme://userinfo@ : the userinfo (user, password, token) of a URL, up to its last @ before the path.
_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)[^/\s]*@", re.IGNORECASE)


def mask_credentials(text: str) -> str:
    """`text` with the user and password of every URL in it replaced: postgres://***@db:5432/oroint."""
    return _URL_USERINFO.sub(r"\g<scheme>***@", text)


class CredentialsHidingFilter(SafeExceptionReporterFilter):
    """settings.DEFAULT_EXCEPTION_REPORTER_FILTER: Django's filter, broader and on with DEBUG too."""

    # Django's names, plus the settings and environment variables that are URLs with credentials.
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL|DSN|DATABASE_URL|REDIS_URL", flags=re.I
    )

    def is_active(self, request) -> bool:
        # Django filters POST data and variables only with DEBUG off; the debug page is where they show.
        return True

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        return mask_credentials(cleansed) if isinstance(cleansed, str) else cleansed

    def get_post_parameters(self, request):
        post = super().get_post_parameters(request)
        if not post:
            return post
        post = post.copy()
        for name in post:
            if self.hidden_settings.search(name):  # an API key typed into a form, a password
                post[name] = self.cleansed_substitute
        return post

    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self._cleanse_variable(request, name, value)) for name, value in variables]

    def _cleanse_variable(self, request, name: str, value: Any) -> Any:
        if name == "request" or (isinstance(value, str) and value == self.cleansed_substitute):
            return value  # already hidden; the request is shown (filtered) in its own section
        if isinstance(value, str | dict | list | tuple):
            return self.cleanse_setting(name, value)
        return value if not self.hidden_settings.search(name) else self.cleansed_substitute
