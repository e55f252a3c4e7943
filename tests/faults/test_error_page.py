"""The error page when the database is what failed (the fast half of the restart test, in
`make test`): it must render without touching the database, or the handler fails too and
gunicorn answers with its own bare page."""

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from sns.urls import handler500
from sns.views import server_error


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
