from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models import F, Func, Value

# sns.text.CONTROLS, as a PostgreSQL regular expression.
PATTERN = r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]"


class Command(BaseCommand):
    help = (
        "Remove control characters (C0 but tab, newline and carriage return, and DEL) from "
        "the text already stored in the site's own tables: what members and the operator "
        "wrote before forms dropped them (sns.text). The calendars and the circle picture "
        "leave them out anyway; this cleans the pages and mail. Safe to run again; "
        "--dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        total = 0
        for model, field in _text_columns():
            rows = model._base_manager.filter(**{f"{field.name}__regex": PATTERN})
            # One table at a time: a long run holds no lock on the tables it is done with.
            with transaction.atomic():
                count = rows.count() if dry_run else rows.update(**{field.name: Func(
                    F(field.name), Value(PATTERN), Value(""), Value("g"),
                    function="regexp_replace",
                )})
            if count:
                total += count
                self.stdout.write(f"{model._meta.label}.{field.name}: {count}")
        if not total:
            self.stdout.write("Nothing held control characters.")
        elif dry_run:
            self.stdout.write(f"{total} values would be cleaned (dry run: nothing changed).")
        else:
            self.stdout.write(f"{total} values cleaned.")


def _text_columns():
    """(model, field) of every text column of the site's own apps (not Django's or allauth's
    tables: sessions, hashes), but passwords, which are compared and never shown."""
    for model in apps.get_models():
        path = Path(model._meta.app_config.path)
        # A virtualenv may live inside the project directory.
        ours = path.is_relative_to(settings.BASE_DIR) and "site-packages" not in path.parts
        if not ours or model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if (isinstance(field, models.CharField | models.TextField)
                    and not isinstance(field, models.GeneratedField)
                    and field.name != "password"):
                yield model, field
