import pytest


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    # The factories start many communities and topics; the rate-limit tests set their own limits.
    settings.COMMUNITY_CREATE_PER_DAY = 1000
    settings.TOPIC_CREATE_PER_HOUR = 1000
