from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SnsConfig(AppConfig):
    name = "sns"
    verbose_name = _("Site")
