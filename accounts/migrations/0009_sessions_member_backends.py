"""Sessions opened before the member backends (accounts/backends.py) name the backend that
logged the member in by its old path; Django logs out a session whose backend is no longer
configured. Each stored session gets the new path of the same backend, so that nobody is
logged out by the upgrade. (Sessions kept only in a cache, ``SESSION_ENGINE=…cache``, are not
reached: those members log in once more.)"""

from django.db import migrations
from django.utils import timezone

BACKEND_KEY = "_auth_user_backend"
RENAMED = {
    "django.contrib.auth.backends.ModelBackend": "accounts.backends.MemberBackend",
    "allauth.account.auth_backends.AuthenticationBackend": "accounts.backends.AllauthMemberBackend",
}


def _rename(apps, renamed: dict[str, str]) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for row in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000):
        data = store.decode(row.session_data)
        new = renamed.get(data.get(BACKEND_KEY))
        if new:
            data[BACKEND_KEY] = new
            row.session_data = store.encode(data)
            row.save(update_fields=["session_data"])


def forwards(apps, schema_editor):
    _rename(apps, RENAMED)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_field_labels"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
