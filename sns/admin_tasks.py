"""django-tasks' results in admin, named in the moderator's language.

django-tasks names its app, and some columns, in English only (plain strings, not
translatable); the app gets our name through ``sns.admin_site.TasksConfig`` (INSTALLED_APPS),
the columns through this subclass of its admin. Imported by ``ModeratorsAdminConfig.ready``,
after the library registered its own.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin as LibraryTaskResultAdmin
from django_tasks_db.models import DBTaskResult

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(LibraryTaskResultAdmin):
    @admin.display(description=_("task"))
    def task_name(self, result: DBTaskResult) -> str:
        return result.task_name

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, result: DBTaskResult) -> str:
        return super().formatted_traceback(result)

    @admin.display(description=_("run after"))
    def display_run_after(self, result: DBTaskResult):
        return super().display_run_after(result)
