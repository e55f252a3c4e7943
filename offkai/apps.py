from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffkaiConfig(AppConfig):
    name = "offkai"
    verbose_name = _("Off-kai")

    def ready(self) -> None:
        # Its holes (sns.cache.holes) known to every process, which may fill one in a kept
        # page before rendering any template of this app.
        from . import selectors  # noqa: F401
