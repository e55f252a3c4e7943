"""The one mail builder (sns.mail): three templates, the recipient's language and the site's
time zone, a subject on one line, the headers given, and one way to send."""

from __future__ import annotations

import ast
import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail as outbox_of
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone, translation

from sns import mail

NOON_UTC = datetime(2030, 5, 1, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo

TEMPLATES = {
    "hello_subject.txt": (
        '{% load i18n %}\n{% blocktranslate with site=site_name %}Welcome to {{ site }}: your '
        'account is approved{% endblocktranslate %}\n   {{ extra }}  \n'
    ),
    "hello.txt": (
        "{% load i18n %}{% autoescape off %}{% blocktranslate with name=name %}Hello {{ name }},"
        "{% endblocktranslate %}\n{{ when|date:'H:i' }} {{ site_url }}\n{% endautoescape %}"
    ),
    "hello.html": (
        "{% load i18n %}<p>{% blocktranslate with name=name %}Hello {{ name }},"
        "{% endblocktranslate %}</p><p>{{ when|date:'H:i' }} {{ site_name }}</p>"
    ),
    "coded.txt": "text",
    "coded.html": "<p>html</p>",
}


@pytest.fixture
def mail_templates(settings, tmp_path):
    """The test's own templates, under ``test_mail/``, found before the site's."""
    folder = tmp_path / "test_mail"
    folder.mkdir()
    for name, text in TEMPLATES.items():
        (folder / name).write_text(text, encoding="utf-8")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates


def hello(language: str, **kwargs):
    return mail.build(
        to="ann@example.com", template="test_mail/hello", language=language,
        context={"name": "Ann & <Bo>", "when": NOON_UTC, "extra": "and  more"}, **kwargs,
    )


def html_of(message) -> str:
    (html, mimetype), = message.alternatives
    assert mimetype == "text/html"
    return html


# --- building --------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "subject", "greeting"), [
    ("en", "Welcome to Tsunagari: your account is approved and more", "Hello Ann & <Bo>,"),
    ("ja", "Tsunagariへようこそ：アカウントが承認されました and more",
     "Ann & <Bo>さん、こんにちは。"),
])
def test_subject_text_and_html_in_the_recipients_language(mail_templates, language, subject,
                                                          greeting):
    message = hello(language)

    assert message.subject == subject
    assert message.body.startswith(greeting + "\n")
    # Text as written, HTML escaped: each part is its template's, autoescape and all.
    assert "Ann &amp; &lt;Bo&gt;" in html_of(message)
    assert message.to == ["ann@example.com"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


def test_the_language_around_is_left_as_it_was(mail_templates):
    with translation.override("en"):
        hello("ja")
        assert translation.get_language() == "en"


def test_subject_is_one_line(mail_templates):
    message = hello("en")
    assert "\n" not in message.subject
    assert message.subject == message.subject.strip()
    assert "  " not in message.subject
    assert message.message()["Subject"] == message.subject


def test_a_subject_made_in_code_stands_for_the_template_and_is_one_line(mail_templates):
    message = mail.build(
        to="ann@example.com", template="test_mail/coded", language="en", context={},
        subject=" [Tsunagari]\n 3 new\tthings ",
    )
    assert message.subject == "[Tsunagari] 3 new things"
    assert (message.body, html_of(message)) == ("text", "<p>html</p>")


def test_the_sites_name_and_address_in_every_context(mail_templates):
    message = hello("en")
    assert f"{settings.SITE_URL.rstrip('/')}/" in message.body
    assert settings.SITE_NAME in html_of(message)


def test_times_in_the_sites_time_zone_whatever_is_active(mail_templates, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    with timezone.override("UTC"):
        message = hello("en")
    assert "\n12:00 " in message.body
    assert "<p>12:00 " in html_of(message)


def test_headers_go_into_the_message(mail_templates):
    headers = {"List-Unsubscribe": "<https://example.com/stop/>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    message = hello("en", headers=headers)
    sent = message.message()
    assert sent["List-Unsubscribe"] == "<https://example.com/stop/>"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Unsubscribe" not in hello("en").message()


def test_text_with_an_html_alternative(mail_templates):
    sent = hello("en").message()
    assert sent.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in sent.get_payload()] == [
        "text/plain", "text/html"]


def test_absolute_url_and_member_language(settings, owner):
    settings.SITE_URL = "https://sns.example.com/"
    assert mail.absolute_url("/offkai/1/") == "https://sns.example.com/offkai/1/"
    owner.language = ""
    assert mail.member_language(owner) == settings.LANGUAGE_CODE
    owner.language = "ja"
    assert mail.member_language(owner) == "ja"


# --- sending ---------------------------------------------------------------------------------

class Opened(BaseEmailBackend):
    """Counts the connections made, so a test sees the messages share one."""

    count = 0

    def send_messages(self, messages):
        type(self).count += 1
        outbox_of.outbox.extend(messages)
        return len(messages)


class Down(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_send_uses_one_connection_and_skips_a_message_without_recipients(
    mail_templates, settings, outbox
):
    settings.EMAIL_BACKEND = f"{__name__}.Opened"
    Opened.count = 0
    nobody = mail.build(to="", template="test_mail/coded", language="en", context={},
                        subject="x")
    assert mail.send(hello("en"), nobody, hello("ja")) == 2
    assert Opened.count == 1
    assert [m.subject for m in outbox] == [hello("en").subject, hello("ja").subject]
    assert mail.send() == 0
    assert Opened.count == 1


def test_send_over_a_connection_the_caller_keeps(mail_templates, settings, outbox):
    """A batch (the daily news) keeps one connection open for many sends (a new one would
    fail here)."""
    settings.EMAIL_BACKEND = f"{__name__}.Down"
    kept = Opened()
    assert mail.send(hello("en"), connection=kept) == 1
    assert mail.send(hello("ja"), connection=kept) == 1
    assert [m.subject for m in outbox] == [hello("en").subject, hello("ja").subject]


def test_send_lets_a_failure_of_the_server_through(mail_templates, settings):
    """So that the task's transaction rolls back and ``sns.mail_retry`` tries it again."""
    settings.EMAIL_BACKEND = f"{__name__}.Down"
    with pytest.raises(ConnectionRefusedError):
        mail.send(hello("en"))


# --- the rules around it ---------------------------------------------------------------------

def test_a_subject_is_plain_text_never_escaped(mail_templates):
    """A subject is not HTML: an ampersand or a bracket in a name arrives as typed (the text
    part keeps its own ``autoescape off``, the HTML part escapes)."""
    message = mail.build(
        to="ann@example.com", template="test_mail/hello", language="en",
        context={"name": "Ann & <Bo>", "when": NOON_UTC, "extra": "Tom & Jerry <3"},
    )
    assert message.subject.endswith("approved Tom & Jerry <3")
    assert "Ann &amp; &lt;Bo&gt;" in html_of(message)


def test_every_mail_template_has_its_three_parts():
    root = Path(settings.BASE_DIR) / "templates"
    subjects = sorted(root.glob("**/email/*_subject.txt"))
    assert subjects, "no mail templates found"
    for subject in subjects:
        stem = subject.with_name(subject.name.removesuffix("_subject.txt"))
        assert stem.with_suffix(".txt").exists(), stem
        assert stem.with_suffix(".html").exists(), stem


def test_the_builder_is_kernel_it_imports_no_app():
    tree = ast.parse(Path(mail.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not imported & {"accounts", "invites", "diary", "communities", "offkai"}
