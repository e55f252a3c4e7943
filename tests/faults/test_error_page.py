"""The error page when the database is what failed (the fast half of the restart test, in
`make test`): it must render without touching the database, or the handler fails too and
gunicorn answers with its own bare page."""

import copy
import logging
import socket
from contextlib import contextmanager

import psycopg
import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError, connection, transaction
from django.test import Client, RequestFactory
from django.urls import include, path
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from sns.outage import OutageMailEvery

# Also the error handler of this module as a URLconf (failing_urls).
from sns.urls import handler500
from sns.views import server_error
from tests.sns.test_settings import _database_url


def _request_whose_member_needs_the_database():
    """A request as the middleware leaves it when the session store cannot be reached:
    touching ``request.user`` runs into the database again."""

    def load_member():
        raise OperationalError("connection refused")

    request = RequestFactory().get("/diary/", HTTP_ACCEPT_LANGUAGE="en")
    request.user = SimpleLazyObject(load_member)
    return request


def test_the_handler_is_the_sites_own():
    assert handler500 == "sns.views.server_error"


@pytest.mark.parametrize(("language", "text"), [("en", "Something went wrong"),
                                                 ("ja", "問題が発生しました")])
def test_an_unreachable_database_gives_a_503_that_asks_to_retry(language, text):
    request = _request_whose_member_needs_the_database()
    # The language LocaleMiddleware chose, before the database failed.
    with translation.override(language):
        try:
            raise OperationalError("the database system is shutting down")
        except OperationalError:
            # Django calls the handler while handling the exception, as here.
            response = server_error(request)

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    body = response.content.decode()
    assert text in body
    assert "/static/css/site.css" in body


def test_any_other_failure_is_a_500_rendered_without_the_database():
    request = _request_whose_member_needs_the_database()
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        response = server_error(request)

    assert response.status_code == 500
    assert not response.has_header("Retry-After")
    assert "Something went wrong" in response.content.decode()


# --- the log while the database is away -----------------------------------------------------
# Under load every request during an outage fails the same way: one line each, which says so,
# instead of a traceback each (25 MB of log in two minutes). Any other failure keeps its
# traceback, the database's included when it answered (a query cancelled, a deadlock).


@login_not_required
def _slow_query(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 1")
        cursor.execute("SELECT pg_sleep(1)")


@login_not_required
def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("fail/slow-query/", _slow_query),
    path("fail/500/", _broken),
    path("", include("sns.urls")),
]


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = __name__


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_stopped():
    """PostgreSQL as it is while stopped: the connection is gone and new ones are refused
    (the connection settings point at a port where nothing listens)."""
    params = connection.settings_dict
    saved = copy.deepcopy(params)
    connection.close()
    params.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    params.setdefault("OPTIONS", {}).pop("host", None)
    try:
        yield
    finally:
        connection.close()
        params.clear()
        params.update(saved)


def logged(caplog) -> list[str]:
    """Each record at WARNING and above as the console would print it."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return [formatter.format(r) for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", ["/diary/", "/"])
def test_a_request_while_the_database_is_away_logs_one_line(member, caplog, url):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member)
    caplog.set_level(logging.INFO)

    with database_stopped():
        response = client.get(url)

    assert response.status_code == 503
    assert "Something went wrong" in response.content.decode()
    [line] = logged(caplog)
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith(f"ERROR django.request Service Unavailable: {url} (")
    assert "the database is unavailable: " in line
    assert "Connection refused" in line


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_database_closed_logs_one_line(member, caplog):
    """PostgreSQL stopped "fast" (pg_ctl -m fast) under a kept connection: the server ends
    it, and the next query finds it gone."""
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [pid] = cursor.fetchone()
    with psycopg.connect(_database_url(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    caplog.set_level(logging.INFO)

    try:
        response = client.get("/diary/")
    finally:
        connection.close()

    assert response.status_code == 503
    [line] = logged(caplog)
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith("ERROR django.request Service Unavailable: /diary/ (")
    assert "the database is unavailable: " in line


@pytest.mark.django_db
def test_any_other_failure_still_logs_its_traceback(failing_urls, caplog):
    client = Client(raise_request_exception=False)
    response = client.get("/fail/500/")

    assert response.status_code == 500
    [line] = logged(caplog)
    assert line.startswith("ERROR django.request Internal Server Error: /fail/500/")
    assert "Traceback" in line and 'RuntimeError("boom")' in line


@pytest.mark.django_db
def test_a_database_that_answers_with_an_error_still_logs_its_traceback(failing_urls, caplog):
    client = Client(raise_request_exception=False)
    response = client.get("/fail/slow-query/")

    assert response.status_code == 503
    [line] = logged(caplog)
    assert "Traceback" in line and "canceling statement due to statement timeout" in line


@pytest.fixture
def admins_mailed(settings, outbox):
    """ADMIN_EMAILS set, and the outage mail throttle of this process as if it had sent
    nothing yet."""
    settings.ADMINS = [("Operator", "ops@example.com")]
    [throttle] = [f for h in logging.getLogger("django").handlers for f in h.filters
                  if isinstance(f, OutageMailEvery)]
    throttle.last_sent = None
    yield outbox
    throttle.last_sent = None


@pytest.mark.django_db(transaction=True)
def test_an_outage_mails_the_operator_once_not_once_a_request(member, admins_mailed):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member)

    with database_stopped():
        answers = [client.get("/diary/").status_code for _ in range(5)]

    assert answers == [503] * 5
    [mail] = admins_mailed
    assert mail.to == ["ops@example.com"]
    assert "the database is unavailable" in mail.subject + mail.body


@pytest.mark.django_db
def test_every_other_failure_is_mailed_as_it_comes(failing_urls, admins_mailed):
    client = Client(raise_request_exception=False)
    for _ in range(3):
        assert client.get("/fail/500/").status_code == 500

    assert len(admins_mailed) == 3
    assert all("boom" in mail.body for mail in admins_mailed)
