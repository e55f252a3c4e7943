"""The site policy as every page reads it (kernel): the one SitePolicy row from the Django
cache, kept a few seconds by each process; which name members appear under; the rules they
accept; the email domains invitations may go to. Saving it, approving members and the
invitations' refill are the policy feature (sns/policy/).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from .models import SitePolicy

if TYPE_CHECKING:
    from accounts.models import User

CACHE_KEY = "sns:site-policy:v1"
# The row is written back on every save; the timeout only bounds how long a row changed
# behind the service's back (a shell, a migration) can stay unseen.
CACHE_SECONDS = 15 * 60
# Each process keeps what it read this long. Every page reads the policy (the rules check,
# every member's shown name), and with the database cache even a cache hit is a query; a
# change made in another process reaches this one within these seconds.
MEMO_SECONDS = 30.0

_memo: tuple[float, SitePolicy] | None = None


def policy_current() -> SitePolicy:
    """The site policy (an unsaved empty one when the operator has not written it yet).

    Kept by the process for MEMO_SECONDS, behind the Django cache that ``policy_save``
    refreshes; treat it as read-only. Services that act on a switch (approval, domains) read
    the row itself with ``SitePolicy.current()``.
    """
    global _memo
    memo = _memo
    if memo is None or memo[0] <= time.monotonic():
        policy = cache.get(CACHE_KEY)
        if policy is None:
            policy = SitePolicy.current()
            # add, not set: a save that committed meanwhile wrote the newer row, which stays.
            cache.add(CACHE_KEY, policy, CACHE_SECONDS)
        memo = _memo = (time.monotonic() + MEMO_SECONDS, policy)
    return memo[1]


def policy_memo_set(policy: SitePolicy | None, *, seconds: float = MEMO_SECONDS) -> None:
    """Make this process hold ``policy`` for ``seconds`` (None: forget it, read it again
    next time). ``policy_save`` forgets; the tests start each test from an empty policy."""
    global _memo
    _memo = None if policy is None else (time.monotonic() + seconds, policy)


def identity_policy() -> str:
    """Which name members appear under: ``real_name``, ``nickname`` or ``either``.

    The operator's choice in admin, else the IDENTITY_POLICY setting (read each time, so a
    test that changes the setting sees it at once).
    """
    return policy_current().identity_policy or settings.IDENTITY_POLICY


def _in_language(ja: str, en: str) -> str:
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language == "en":
        return en or ja
    return ja or en


def policy_rules(policy: SitePolicy | None = None) -> str:
    """The rules (Markdown) in the active language, falling back to the other one."""
    policy = policy or policy_current()
    return _in_language(policy.rules_ja.strip(), policy.rules_en.strip())


def has_rules(policy: SitePolicy) -> bool:
    return bool(policy.rules_ja.strip() or policy.rules_en.strip())


def rules_pending(member: User, policy: SitePolicy | None = None) -> bool:
    """Whether ``member`` must accept the rules (again) before going on: there are rules,
    and the member never accepted them or accepted them before they last changed."""
    policy = policy or policy_current()
    if not has_rules(policy):
        return False
    if member.rules_accepted_at is None:
        return True
    changed_at = policy.rules_changed_at
    return changed_at is not None and member.rules_accepted_at < changed_at


def invite_domains(policy: SitePolicy | None = None) -> list[str]:
    """The email domains invitations may go to, lower case, in the operator's order; empty
    means any address. One per line; a leading ``@`` and blank lines are ignored."""
    policy = policy or policy_current()
    domains: list[str] = []
    for line in policy.invite_domains.splitlines():
        domain = line.strip().lstrip("@").strip().lower().rstrip(".")
        if domain and domain not in domains:
            domains.append(domain)
    return domains


def email_domain_allowed(email: str, policy: SitePolicy | None = None) -> bool:
    """Whether the policy lets an invitation (or a signup) use ``email``.

    The domain must be one of the listed ones exactly, in any letter case: subdomains are
    not included (a company lists ``example.co.jp`` and ``mail.example.co.jp`` if it uses
    both), so that listing a domain never lets in addresses at hosts it does not run.
    """
    domains = invite_domains(policy)
    if not domains:
        return True
    _local, at, domain = email.strip().rpartition("@")
    return bool(at) and domain.lower().rstrip(".") in domains


def domain_refusal(policy: SitePolicy | None = None) -> str:
    """The message for an address outside the allowed domains, naming them."""
    return _("Invitations can only go to addresses at %(domains)s.") % {
        "domains": ", ".join(invite_domains(policy))
    }


def policy_cache_refresh(policy: SitePolicy) -> None:
    """Forget the kept policy now and keep ``policy`` once the transaction commits (after
    ``policy_save``)."""
    # Readers in this transaction (and tests, which never commit) must not see the old row;
    # readers elsewhere get the new one once it is committed.
    cache.delete(CACHE_KEY)
    policy_memo_set(None)
    transaction.on_commit(lambda: cache.set(CACHE_KEY, policy, CACHE_SECONDS))
