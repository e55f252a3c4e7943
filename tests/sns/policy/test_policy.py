"""The site policy: its page in both languages, the rules members accept at signup and again
when they change, the admin that changes them, and the policy the site keeps cached."""

import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, User
from sns import images
from sns.models import ModerationLog, SitePolicy
from sns.policy.services import policy_save
from sns.site_policy import (
    CACHE_KEY,
    identity_policy,
    policy_current,
    policy_memo_set,
    rules_pending,
)
from tests import factories
from tests.html import assert_well_formed

POLICY = reverse("policy")
ACCEPT = reverse("policy_accept")
LOGOUT = reverse("account_logout")
ADMIN_POLICY_ADD = reverse("admin:sns_sitepolicy_add")

RULES_JA = "- 互いに敬意を払うこと\n- 営業目的の投稿はしないこと"
RULES_EN = "- Respect each other\n- No sales pitches"


@pytest.fixture
def operator(moderator):
    # Changing the policy is the operator's: a superuser (a moderator has no such permission).
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    return moderator


def write_policy(by, **fields) -> SitePolicy:
    site_policy = SitePolicy.current()
    for name, value in fields.items():
        setattr(site_policy, name, value)
    return policy_save(policy=site_policy, by=by)


def with_rules(by, **fields) -> SitePolicy:
    return write_policy(by, rules_ja=RULES_JA, rules_en=RULES_EN, **fields)


def accepted(member, when=None) -> User:
    member.rules_accepted_at = when or timezone.now()
    member.save(update_fields=["rules_accepted_at"])
    return member


# --- the policy page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_purpose_and_rules_in_english(client, operator):
    with_rules(operator, body_en="We gather **founders** in Kansai.", body_ja="関西の創業者の会")
    body = client.get(POLICY, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert_well_formed(body)
    assert "<strong>founders</strong>" in body
    assert "Respect each other" in body
    assert "互いに敬意" not in body
    assert "Members appear under their real names." in body


@pytest.mark.django_db
def test_the_page_shows_purpose_and_rules_in_japanese(client, operator):
    with_rules(operator, body_en="We gather founders in Kansai.", body_ja="関西の**創業者**の会")
    body = client.get(POLICY, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert_well_formed(body)
    assert "<strong>創業者</strong>" in body
    assert "互いに敬意を払うこと" in body
    assert "Respect each other" not in body
    assert "サイトポリシー" in body


@pytest.mark.django_db
def test_the_page_falls_back_to_the_other_language(client, operator):
    write_policy(operator, rules_ja=RULES_JA, body_ja="関西の創業者の会")
    body = client.get(POLICY, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "関西の創業者の会" in body
    assert "互いに敬意を払うこと" in body


@pytest.mark.django_db
def test_the_page_follows_the_members_language(as_user, operator, owner):
    with_rules(operator)
    accepted(owner)
    owner.language = "ja"
    owner.save(update_fields=["language"])
    body = as_user(owner).get(POLICY).content.decode()
    assert "互いに敬意を払うこと" in body
    assert "規約に同意しました" in body


@pytest.mark.django_db
def test_rules_are_markdown_cleaned(client, operator):
    write_policy(operator, rules_en="<script>alert(1)</script> [site](javascript:alert(1))")
    body = client.get(POLICY, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<script>alert" not in body
    assert "javascript:" not in body


@pytest.mark.django_db
def test_the_page_names_the_identity_policy_from_admin(client, operator, settings):
    settings.IDENTITY_POLICY = "real_name"
    write_policy(operator, identity_policy=SitePolicy.Identity.NICKNAME)
    assert "Members appear under nicknames." in client.get(POLICY).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("persona", ["anonymous", "member"])
def test_the_page_takes_a_bounded_number_of_queries(
    client, as_user, operator, member, persona, count, django_assert_max_num_queries
):
    rules = "\n".join(f"- Rule number {n}" for n in range(count))
    write_policy(operator, rules_en=rules, body_en="\n\n".join(["A paragraph."] * count))
    accepted(member)
    web = client if persona == "anonymous" else as_user(member)
    web.get(POLICY)  # the process reads the policy once
    # Member: session, member, unread notifications, friend requests waiting.
    with django_assert_max_num_queries(4):
        response = web.get(POLICY)
    assert response.status_code == 200
    assert response.content.decode().count("Rule number") == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 50])
def test_the_accept_page_takes_a_bounded_number_of_queries(
    as_user, operator, member, count, django_assert_max_num_queries
):
    write_policy(operator, rules_en="\n".join(f"- Rule number {n}" for n in range(count)))
    web = as_user(member)
    web.get(ACCEPT)
    with django_assert_max_num_queries(4):
        response = web.get(ACCEPT)
    assert response.status_code == 200
    assert_well_formed(response.content.decode())
    assert response.content.decode().count("Rule number") == count


# --- the policy kept by the site ------------------------------------------------------------


@pytest.mark.django_db
def test_the_policy_is_read_once_then_served_from_the_cache(operator, django_assert_num_queries):
    policy_memo_set(None)
    cache.delete(CACHE_KEY)
    with_rules(operator)
    first = policy_current()
    assert first.rules_en == RULES_EN
    assert cache.get(CACHE_KEY).rules_en == RULES_EN
    with django_assert_num_queries(0):
        assert policy_current().rules_en == RULES_EN
    policy_memo_set(None)
    # Another process: one read of the cache, none of the table.
    with django_assert_num_queries(1):
        assert policy_current().rules_en == RULES_EN


@pytest.mark.django_db
def test_saving_replaces_the_cached_policy_at_once(operator):
    write_policy(operator, rules_en="Old rules")
    assert policy_current().rules_en == "Old rules"
    write_policy(operator, rules_en="New rules")
    assert policy_current().rules_en == "New rules"
    assert SitePolicy.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_once_committed_the_cache_holds_the_saved_policy():
    operator = factories.member("Operator", staff=True)
    cache.delete(CACHE_KEY)
    write_policy(operator, rules_en="Committed rules")
    assert cache.get(CACHE_KEY).rules_en == "Committed rules"
    cache.delete(CACHE_KEY)


@pytest.mark.django_db
def test_the_identity_policy_falls_back_to_the_setting(settings, operator, owner):
    owner.profile.nickname = "Oni"
    owner.profile.save()
    settings.IDENTITY_POLICY = "nickname"
    assert identity_policy() == "nickname"
    assert owner.display_name == "Oni"
    settings.IDENTITY_POLICY = "real_name"
    assert owner.display_name == "Owner Person"
    write_policy(operator, identity_policy=SitePolicy.Identity.NICKNAME)
    assert identity_policy() == "nickname"
    assert owner.display_name == "Oni"


@pytest.mark.django_db
def test_templates_get_the_identity_policy_from_admin(rf, settings, operator):
    from sns.context_processors import site

    settings.IDENTITY_POLICY = "either"
    assert site(rf.get("/"))["IDENTITY_POLICY"] == "either"
    write_policy(operator, identity_policy=SitePolicy.Identity.REAL_NAME)
    assert site(rf.get("/"))["IDENTITY_POLICY"] == "real_name"


@pytest.mark.django_db
def test_the_identity_policy_from_admin_decides_the_signup_fields(client, operator, owner):
    write_policy(operator, identity_policy=SitePolicy.Identity.NICKNAME)
    invitation = factories.invitation(owner, "guest@example.com")
    response = client.post(
        invitation.get_absolute_url(), factories.signup_data("guest@example.com", nickname="")
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def _shown_to(viewer, member) -> str:
    from tests.conftest import client_for

    return client_for(viewer).get(reverse("accounts:profile", args=[member.pk])).content.decode()


@pytest.mark.django_db
def test_switching_to_nicknames_keeps_real_names_to_their_owners(settings, operator, owner,
                                                                  member):
    """On a real-name site "who sees my other name" was about the nickname: once the site
    turns to nicknames it would be about the real name, so it becomes "only me" (each member
    may widen it again); it is logged."""
    settings.IDENTITY_POLICY = "real_name"
    Profile.objects.filter(user=owner).update(nickname="kitefan")
    write_policy(operator, identity_policy=SitePolicy.Identity.NICKNAME)
    owner.profile.refresh_from_db()
    assert owner.profile.other_name_visibility == "private"
    body = _shown_to(member, owner)
    assert "kitefan" in body and "Owner Person" not in body
    assert "Owner Person" in _shown_to(owner, owner)
    assert "real name" in ModerationLog.objects.get().reason


@pytest.mark.django_db
def test_switching_to_nicknames_keeps_what_a_member_of_a_choosing_site_set(settings, operator,
                                                                           owner, friend):
    """Where each member chose, one who appeared under their nickname set who sees their real
    name themselves: that stays; one who appeared under their real name gets "only me"."""
    settings.IDENTITY_POLICY = "either"
    Profile.objects.filter(user=owner).update(
        shown_name_choice=Profile.NameChoice.NICKNAME, other_name_visibility="friends"
    )
    write_policy(operator, identity_policy=SitePolicy.Identity.NICKNAME)
    assert Profile.objects.get(user=owner).other_name_visibility == "friends"
    assert Profile.objects.get(user=friend).other_name_visibility == "private"


@pytest.mark.django_db
def test_switching_from_nicknames_to_a_choice_keeps_everyone_under_their_nickname(
    settings, operator, owner, member
):
    """On a nickname site nobody chose; letting members choose must not put their real names
    up in their place: each keeps their nickname until they choose otherwise."""
    settings.IDENTITY_POLICY = "nickname"
    Profile.objects.filter(user=owner).update(nickname="kitefan", other_name_visibility="private")
    write_policy(operator, identity_policy=SitePolicy.Identity.EITHER)
    owner.refresh_from_db()
    assert owner.display_name == "kitefan"
    assert "Owner Person" not in _shown_to(member, owner)


@pytest.mark.django_db
def test_a_switch_made_in_the_environment_is_applied_by_a_command(settings, owner, member):
    settings.IDENTITY_POLICY = "nickname"
    out = io.StringIO()
    call_command("identity_policy_changed", "--from", "real_name", stdout=out)
    assert "2 profiles changed" in out.getvalue()
    assert Profile.objects.get(user=owner).other_name_visibility == "private"
    with pytest.raises(CommandError):
        call_command("identity_policy_changed", "--from", "nickname")


# --- changing the rules ---------------------------------------------------------------------


@pytest.mark.django_db
def test_changed_rules_ask_everyone_again_and_are_logged(operator):
    saved = with_rules(operator)
    assert saved.rules_changed_at is not None
    log = ModerationLog.objects.get()
    assert log.action == ModerationLog.Action.POLICY_CHANGED
    assert log.moderator == operator
    assert "rules (Japanese)" in log.reason and "accept the rules again" in log.reason

    first = saved.rules_changed_at
    again = write_policy(operator, rules_en=RULES_EN + "\n- Be on time")
    assert again.rules_changed_at > first
    assert ModerationLog.objects.count() == 2


@pytest.mark.django_db
def test_other_changes_keep_the_rules_accepted(operator):
    first = with_rules(operator).rules_changed_at
    saved = write_policy(operator, body_en="Whom we gather", quota_cap=3,
                         rules_en=RULES_EN + "  \r\n")  # only trailing space
    assert saved.rules_changed_at == first
    assert "rules" not in ModerationLog.objects.first().reason.split(":")[1]


@pytest.mark.django_db
def test_a_typo_fix_need_not_ask_again(operator):
    first = with_rules(operator).rules_changed_at
    site_policy = SitePolicy.current()
    site_policy.rules_en = RULES_EN.replace("Respect", "Respect")
    site_policy.rules_en = "- Respect each other\n- No sales pitch"
    saved = policy_save(policy=site_policy, by=operator, ask_again=False)
    assert saved.rules_changed_at == first


@pytest.mark.django_db
def test_saving_unchanged_logs_nothing(operator):
    with_rules(operator)
    write_policy(operator)
    assert ModerationLog.objects.count() == 1


def admin_form_data(**overrides) -> dict:
    data = {
        "body_ja": "", "body_en": "", "rules_ja": RULES_JA, "rules_en": RULES_EN,
        "ask_again": "on", "identity_policy": "", "invite_domains": "",
        "invitee_suspension_limit": "", "quota_refill_days": "", "quota_cap": "5",
        "album_quota_mb": "200", "daily_news_hour": "7",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_operator_writes_the_policy_in_admin(as_user, operator):
    web = as_user(operator)
    response = web.get(ADMIN_POLICY_ADD)
    assert response.status_code == 200
    assert "Ask every member to accept the rules again" in response.content.decode()
    response = web.post(ADMIN_POLICY_ADD, admin_form_data())
    assert response.status_code == 302, response.content.decode()
    site_policy = SitePolicy.objects.get()
    assert site_policy.rules_changed_at is not None
    assert ModerationLog.objects.get().moderator == operator
    # One policy per site: no second one.
    assert web.get(ADMIN_POLICY_ADD).status_code == 403

    change = reverse("admin:sns_sitepolicy_change", args=[site_policy.pk])
    first = site_policy.rules_changed_at
    response = web.post(change, admin_form_data(rules_en="- Be kind", ask_again=""))
    assert response.status_code == 302
    site_policy.refresh_from_db()
    assert site_policy.rules_en == "- Be kind" and site_policy.rules_changed_at == first
    response = web.post(change, admin_form_data(rules_en="- Be kinder"))
    site_policy.refresh_from_db()
    assert site_policy.rules_changed_at > first
    assert ModerationLog.objects.filter(action=ModerationLog.Action.POLICY_CHANGED).count() == 3


@pytest.mark.django_db
def test_a_moderator_without_the_permission_cannot_change_the_policy(as_user, moderator):
    assert as_user(moderator).get(ADMIN_POLICY_ADD).status_code == 403


# --- accepting the rules (again) -------------------------------------------------------------


@pytest.mark.django_db
def test_no_rules_no_question(as_user, member):
    assert member.rules_accepted_at is None
    assert as_user(member).get("/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accepted_days_ago", "asked"),
    [(None, True), (3, True), (-1, False)],
    ids=["never", "before-the-change", "after-the-change"],
)
def test_members_who_accepted_older_rules_are_asked(
    as_user, operator, member, accepted_days_ago, asked
):
    with_rules(operator)
    site_policy = SitePolicy.current()
    site_policy.rules_changed_at = timezone.now() - timedelta(days=1)
    site_policy.save()
    policy_memo_set(None)
    if accepted_days_ago is not None:
        accepted(member, timezone.now() - timedelta(days=accepted_days_ago + 1))
    response = as_user(member).get(reverse("diary:friends"))
    if asked:
        assert response.status_code == 302
        assert response["Location"] == f"{ACCEPT}?next=%2Fdiary%2F"
    else:
        assert response.status_code == 200


@pytest.mark.django_db
def test_accepting_goes_back_where_the_member_was_going(as_user, operator, member):
    with_rules(operator)
    web = as_user(member)
    response = web.get("/diary/?page=2")
    assert response.status_code == 302
    page = web.get(response["Location"])
    body = page.content.decode()
    assert_well_formed(body)
    assert "Respect each other" in body
    assert 'name="next" value="/diary/?page=2"' in body
    response = web.post(ACCEPT, {"next": "/diary/?page=2"})
    assert response.status_code == 302 and response["Location"] == "/diary/?page=2"
    member.refresh_from_db()
    assert member.rules_accepted_at is not None
    assert web.get("/diary/").status_code == 200
    assert not rules_pending(member)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "http://testserver.evil.example/"]
)
def test_next_cannot_lead_off_the_site(as_user, operator, member, target):
    with_rules(operator)
    web = as_user(member)
    response = web.get(ACCEPT, {"next": target})
    assert 'name="next" value="/"' in response.content.decode()
    response = web.post(ACCEPT, {"next": target})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_a_post_elsewhere_is_sent_to_the_rules_without_next(as_user, operator, member):
    with_rules(operator)
    response = as_user(member).post(reverse("diary:new"), {"title": "x", "body": "y"})
    assert response.status_code == 302 and response["Location"] == ACCEPT


@pytest.mark.django_db
def test_the_rules_do_not_trap_logout(as_user, operator, member):
    with_rules(operator)
    web = as_user(member)
    assert web.get(LOGOUT).status_code == 200  # allauth asks to confirm
    response = web.post(LOGOUT)
    assert response.status_code == 302
    assert "_auth_user_id" not in web.session


@pytest.mark.django_db
def test_the_policy_pages_and_the_language_switch_stay_open(as_user, operator, member):
    with_rules(operator)
    web = as_user(member)
    assert web.get(POLICY).status_code == 200
    response = web.post(reverse("set_language"), {"language": "ja", "next": ACCEPT})
    assert response.status_code == 302 and response["Location"] == ACCEPT
    body = web.get(ACCEPT).content.decode()
    assert "規約" in body and "互いに敬意を払うこと" in body


@pytest.mark.django_db
def test_stored_images_are_not_served_from_media_url(as_user, operator, member, settings):
    """Even in development: only the views that check who may see an image serve it."""
    with_rules(operator)
    key = images.store(images.process(factories.image_file()), prefix="profiles")
    Profile.objects.filter(user=member).update(photo=key)
    response = as_user(member).get(f"{settings.MEDIA_URL}{images.path(key, 'small')}")
    assert response.status_code == 404


@pytest.mark.django_db
def test_staff_reach_the_admin_but_not_the_site(as_user, operator):
    with_rules(operator)
    web = as_user(operator)
    assert web.get(reverse("admin:index")).status_code == 200
    assert web.get("/").status_code == 302


@pytest.mark.django_db
def test_the_accept_page_sends_back_those_with_nothing_to_accept(as_user, member):
    response = as_user(member).get(ACCEPT, {"next": "/diary/"})
    assert response.status_code == 302 and response["Location"] == "/diary/"


@pytest.mark.django_db
def test_the_accept_page_in_both_languages(as_user, operator, member):
    with_rules(operator)
    accepted(member, timezone.now() - timedelta(days=30))
    body = as_user(member).get(ACCEPT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The site's rules have changed" in body and "I accept the rules" in body
    member.language = "ja"
    member.save(update_fields=["language"])
    body = as_user(member).get(ACCEPT).content.decode()
    assert "規約が変わりました" in body and "規約に同意する" in body


# --- signing up -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_invitation_page_shows_the_rules_and_signup_records_the_acceptance(
    client, operator, owner
):
    with_rules(operator, body_en="We gather founders.")
    invitation = factories.invitation(owner, "guest@example.com")
    body = client.get(invitation.get_absolute_url()).content.decode()
    assert_well_formed(body)
    assert "We gather founders." in body and "Respect each other" in body
    assert "I have read the site policy and accept its rules." in body
    before = timezone.now()
    response = client.post(invitation.get_absolute_url(), factories.signup_data(
        "guest@example.com"))
    assert response.status_code == 302
    guest = User.objects.get(email="guest@example.com")
    assert guest.rules_accepted_at >= before
    # Straight in: nothing to accept again.
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_signup_without_ticking_the_rules_keeps_what_was_typed(client, operator, owner):
    with_rules(operator)
    invitation = factories.invitation(owner, "guest@example.com")
    data = factories.signup_data("guest@example.com", real_name="Sakura Arai", agree="")
    response = client.post(invitation.get_absolute_url(), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please agree to the site policy to join." in body
    assert 'value="Sakura Arai"' in body and 'value="guest@example.com"' in body
    assert not User.objects.filter(email="guest@example.com").exists()
