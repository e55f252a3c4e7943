"""Strings that third-party apps show on our pages, which our catalogue translates (or
translates anew, in the site's words) because LOCALE_PATHS is searched before the apps' own.

Nothing imports this module: it is here for ``makemessages``, which keeps in the catalogue
only what it finds in our tree and would otherwise mark these entries obsolete.
"""

from django.utils.translation import gettext_noop, pgettext_lazy

STRINGS = [
    # allauth: its ja says ユーザー where the site says メンバー and さん.
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("user"),
    # django-tasks' results in admin (its package ships no translations).
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("enqueued at"),
    gettext_noop("started at"),
    gettext_noop("finished at"),
    gettext_noop("args kwargs"),
    gettext_noop("priority"),
    gettext_noop("task path"),
    gettext_noop("worker id"),
    gettext_noop("queue name"),
    gettext_noop("backend name"),
    gettext_noop("return value"),
    gettext_noop("exception class path"),
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
]
