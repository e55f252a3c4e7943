from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiaryConfig(AppConfig):
    name = "diary"
    verbose_name = _("Diary")

    def ready(self) -> None:
        # Its holes (sns.cache.holes) known to every process, which may fill one in a kept
        # page before rendering any template of this app.
        from . import selectors  # noqa: F401
