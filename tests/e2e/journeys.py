"""Steps the browser journeys share."""

from tests import factories


def log_in(page, base_url: str, email: str, password: str = factories.PASSWORD) -> None:
    """Log in through the real login form and land on home."""
    page.goto(f"{base_url}/accounts/login/")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.locator('form:has(input[name="password"]) [type="submit"]').click()
    page.wait_for_url(f"{base_url}/")
