"""The admin in Japanese, for a moderator who chose Japanese and whose browser asks for
English: every app, model, column, filter and field is named in Japanese, Django's and the
third-party apps' (allauth, django-tasks) as well as ours."""

from __future__ import annotations

import html
import re

import pytest
from django.apps import apps
from django.urls import reverse

from tests.sns.test_admin_pages import BUILDERS, REGISTERED, World, admin_url

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def english(label: str) -> bool:
    """A name with a word of English and nothing in Japanese ("ID" and "TOTP" pass)."""
    return bool(re.search(r"[A-Za-z]{3,}", label)) and not JAPANESE.search(label)


def texts(html: str, pattern: str) -> list[str]:
    return [re.sub(r"<[^>]+>|\s+", " ", found).strip()
            for found in re.findall(pattern, html, re.S)]


# Column headers, filter titles and the page's heading of a list.
LIST_NAMES = r'<th scope="col".*?</th>|<details data-filter-title=".*?"|<h1>.*?</h1>'
# Field labels and the page's heading of an object's page (not the object's name, <h2>).
OBJECT_NAMES = r"<label.*?</label>|<h1>.*?</h1>"


@pytest.fixture
def operator(moderator):
    moderator.is_superuser = True
    moderator.language = "ja"
    moderator.save(update_fields=["is_superuser", "language"])
    return moderator


def test_the_admin_names_everything_in_the_moderators_language(operator, as_user):
    client = as_user(operator)
    world = World()
    for label in REGISTERED:
        BUILDERS[label](world, 2)

    index = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")
    names = [str(name) for app in index.context["app_list"]
             for name in [app["name"], *(model["name"] for model in app["models"])]]
    english_names = {"index": [name for name in names if english(name)]}
    for label in REGISTERED:
        model = apps.get_model(label)
        page = client.get(admin_url(model, "changelist"), HTTP_ACCEPT_LANGUAGE="en")
        found = texts(page.content.decode(), LIST_NAMES)
        obj = model._default_manager.order_by("-pk").first()
        page = client.get(admin_url(model, "change", obj.pk), HTTP_ACCEPT_LANGUAGE="en")
        found += texts(page.content.decode(), OBJECT_NAMES)
        english_names[label] = [name for name in found if english(name)]
    assert {where: names for where, names in english_names.items() if names} == {}


def test_the_task_results_and_second_factors_have_japanese_names(operator, as_user):
    index = as_user(operator).get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")
    apps_by_label = {app["app_label"]: app for app in index.context["app_list"]}
    tasks = apps_by_label["django_tasks_database"]
    assert (tasks["name"], [m["name"] for m in tasks["models"]]) == ("バックグラウンド処理",
                                                                     ["処理の記録"])
    assert [m["name"] for m in apps_by_label["mfa"]["models"]] == ["認証手段"]
    # The members' pages call them お知らせ; so does the admin (it said 通知).
    site_models = {m["object_name"]: str(m["name"]) for m in apps_by_label["sns"]["models"]}
    assert site_models["Notification"] == "お知らせ"


def test_words_with_two_meanings_take_the_right_one(operator, as_user):
    # "about" is the member an introduction is about (紹介された人) and what a moderator
    # acted on (対象); "title" a job title (役職) and a heading (タイトル).
    world = World()
    for label in ["sns.ModerationLog", "diary.Entry", "accounts.User"]:
        BUILDERS[label](world, 1)
    client = as_user(operator)
    log = client.get(reverse("admin:sns_moderationlog_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    columns = texts(log.content.decode(), r'<th scope="col".*?</th>')
    assert "対象" in columns and "紹介された人" not in columns
    entries = client.get(reverse("admin:diary_entry_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    assert "タイトル" in texts(entries.content.decode(), r'<th scope="col".*?</th>')


# An object's name on its page: the heading under the title, the last breadcrumb, and each
# inline row's name (an off-kai's hosts).
OBJECT_HEADINGS = (r'<h2>.*?</h2>|<div class="breadcrumbs">.*?</div>'
                   r'|<td class="original">.*?</p>')
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.mark.parametrize("label", [
    "communities.Membership", "communities.JoinRequest", "communities.CommunityInvitation",
    "communities.TopicComment", "diary.Comment", "offkai.Event", "offkai.RSVP",
    "offkai.EventComment", "sns.NotificationPreference", "sns.Report",
    "django_tasks_database.DBTaskResult",
])
def test_an_object_is_named_in_the_moderators_language(label, operator, as_user):
    """The name a record gives itself (its ``__str__``: the object page's heading, the
    breadcrumbs, "recent actions", the delete confirmation) has no English words: it was
    "5 in 3 (admin)", "4 invites 20 to 3", "7 on topic 3", "4 attending 9",
    "5 diary_comment email=True", "DBTaskResult object (…)"."""
    model = apps.get_model(label)
    BUILDERS[label](World(), 1)
    obj = model._default_manager.order_by("-pk").first()
    client = as_user(operator)
    body = ""
    for kind in ["change", "history"]:
        page = client.get(admin_url(model, kind, obj.pk), HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        body += UUID.sub("", page.content.decode())
    if label == "offkai.Event":
        # The event's own name is its title, a member's words; its hosts' rows are ours.
        body = body.replace(obj.title, "")
    headings = [html.unescape(h) for h in texts(body, OBJECT_HEADINGS)]
    assert headings and [h for h in headings if re.search(r"[A-Za-z]{2,}", h)] == []
