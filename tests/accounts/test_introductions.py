"""Introductions (紹介文): a friend writes about a member, it shows on the member's profile;
the member removes it, the author edits or deletes it, and it goes when the friendship ends."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.models import Block, Introduction, User
from tests import factories
from tests.html import assert_well_formed


def profile_url(user: User) -> str:
    return reverse("accounts:profile", args=[user.pk])


def introduce_url(user: User) -> str:
    return reverse("accounts:introduce", args=[user.pk])


def delete_url(introduction: Introduction) -> str:
    return reverse("accounts:introduction_delete", args=[introduction.pk])


def list_url(user: User) -> str:
    return reverse("accounts:introductions", args=[user.pk])


def write(author: User, subject: User, body: str = "A kind and careful person.") -> Introduction:
    return services.introduction_write(author=author, subject=subject, body=body)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- services ------------------------------------------------------------------------------

def test_a_friend_writes_an_introduction(owner, friend):
    introduction = write(friend, owner, "  We climbed Mt. Fuji together.  ")
    assert introduction.author == friend
    assert introduction.subject == owner
    assert introduction.body == "We climbed Mt. Fuji together."


@pytest.mark.parametrize("persona", ["fof", "member", "self"])
def test_only_a_friend_may_write(request, owner, friend, persona):
    author = owner if persona == "self" else request.getfixturevalue(persona)
    with pytest.raises(services.IntroductionError) as refused:
        write(author, owner)
    assert str(refused.value)  # a member-facing reason
    assert not Introduction.objects.exists()


def test_no_introduction_of_a_member_who_left(owner, friend):
    User.objects.filter(pk=owner.pk).update(is_active=False)
    with pytest.raises(services.IntroductionError):
        write(friend, owner)


@pytest.mark.parametrize("body", ["", "   \n ", "x" * 1001])
def test_an_empty_or_too_long_introduction_is_refused(owner, friend, body):
    with pytest.raises(services.IntroductionError):
        write(friend, owner, body)
    assert not Introduction.objects.exists()


def test_writing_again_edits_the_one_introduction(owner, friend):
    first = write(friend, owner, "First draft.")
    second = write(friend, owner, "Second thoughts.")
    assert second.pk == first.pk
    assert Introduction.objects.get().body == "Second thoughts."


def test_the_subject_removes_an_introduction(owner, friend):
    introduction = write(friend, owner)
    removed = services.introduction_delete(user=owner, introduction_id=introduction.pk)
    assert removed.author == friend
    assert not Introduction.objects.exists()


def test_the_author_deletes_their_introduction(owner, friend):
    introduction = write(friend, owner)
    services.introduction_delete(user=friend, introduction_id=introduction.pk)
    assert not Introduction.objects.exists()


def test_no_one_else_may_delete(owner, friend, fof, member):
    introduction = write(friend, owner)
    for user in (fof, member):
        with pytest.raises(Introduction.DoesNotExist):
            services.introduction_delete(user=user, introduction_id=introduction.pk)
    with pytest.raises(Introduction.DoesNotExist):
        services.introduction_delete(user=owner, introduction_id=introduction.pk + 1000)
    assert Introduction.objects.filter(pk=introduction.pk).exists()


def test_ending_the_friendship_removes_introductions_both_ways(owner, friend, fof):
    write(friend, owner)
    write(owner, friend)
    kept = write(fof, friend)  # another friendship's introduction stays
    services.friendship_end(user=owner, other=friend)
    assert list(Introduction.objects.all()) == [kept]


# --- the profile ---------------------------------------------------------------------------

def test_the_profile_shows_introductions_newest_first(owner, friend, member, as_user):
    other = factories.member("Other Friend")
    factories.befriend(owner, other)
    write(friend, owner, "Words of the first.")
    write(other, owner, "Words of the second.")
    body = as_user(member).get(profile_url(owner)).content.decode()
    assert_well_formed(body)
    assert "Introductions from friends" in body
    assert body.index("Words of the second.") < body.index("Words of the first.")
    assert f'href="{profile_url(friend)}"' in body
    # A member who is not the subject or an author has nothing to press.
    assert 'action="/introductions/' not in body
    assert introduce_url(owner) not in body


def test_my_profile_offers_to_remove(owner, friend, as_user):
    introduction = write(friend, owner)
    body = as_user(owner).get(profile_url(owner)).content.decode()
    assert_well_formed(body)
    assert f'action="{delete_url(introduction)}"' in body
    assert "Remove from my profile" in body
    assert introduce_url(owner) not in body


def test_the_author_sees_edit_and_delete(owner, friend, as_user):
    introduction = write(friend, owner)
    body = as_user(friend).get(profile_url(owner)).content.decode()
    assert_well_formed(body)
    assert f'href="{introduce_url(owner)}"' in body
    assert f'action="{delete_url(introduction)}"' in body
    assert "Write an introduction" not in body  # already written: edit instead


def test_a_friend_is_offered_to_write_one(owner, friend, fof, as_user):
    assert f'href="{introduce_url(owner)}"' in as_user(friend).get(profile_url(owner)) \
        .content.decode()
    assert introduce_url(owner) not in as_user(fof).get(profile_url(owner)).content.decode()


def test_empty_states(owner, member, as_user):
    assert "No introductions yet. Your friends can write one about you." in as_user(owner) \
        .get(profile_url(owner)).content.decode()
    assert "No introductions yet." in as_user(member).get(profile_url(owner)).content.decode()


def test_introductions_by_members_who_left_are_not_shown(owner, friend, member, as_user):
    write(friend, owner, "From someone who left.")
    User.objects.filter(pk=friend.pk).update(is_active=False)
    assert "From someone who left." not in as_user(member).get(profile_url(owner)) \
        .content.decode()


@pytest.mark.parametrize("direction", ["viewer blocks author", "author blocks viewer"])
def test_introductions_by_blocked_members_are_hidden_from_the_viewer(
    owner, friend, member, as_user, direction
):
    write(friend, owner, "Hidden from the viewer.")
    if direction == "viewer blocks author":
        Block.objects.create(blocker=member, blocked=friend)
    else:
        Block.objects.create(blocker=friend, blocked=member)
    assert "Hidden from the viewer." not in as_user(member).get(profile_url(owner)) \
        .content.decode()
    assert "Hidden from the viewer." in as_user(owner).get(profile_url(owner)).content.decode()


def test_markdown_is_rendered_and_cleaned(owner, friend, member, as_user):
    write(friend, owner, "**Brave** <script>alert('x')</script> [click](javascript:alert(1)) "
                         "[site](https://example.com/)")
    body = as_user(member).get(profile_url(owner)).content.decode()
    assert_well_formed(body)
    assert "<strong>Brave</strong>" in body
    assert "<script>alert" not in body
    assert "javascript:" not in body
    assert 'href="https://example.com/"' in body
    assert 'rel="nofollow ugc noopener"' in body


def test_at_most_twenty_on_the_profile_and_the_rest_on_the_list(owner, member, as_user):
    for n in range(23):
        author = factories.member(f"Author {n}")
        factories.befriend(owner, author)
        write(author, owner, f"Words number {n}.")
    client = as_user(member)
    body = client.get(profile_url(owner)).content.decode()
    assert body.count('class="introduction"') == 20
    assert f'href="{list_url(owner)}"' in body
    assert "Words number 22." in body and "Words number 2." not in body

    first = client.get(list_url(owner)).content.decode()
    assert_well_formed(first)
    assert first.count('class="introduction"') == 20
    second = client.get(list_url(owner), {"page": 2}).content.decode()
    assert_well_formed(second)
    assert second.count('class="introduction"') == 3
    assert "Words number 0." in second


def test_no_list_link_when_all_fit(owner, friend, member, as_user):
    write(friend, owner)
    assert list_url(owner) not in as_user(member).get(profile_url(owner)).content.decode()


@pytest.mark.parametrize("count", [5, 50])
def test_profile_query_count_does_not_grow_with_introductions(
    owner, member, as_user, count, django_assert_max_num_queries
):
    for n in range(count):
        author = factories.member(f"Author {n}", company=f"Co {n}")
        factories.befriend(owner, author)
        write(author, owner, f"**Words** number {n}.")
    client = as_user(member)
    # The same page of a member nobody introduced: the introductions cost one query however
    # many there are (the page's own bound is tested in test_profiles.py).
    quiet = factories.member("Quiet Person", company="Quiet K.K.")
    for n in range(count):
        factories.befriend(quiet, factories.member(f"Quiet friend {n}", company=f"Co {n}"))
    with CaptureQueriesContext(connection) as baseline:
        client.get(profile_url(quiet))
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(profile_url(owner))
    assert response.status_code == 200
    assert response.content.decode().count('class="introduction"') == min(count, 20)


@pytest.mark.parametrize("count", [5, 50])
def test_list_query_count_does_not_grow(
    owner, member, as_user, count, django_assert_max_num_queries
):
    for n in range(count):
        author = factories.member(f"Author {n}")
        factories.befriend(owner, author)
        write(author, owner, f"Words number {n}.")
    client = as_user(member)
    # Session, viewer, the nav count, member, relation, a count and a page.
    with django_assert_max_num_queries(7):
        response = client.get(list_url(owner))
    assert response.status_code == 200


def test_japanese_rendering(owner, friend, as_user):
    write(friend, owner, "頼れる先輩です。")
    client = as_user(owner)
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    body = client.get(profile_url(owner)).content.decode()
    assert_well_formed(body)
    assert "友だちからの紹介文" in body
    assert "プロフィールから外す" in body
    assert "頼れる先輩です。" in body
    page = as_user(friend)
    page.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    form = page.get(introduce_url(owner)).content.decode()
    assert_well_formed(form)
    assert "紹介文を編集" in form


# --- the form and the delete button --------------------------------------------------------

def test_the_write_form_saves_and_goes_back_to_the_profile(owner, friend, as_user):
    client = as_user(friend)
    response = client.get(introduce_url(owner))
    assert response.status_code == 200
    body = response.content.decode()
    assert_well_formed(body)
    assert "Introduce Owner Person" in body

    response = client.post(introduce_url(owner), {"body": "Always on time."}, follow=True)
    assert response.redirect_chain[-1][0] == profile_url(owner) + "#introductions"
    assert "Your introduction of Owner Person was saved." in messages_of(response)
    assert Introduction.objects.get(author=friend, subject=owner).body == "Always on time."


def test_the_form_shows_my_introduction_to_edit(owner, friend, as_user):
    write(friend, owner, "My earlier words.")
    body = as_user(friend).get(introduce_url(owner)).content.decode()
    assert_well_formed(body)
    assert "Edit your introduction of Owner Person" in body
    assert "My earlier words." in body
    assert "Delete my introduction" in body


def test_the_form_refuses_an_empty_or_too_long_text(owner, friend, as_user):
    client = as_user(friend)
    for body in ("", "x" * 1001):
        response = client.post(introduce_url(owner), {"body": body})
        assert response.status_code == 200
        assert_well_formed(response.content.decode())
    assert not Introduction.objects.exists()


@pytest.mark.parametrize("persona", ["fof", "member", "owner"])
def test_the_form_refuses_non_friends(request, owner, friend, as_user, persona):
    client = as_user(request.getfixturevalue(persona))
    for method in ("get", "post"):
        response = getattr(client, method)(introduce_url(owner), {"body": "Hi."}, follow=True)
        assert response.redirect_chain[-1][0] == profile_url(owner)
        assert messages_of(response)
    assert not Introduction.objects.exists()


def test_the_form_for_an_unknown_or_blocked_member_is_404(owner, friend, member, as_user):
    assert as_user(friend).get(reverse("accounts:introduce", args=[999999])).status_code == 404
    Block.objects.create(blocker=owner, blocked=member)
    assert as_user(member).get(introduce_url(owner)).status_code == 404


def test_the_subject_removes_through_the_view(owner, friend, as_user):
    introduction = write(friend, owner)
    response = as_user(owner).post(delete_url(introduction), follow=True)
    assert response.redirect_chain[-1][0] == profile_url(owner) + "#introductions"
    assert "The introduction by Friend Person was removed from your profile." in \
        messages_of(response)
    assert not Introduction.objects.exists()


def test_the_author_deletes_through_the_view(owner, friend, as_user):
    introduction = write(friend, owner)
    response = as_user(friend).post(delete_url(introduction), follow=True)
    assert "Your introduction of Owner Person was deleted." in messages_of(response)
    assert not Introduction.objects.exists()


@pytest.mark.parametrize("persona", ["fof", "member"])
def test_others_get_404(request, owner, friend, as_user, persona):
    introduction = write(friend, owner)
    assert as_user(request.getfixturevalue(persona)).post(delete_url(introduction)) \
        .status_code == 404
    assert Introduction.objects.exists()


def test_delete_is_post_only(owner, friend, as_user):
    introduction = write(friend, owner)
    assert as_user(owner).get(delete_url(introduction)).status_code == 405
    assert Introduction.objects.exists()


def test_anonymous_visitors_are_sent_to_login(client, owner, friend):
    introduction = write(friend, owner)
    for url in (introduce_url(owner), list_url(owner)):
        assert client.get(url).status_code == 302
    assert client.post(delete_url(introduction)).status_code == 302
    assert Introduction.objects.exists()


def test_unfriending_through_the_view_removes_introductions(owner, friend, as_user):
    write(friend, owner)
    write(owner, friend)
    as_user(owner).post(reverse("accounts:unfriend", args=[friend.pk]))
    assert not Introduction.objects.exists()
