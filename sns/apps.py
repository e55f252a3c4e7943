from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SnsConfig(AppConfig):
    name = "sns"
    verbose_name = _("Site")

    def ready(self):
        from . import prepared  # noqa: F401 - the lookup __any
        from .home import selectors  # noqa: F401 - home's parts built ahead
        from .text import drop_controls_in_form_text

        drop_controls_in_form_text()
