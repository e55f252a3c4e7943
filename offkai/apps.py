from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffkaiConfig(AppConfig):
    name = "offkai"
    verbose_name = _("Off-kai")
