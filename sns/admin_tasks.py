"""django-tasks' results in admin, named in the moderator's language.

django-tasks names its app, and some columns, in English only (plain strings, not
translatable); the app gets our name through ``sns.admin_site.TasksConfig`` (INSTALLED_APPS),
the columns through this subclass of its admin. Imported by ``ModeratorsAdminConfig.ready``,
after the library registered its own.

A result names itself "DBTaskResult object (…)" (the library's model has no ``__str__``):
its pages get a name in the moderator's language instead, as the page heading and, through
this model's templates (templates/admin/django_tasks_database/dbtaskresult/), the last
breadcrumb. Results are read-only here (no change, no deletion), so no log entry or delete
confirmation ever shows the English one.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin as LibraryTaskResultAdmin
from django_tasks_db.models import DBTaskResult

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(LibraryTaskResultAdmin):
    def _named(self, object_id: str, extra_context: dict | None) -> dict:
        # From the id in the URL: the name needs no query.
        name = gettext("Task run %(id)s") % {"id": unquote(object_id)}
        return {"subtitle": name, "object_name": name, **(extra_context or {})}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(
            request, object_id, form_url, self._named(object_id, extra_context)
        )

    def history_view(self, request, object_id, extra_context=None):
        named = self._named(object_id, extra_context)
        named["title"] = gettext("Change history: %s") % named.pop("subtitle")
        return super().history_view(request, object_id, named)

    @admin.display(description=_("task"))
    def task_name(self, result: DBTaskResult) -> str:
        return result.task_name

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, result: DBTaskResult) -> str:
        return super().formatted_traceback(result)

    @admin.display(description=_("run after"))
    def display_run_after(self, result: DBTaskResult):
        return super().display_run_after(result)
