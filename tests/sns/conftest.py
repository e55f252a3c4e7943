"""Fixtures of the kernel's and the cross-app features' tests."""

import pytest

from tests import warm


@pytest.fixture
def parts(db):
    """The parts cache on a real Redis, emptied (tests/warm.py): pages kept as HTML and the
    lists below them, read warm."""
    with warm.parts_on_redis() as parts:
        yield parts


@pytest.fixture
def generous(settings):
    """Room to make as many off-kai and communities as a test needs."""
    settings.OFFKAI_CREATE_PER_DAY = 1000
    settings.COMMUNITY_CREATE_PER_DAY = 1000
