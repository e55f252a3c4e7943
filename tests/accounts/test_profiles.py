"""Profiles: the identity policy, who sees which field, editing, settings."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import services
from accounts.models import Profile, User
from invites import services as invites_services
from sns import images
from sns.people import photo_url
from sns.visibility import Level
from tests import factories

EDIT = reverse("accounts:edit")
SETTINGS = reverse("accounts:settings")

# Values that appear nowhere else on the page, so their presence tells what is shown.
SHOWN = {
    "company": "Kite Works K.K.",
    "title": "Chief Kite Officer",
    "introduction": "I fly kites over Kamakura beach.",
    "interests": "Bonsai, Kintsugi",
}


def profile_url(user: User) -> str:
    return reverse("accounts:profile", args=[user.pk])


def with_photo(user: User) -> Profile:
    return services.profile_update(
        user=user, fields={}, photo=images.process(factories.image_file("PNG", (200, 150)))
    )


def edit_data(profile: Profile, **overrides) -> dict:
    """Everything the edit form posts, as it stands now, with ``overrides``."""
    data = {
        name: getattr(profile, name)
        for name in [
            "real_name", "real_name_kana", "nickname", "shown_name_choice",
            "other_name_visibility", "company", "company_visibility", "title",
            "title_visibility", "photo_visibility", "introduction", "introduction_visibility",
            "interests", "interests_visibility", "birthday_visibility", "birth_year_visibility",
        ]
    }
    data.update(overrides)
    return data


def field_value(body: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
    assert tag, f"no input {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def heading(body: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", body).group(1)


# --- the identity policy ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "choice", "shown", "other"),
    [
        ("real_name", "nickname", "Owner Person", "kitefan"),
        ("nickname", "real_name", "kitefan", "Owner Person"),
        ("either", "real_name", "Owner Person", "kitefan"),
        ("either", "nickname", "kitefan", "Owner Person"),
    ],
)
def test_identity_policy_decides_the_shown_name(
    owner, member, as_user, settings, policy, choice, shown, other
):
    settings.IDENTITY_POLICY = policy
    Profile.objects.filter(user=owner).update(nickname="kitefan", shown_name_choice=choice)
    owner.refresh_from_db()
    assert owner.display_name == shown
    body = as_user(member).get(profile_url(owner)).content.decode()
    assert heading(body) == shown
    assert f'<p class="muted">{other}</p>' in body
    assert f"<title>{shown} · Tsunagari</title>" in body


def test_either_policy_falls_back_to_the_nickname_without_a_real_name(owner, settings):
    settings.IDENTITY_POLICY = "either"
    Profile.objects.filter(user=owner).update(real_name="", nickname="kitefan")
    owner.refresh_from_db()
    assert owner.display_name == "kitefan"


def test_the_other_name_follows_its_visibility(owner, friend, member, as_user):
    Profile.objects.filter(user=owner).update(
        nickname="kitefan", other_name_visibility=Level.FRIENDS
    )
    assert "kitefan" in as_user(friend).get(profile_url(owner)).content.decode()
    assert "kitefan" not in as_user(member).get(profile_url(owner)).content.decode()


@pytest.mark.parametrize(
    ("policy", "real_name_required", "nickname_required", "has_choice"),
    [
        ("real_name", True, False, False),
        ("nickname", False, True, False),
        ("either", False, False, True),
    ],
)
def test_identity_policy_decides_the_required_fields(
    owner, as_user, settings, client, policy, real_name_required, nickname_required, has_choice
):
    settings.IDENTITY_POLICY = policy

    def required(body: str, name: str) -> bool:
        pattern = rf'<label for="id_{name}">[^<]*</label><span class="required"'
        return re.search(pattern, body) is not None

    edit = as_user(owner).get(EDIT).content.decode()
    invitation = factories.invitation(owner)
    signup = client.get(invitation.get_absolute_url()).content.decode()
    for body in [edit, signup]:
        assert required(body, "real_name") is real_name_required
        assert required(body, "nickname") is nickname_required
        assert ('name="shown_name_choice"' in body) is has_choice


@pytest.mark.parametrize(
    ("policy", "blank", "error_field"),
    [("real_name", "real_name", "real_name"), ("nickname", "nickname", "nickname")],
)
def test_the_required_name_cannot_be_left_empty(
    owner, as_user, settings, policy, blank, error_field
):
    settings.IDENTITY_POLICY = policy
    response = as_user(owner).post(EDIT, edit_data(owner.profile, **{blank: ""}))
    assert response.status_code == 200
    assert response.context["form"].errors[error_field] == ["This field is required."]
    owner.profile.refresh_from_db()
    assert getattr(owner.profile, blank) != ""


def test_either_policy_requires_the_chosen_name(owner, as_user, settings, client):
    settings.IDENTITY_POLICY = "either"
    response = as_user(owner).post(
        EDIT, edit_data(owner.profile, shown_name_choice="nickname", nickname="")
    )
    assert response.status_code == 200
    assert "Fill in the name you chose to be shown." in response.content.decode()
    # The same rule on the invitation page.
    invitation = factories.invitation(owner)
    response = client.post(
        invitation.get_absolute_url(),
        factories.signup_data(invitation.email, real_name="", shown_name_choice="real_name"),
    )
    assert response.status_code == 200
    assert "Fill in the name you chose to be shown." in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()


def test_nickname_policy_lets_an_invitee_join_without_a_real_name(owner, client, settings):
    settings.IDENTITY_POLICY = "nickname"
    invitation = factories.invitation(owner)
    response = client.post(
        invitation.get_absolute_url(),
        factories.signup_data(invitation.email, real_name="", real_name_kana="", nickname="saku"),
    )
    assert response.status_code == 302
    user = User.objects.get(email=invitation.email)
    assert user.display_name == "saku"
    assert user.profile.real_name == ""


def test_on_a_nickname_site_a_newcomers_real_name_is_only_theirs(owner, member, client,
                                                                  as_user, settings):
    """The invitee's real name and reading start as "only me": nobody else, their inviter
    (now a friend) included, sees or finds them by it; they may widen it themselves."""
    settings.IDENTITY_POLICY = "nickname"
    invitation = factories.invitation(owner)
    response = client.post(invitation.get_absolute_url(), factories.signup_data(
        invitation.email, real_name="新井 さくら", real_name_kana="あらい さくら", nickname="saku"
    ))
    assert response.status_code == 302
    newcomer = User.objects.get(email=invitation.email)
    assert newcomer.profile.other_name_visibility == Level.PRIVATE
    for viewer in (owner, member):
        body = as_user(viewer).get(profile_url(newcomer)).content.decode()
        assert "saku" in body
        assert "新井" not in body and "あらい" not in body
        link = f'href="{profile_url(newcomer)}"'
        search = reverse("search")
        assert link in as_user(viewer).get(search, {"q": "saku"}).content.decode()
        assert link not in as_user(viewer).get(search, {"q": "新井"}).content.decode()
        assert link not in as_user(viewer).get(search, {"q": "あらい"}).content.decode()
    own = as_user(newcomer).get(profile_url(newcomer)).content.decode()
    assert "新井 さくら" in own


@pytest.mark.parametrize(("policy", "label"), [
    ("nickname", "who sees my real name and its reading"),
    ("real_name", "who sees my nickname"),
    ("either", "who sees my other name"),
])
def test_the_edit_form_says_which_name_the_setting_is_about(owner, as_user, settings, policy,
                                                            label):
    settings.IDENTITY_POLICY = policy
    body = as_user(owner).get(EDIT).content.decode()
    assert re.search(rf'<label for="id_other_name_visibility">{label}', body, re.IGNORECASE)


def test_a_member_who_chooses_their_nickname_keeps_their_real_name_to_themselves(db, settings):
    settings.IDENTITY_POLICY = "either"
    by_nickname = factories.member("新井 さくら", shown_name_choice=Profile.NameChoice.NICKNAME)
    by_real_name = factories.member("山田 花子")
    assert by_nickname.profile.other_name_visibility == Level.PRIVATE
    # Their other name is the nickname, shown as before.
    assert by_real_name.profile.other_name_visibility == Level.MEMBERS


def test_a_member_added_in_the_admin_of_a_nickname_site_keeps_their_real_name(db, settings):
    settings.IDENTITY_POLICY = "nickname"
    user = User.objects.create(email="added@example.com")
    services.member_complete(user=user, email_verified=True)
    assert Profile.objects.get(user=user).other_name_visibility == Level.PRIVATE


def test_a_member_the_operator_adds_with_a_profile_on_a_nickname_site_keeps_their_real_name(
    as_user, moderator, settings
):
    settings.IDENTITY_POLICY = "nickname"
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    response = as_user(moderator).post(reverse("admin:accounts_user_add"), {
        "email": "added@example.com", "password1": factories.PASSWORD,
        "password2": factories.PASSWORD, "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "0", "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1", "profile-0-real_name": "新井 さくら",
        "profile-0-nickname": "saku", "profile-0-shown_name_choice": "real_name",
        "_save": "Save",
    })
    assert response.status_code == 302, response.content.decode()
    profile = Profile.objects.get(user__email="added@example.com")
    assert (profile.real_name, profile.other_name_visibility) == ("新井 さくら", Level.PRIVATE)


# --- who sees which field -----------------------------------------------------------------

LEVELS_SEEN_BY = {
    # persona → the levels whose fields it sees
    "owner": {Level.MEMBERS, Level.FRIENDS, Level.PRIVATE},
    "friend": {Level.MEMBERS, Level.FRIENDS},
    "fof": {Level.MEMBERS},
    "member": {Level.MEMBERS},
}

VISIBILITY_TABLE = [
    # field, level, persona, visible
    ("company", Level.MEMBERS, "owner", True),
    ("company", Level.MEMBERS, "friend", True),
    ("company", Level.MEMBERS, "fof", True),
    ("company", Level.MEMBERS, "member", True),
    ("company", Level.FRIENDS, "owner", True),
    ("company", Level.FRIENDS, "friend", True),
    ("company", Level.FRIENDS, "fof", False),
    ("company", Level.FRIENDS, "member", False),
    ("company", Level.PRIVATE, "owner", True),
    ("company", Level.PRIVATE, "friend", False),
    ("company", Level.PRIVATE, "fof", False),
    ("company", Level.PRIVATE, "member", False),
    ("title", Level.MEMBERS, "owner", True),
    ("title", Level.MEMBERS, "friend", True),
    ("title", Level.MEMBERS, "fof", True),
    ("title", Level.MEMBERS, "member", True),
    ("title", Level.FRIENDS, "owner", True),
    ("title", Level.FRIENDS, "friend", True),
    ("title", Level.FRIENDS, "fof", False),
    ("title", Level.FRIENDS, "member", False),
    ("title", Level.PRIVATE, "owner", True),
    ("title", Level.PRIVATE, "friend", False),
    ("title", Level.PRIVATE, "fof", False),
    ("title", Level.PRIVATE, "member", False),
    ("introduction", Level.MEMBERS, "owner", True),
    ("introduction", Level.MEMBERS, "friend", True),
    ("introduction", Level.MEMBERS, "fof", True),
    ("introduction", Level.MEMBERS, "member", True),
    ("introduction", Level.FRIENDS, "owner", True),
    ("introduction", Level.FRIENDS, "friend", True),
    ("introduction", Level.FRIENDS, "fof", False),
    ("introduction", Level.FRIENDS, "member", False),
    ("introduction", Level.PRIVATE, "owner", True),
    ("introduction", Level.PRIVATE, "friend", False),
    ("introduction", Level.PRIVATE, "fof", False),
    ("introduction", Level.PRIVATE, "member", False),
    ("interests", Level.MEMBERS, "owner", True),
    ("interests", Level.MEMBERS, "friend", True),
    ("interests", Level.MEMBERS, "fof", True),
    ("interests", Level.MEMBERS, "member", True),
    ("interests", Level.FRIENDS, "owner", True),
    ("interests", Level.FRIENDS, "friend", True),
    ("interests", Level.FRIENDS, "fof", False),
    ("interests", Level.FRIENDS, "member", False),
    ("interests", Level.PRIVATE, "owner", True),
    ("interests", Level.PRIVATE, "friend", False),
    ("interests", Level.PRIVATE, "fof", False),
    ("interests", Level.PRIVATE, "member", False),
    ("photo", Level.MEMBERS, "owner", True),
    ("photo", Level.MEMBERS, "friend", True),
    ("photo", Level.MEMBERS, "fof", True),
    ("photo", Level.MEMBERS, "member", True),
    ("photo", Level.FRIENDS, "owner", True),
    ("photo", Level.FRIENDS, "friend", True),
    ("photo", Level.FRIENDS, "fof", False),
    ("photo", Level.FRIENDS, "member", False),
    ("photo", Level.PRIVATE, "owner", True),
    ("photo", Level.PRIVATE, "friend", False),
    ("photo", Level.PRIVATE, "fof", False),
    ("photo", Level.PRIVATE, "member", False),
]


def test_the_visibility_table_is_complete_and_agrees_with_the_rule():
    cases = {(f, lvl, p) for f, lvl, p, _ in VISIBILITY_TABLE}
    assert len(cases) == len(VISIBILITY_TABLE) == 5 * 3 * 4
    for _field, level, persona, visible in VISIBILITY_TABLE:
        assert visible is (level in LEVELS_SEEN_BY[persona])


@pytest.mark.parametrize(("field", "level", "persona", "visible"), VISIBILITY_TABLE)
def test_profile_field_visibility(request, owner, as_user, field, level, persona, visible):
    # Every persona exists in each case, so the page differs only by the viewer.
    personas = {name: request.getfixturevalue(name) for name in ["owner", "friend", "fof",
                                                                  "member"]}
    Profile.objects.filter(user=owner).update(**SHOWN, **{f"{field}_visibility": level})
    photo = with_photo(owner).photo if field == "photo" else None

    body = as_user(personas[persona]).get(profile_url(owner)).content.decode()

    if field == "photo":
        marker = photo_url(owner.pk, photo, "medium")
        # The page never names the stored file itself, which needs no access check.
        assert images.path(photo, "medium") not in body
    elif field == "interests":
        marker = "<li>Kintsugi</li>"
    else:
        marker = SHOWN[field]
    assert (marker in body) is visible
    # The other fields keep their own (members) level.
    for other in {"company", "title", "introduction"} - {field}:
        assert SHOWN[other] in body


def test_hidden_fields_do_not_leak_into_the_friend_cards(owner, friend, fof, as_user):
    # On the friend's page, the owner appears as a card: a friend-of-friend must not
    # see the owner's friends-only company there either.
    Profile.objects.filter(user=owner).update(company="Secret Works", company_visibility="friends")
    body = as_user(fof).get(profile_url(friend)).content.decode()
    assert "Owner Person" in body
    assert "Secret Works" not in body


# --- the profile page ---------------------------------------------------------------------


def test_profile_shows_invited_by(owner, member, as_user):
    invitation = factories.invitation(owner, "guest@example.com")
    guest = invites_services.invitation_redeem(
        token=invitation.token,
        signup=invites_services.Signup("guest@example.com", factories.PASSWORD, "en",
                                       {"real_name": "Guest Person"}),
    )
    body = as_user(member).get(profile_url(guest)).content.decode()
    assert f'Invited by <a href="{profile_url(owner)}">Owner Person</a>' in body


def test_profile_of_a_founding_member(owner, member, as_user):
    body = as_user(member).get(profile_url(owner)).content.decode()
    assert "A founding member" in body
    assert "Invited by" not in body


def test_profile_of_a_member_whose_inviter_left(owner, member, as_user):
    invitation = factories.invitation(owner, "guest@example.com")
    guest = invites_services.invitation_redeem(
        token=invitation.token,
        signup=invites_services.Signup("guest@example.com", factories.PASSWORD, "en",
                                       {"real_name": "Guest Person"}),
    )
    owner.delete()
    response = as_user(member).get(profile_url(guest))
    assert response.status_code == 200
    assert "Guest Person" in response.content.decode()


def test_profile_lists_friends(owner, friend, member, as_user):
    body = as_user(member).get(profile_url(owner)).content.decode()
    assert f'href="{profile_url(friend)}"' in body
    assert '<span class="count">1</span>' in body


@pytest.mark.parametrize("count", [5, 50])
def test_profile_query_count_does_not_grow(owner, member, as_user, count,
                                           django_assert_max_num_queries):
    for n in range(count):
        factories.befriend(owner, factories.member(f"Friend {n}", company=f"Co {n}"))
    with_photo(owner)
    client = as_user(member)
    # One of these reads the introductions from friends; two record member's footprint
    # (their opt-out, then the upsert); one lists their communities, one their albums.
    with django_assert_max_num_queries(13):
        response = client.get(profile_url(owner))
    assert response.status_code == 200
    assert f'<span class="count">{count}</span>' in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/members/1/", "/members/1/friends/", "/me/edit/", "/me/settings/"]
)
def test_anonymous_visitors_are_sent_to_login(client, owner, url):
    url = url.replace("/1/", f"/{owner.pk}/")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


def test_unknown_member_is_404(member, as_user):
    response = as_user(member).get(reverse("accounts:profile", args=[999999]))
    assert response.status_code == 404
    assert "This page does not exist, or you cannot see it." in response.content.decode()


def test_a_member_who_left_is_404(owner, member, as_user):
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert as_user(member).get(profile_url(owner)).status_code == 404


def test_my_own_profile_offers_to_edit(owner, member, as_user):
    assert "Edit my profile" in as_user(owner).get(profile_url(owner)).content.decode()
    assert f'href="{EDIT}"' not in as_user(member).get(profile_url(owner)).content.decode()


# --- editing ------------------------------------------------------------------------------


def test_profile_edit_saves(owner, as_user):
    client = as_user(owner)
    data = edit_data(
        owner.profile,
        company="New Co.",
        title="CTO",
        introduction="Hello **there**",
        interests="Tea, Go",
        company_visibility=Level.FRIENDS,
    )
    response = client.post(EDIT, data)
    assert response.status_code == 302 and response.url == profile_url(owner)
    profile = Profile.objects.get(user=owner)
    assert (profile.company, profile.title, profile.introduction, profile.interests) == (
        "New Co.", "CTO", "Hello **there**", "Tea, Go"
    )
    assert profile.company_visibility == Level.FRIENDS
    page = client.get(response.url).content.decode()
    assert "Your profile was saved." in page
    assert "<strong>there</strong>" in page


def test_the_job_title_is_still_a_job_title_in_japanese(owner, as_user):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    body = as_user(owner).get(EDIT).content.decode()
    assert '<label for="id_title">役職' in body
    assert "タイトル" not in body


def test_profile_edit_with_a_photo(owner, as_user):
    client = as_user(owner)
    response = client.post(EDIT, {**edit_data(owner.profile),
                                  "photo_upload": factories.image_file("JPEG")})
    assert response.status_code == 302
    profile = Profile.objects.get(user=owner)
    assert profile.photo.startswith(f"profiles/{owner.pk}/")
    page = client.get(profile_url(owner)).content.decode()
    assert photo_url(owner.pk, profile.photo, "medium") in page
    served = client.get(reverse("accounts:photo", args=[owner.pk, "medium"]))
    assert served.status_code == 200 and served["Content-Type"] == "image/webp"
    assert served["Cache-Control"] == "private, max-age=600"


def test_a_bad_photo_is_refused_with_a_clear_message_and_keeps_the_other_fields(owner, as_user):
    client = as_user(owner)
    before = Profile.objects.get(user=owner)
    upload = SimpleUploadedFile("notes.jpg", b"these are my notes, not a picture",
                                content_type="image/jpeg")
    data = edit_data(owner.profile, company="Changed Co.", introduction="A new intro",
                     interests="Tea")
    response = client.post(EDIT, {**data, "photo_upload": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert ("This file is not an image we can use. Please choose a JPEG, PNG, WebP or GIF."
            in body)
    assert field_value(body, "company") == "Changed Co."
    assert field_value(body, "real_name") == "Owner Person"
    assert field_value(body, "interests") == "Tea"
    assert re.search(r'<textarea name="introduction"[^>]*>\s*A new intro</textarea>', body)
    # Nothing was saved from the refused post.
    after = Profile.objects.get(user=owner)
    assert (after.company, after.introduction, after.photo) == (
        before.company, before.introduction, before.photo
    )


def test_removing_the_photo(owner, as_user):
    with_photo(owner)
    response = as_user(owner).post(EDIT, {**edit_data(owner.profile), "remove_photo": "on"})
    assert response.status_code == 302
    assert Profile.objects.get(user=owner).photo == ""


def test_profile_edit_cannot_change_another_member(owner, member, as_user):
    data = edit_data(owner.profile, company="Hijacked", user=member.pk)
    as_user(owner).post(EDIT, data)
    assert Profile.objects.get(user=member).company != "Hijacked"
    assert Profile.objects.get(user=owner).company == "Hijacked"


# --- settings -----------------------------------------------------------------------------


# What the settings form posts for a member who changed nothing but the language.
SETTINGS_UNCHANGED = {"leaves_footprints": "on", "friends_visibility": "members"}


def test_settings_save_the_language_and_the_next_page_is_in_japanese(owner, as_user):
    client = as_user(owner)
    page = client.get(SETTINGS).content.decode()
    assert '<html lang="en">' in page
    assert ">English</option>" in page

    response = client.post(SETTINGS, {**SETTINGS_UNCHANGED, "language": "ja"})
    assert response.status_code == 302 and response.url == SETTINGS
    owner.refresh_from_db()
    assert owner.language == "ja"

    response = client.get(SETTINGS)
    assert response.wsgi_request.LANGUAGE_CODE == "ja"
    page = response.content.decode()
    assert '<html lang="ja">' in page
    # Language names come from Django's own Japanese catalogue.
    assert ">英語</option>" in page
    assert ">日本語</option>" in page
    # And every other page too.
    assert '<html lang="ja">' in client.get(profile_url(owner)).content.decode()


def test_settings_back_to_the_site_language(owner, as_user):
    owner.language = "ja"
    owner.save(update_fields=["language"])
    client = as_user(owner)
    assert client.post(SETTINGS, {**SETTINGS_UNCHANGED, "language": ""}).status_code == 302
    owner.refresh_from_db()
    assert owner.language == ""
    assert '<html lang="en">' in client.get(SETTINGS).content.decode()


def test_settings_refuse_an_unknown_language(owner, as_user):
    response = as_user(owner).post(SETTINGS, {**SETTINGS_UNCHANGED, "language": "xx"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    owner.refresh_from_db()
    assert owner.language == ""


def test_a_friends_only_photo_is_gone_for_a_former_friend_who_kept_its_address(owner, friend,
                                                                                as_user):
    with_photo(owner)
    Profile.objects.filter(user=owner).update(photo_visibility=Level.FRIENDS)
    client = as_user(friend)
    page = client.get(profile_url(owner)).content.decode()
    address = re.search(r'src="(/members/\d+/photo/medium/\?v=\w+)"', page).group(1)
    assert client.get(address).status_code == 200

    services.friendship_end(user=owner, other=friend)

    assert client.get(address).status_code == 404
    assert address not in client.get(profile_url(owner)).content.decode()


def test_a_new_photo_has_a_new_address(owner):
    first = with_photo(owner).photo_url("small")
    second = with_photo(owner).photo_url("small")
    assert first != second
    assert first.startswith(reverse("accounts:photo", args=[owner.pk, "small"]) + "?v=")
