"""``sns.cache.rendered`` and ``{% part %}``: HTML kept under every generation read while it
was built (issue 16), on a real Redis (tests/warm.py)."""

from __future__ import annotations

from datetime import timedelta

from django.template import Context, Template
from django.utils import timezone, translation

from sns import cache
from tests import warm

A, B = ("probe", 1), ("probe", 2)


def bump(*scopes) -> None:
    with warm.committed():
        cache.bump(*scopes)


class Builds:
    """A build that counts its runs and declares what it reads."""

    def __init__(self, *scopes, inner=None, during=None):
        self.runs, self.scopes, self.inner, self.during = 0, scopes, inner, during

    def __call__(self) -> str:
        self.runs += 1
        cache.depends_on(*self.scopes)
        if self.during:
            self.during()
        inner = self.inner() if self.inner else ""
        return f"<p>{self.runs}</p>{inner}"


def test_kept_until_a_scope_read_is_bumped(parts):
    build = Builds(A)
    assert cache.rendered("probe", build, key=(1,)) == "<p>1</p>"
    assert cache.rendered("probe", build, key=(1,)) == "<p>1</p>"
    bump(B)  # not read: nothing to do with it
    assert cache.rendered("probe", build, key=(1,)) == "<p>1</p>"
    bump(A)
    assert cache.rendered("probe", build, key=(1,)) == "<p>2</p>"
    assert build.runs == 2


def test_a_write_committed_while_it_is_built_makes_it_stale(parts):
    """The scope is read before what it stands for: a bump after that read, even one that
    lands before the HTML is kept, leaves it stale for the next reader."""
    build = Builds(A, during=lambda: bump(A))
    cache.rendered("probe", build)
    cache.rendered("probe", build)
    assert build.runs == 2


def test_an_evicted_generation_builds_it_again(parts):
    build = Builds(A)
    cache.rendered("probe", build)
    parts.delete(cache.generation_key(A))
    cache.rendered("probe", build)
    assert build.runs == 2


def test_an_inner_part_and_a_cached_value_count_for_the_outer_part(parts):
    inner = Builds(B)
    outer = Builds(inner=lambda: cache.rendered("inner", inner)
                   + str(cache.cached("value", [A], lambda: 7)))
    assert cache.rendered("outer", outer) == "<p>1</p><p>1</p>7"
    # The inner part kept, the outer one built again: it still records the inner's scopes.
    parts.delete(cache.part_key("outer", ()))
    cache.rendered("outer", outer)
    assert (outer.runs, inner.runs) == (2, 1)
    bump(B)
    assert cache.rendered("outer", outer) == "<p>3</p><p>2</p>7"
    bump(A)
    cache.rendered("outer", outer)
    assert (outer.runs, inner.runs) == (4, 2)


def test_held_until_a_moment(parts, monkeypatch):
    ends = timezone.now() + timedelta(hours=1)
    build = Builds(A, during=lambda: cache.holds_until(ends))
    cache.rendered("probe", build)
    cache.rendered("probe", build)
    assert build.runs == 1
    monkeypatch.setattr(timezone, "now", lambda: ends + timedelta(seconds=1))
    cache.rendered("probe", build)
    assert build.runs == 2


def test_without_a_cache_it_is_built_each_time(db):
    build = Builds(A)
    cache.rendered("probe", build)
    cache.rendered("probe", build)
    assert build.runs == 2


def test_the_tag_keys_by_its_values_the_language_and_the_time_zone(parts):
    template = Template(
        '{% load i18n sns %}{% part "tag" who %}{% translate "Home" %} {{ n }}{% endpart %}'
    )

    def render(who, n):
        return template.render(Context({"who": who, "n": n}))

    with translation.override("en"):
        assert render(1, "first") == "Home first"
        assert render(1, "second") == "Home first"  # kept
        assert render(2, "third") == "Home third"  # another key
        with timezone.override("America/New_York"):
            assert render(1, "fourth") == "Home fourth"
    with translation.override("ja"):
        assert render(1, "fifth") == "ホーム fifth"


def test_keep_false_renders_afresh_and_leaves_what_is_kept(parts):
    """``keep=`` false (a page showing a refused form): rendered from the context given,
    neither read from nor written to what is kept."""
    template = Template(
        '{% load sns %}{% part "keep" 1 timeout=60 keep=keep %}{{ n }}{% endpart %}'
    )

    def render(n, keep):
        return template.render(Context({"n": n, "keep": keep}))

    assert render("first", True) == "first"
    assert render("refused", False) == "refused"
    assert render("second", True) == "first"
