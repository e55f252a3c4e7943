"""Every admin page of every registered model opens for a superuser — the list with no rows,
with 5 and with 50, and an object's page — in a number of queries that does not grow with
the rows; and the moderators' actions on members' content.

A model registered in admin without a builder below fails ``test_every_model_has_a_builder``:
add one, so that its pages are tried too.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.models import Block, Footprint, FriendRequest, Introduction
from albums.models import Album, AlbumPhoto, AlbumPhotoComment
from communities.models import (
    Category,
    Community,
    CommunityInvitation,
    CommunityPreference,
    JoinRequest,
    Membership,
    Role,
    Topic,
    TopicComment,
)
from diary.models import Comment, DiaryPreference, Entry, EntryPhoto
from invites import services as invites_services
from sns.models import (
    Announcement,
    DailyNewsDelivery,
    ModerationLog,
    Notification,
    NotificationPreference,
    Report,
    SitePolicy,
)
from tests import factories
from tests.mfa import authenticator_app

FEW, MANY = 5, 50
_seq = itertools.count(1)


@pytest.fixture
def operator(moderator):
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    return moderator


class World:
    """Rows the builders hang theirs on, made when first asked for."""

    def __init__(self):
        self._made: dict[str, object] = {}

    def _once(self, key: str, make: Callable[[], object]):
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    @property
    def hub(self):
        return self._once("hub", lambda: factories.member("Hub Person"))

    @property
    def category(self) -> Category:
        return self._once(
            "category", lambda: Category.objects.create(name_ja="本", name_en="Books")
        )

    @property
    def community(self) -> Community:
        return self._once("community", lambda: community(self, self.hub))

    @property
    def entry(self) -> Entry:
        return self._once("entry", lambda: entry(self.hub))

    @property
    def topic(self) -> Topic:
        return self._once("topic", lambda: Topic.objects.create(
            community=self.community, author=self.hub, title="A topic", body="Hello."
        ))

    @property
    def album(self) -> Album:
        return self._once("album", lambda: Album.objects.create(owner=self.hub, title="Trip"))

    @property
    def album_photo(self) -> AlbumPhoto:
        return self._once("album_photo", lambda: AlbumPhoto.objects.create(
            album=self.album, uploader=self.hub, image="albums/1/photo", caption="River"
        ))

    @property
    def event(self):
        return self._once("event", lambda: factories.event(self.hub))


def someone():
    return factories.member(f"Person {next(_seq)}")


def entry(author) -> Entry:
    return Entry.objects.create(author=author, title=f"Entry {next(_seq)}", body="Some *text*.")


def community(world: World, creator) -> Community:
    made = Community.objects.create(
        name=f"Community {next(_seq)}", description="About.", category=world.category,
        created_by=creator,
    )
    Membership.objects.create(community=made, user=creator, role=Role.ADMIN)
    return made


def _each(make: Callable[[World], object]) -> Callable[[World, int], None]:
    def build(world: World, n: int) -> None:
        for _ in range(n):
            make(world)

    return build


def _task_result(world: World) -> None:
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}}, task_path="invites.tasks.send_invitation",
        backend_name="default", run_after=timezone.now(),
    )


def _site_policy(world: World, n: int) -> None:
    # One row per site.
    if not SitePolicy.objects.exists():
        SitePolicy.objects.create(body_en="We gather friends.", rules_en="Be kind.")


def _notification_preferences(world: World, n: int) -> None:
    kinds = itertools.cycle(Notification.Kind.values)
    member = someone()
    for i in range(n):
        if i and i % len(Notification.Kind.values) == 0:
            member = someone()
        NotificationPreference.objects.create(user=member, kind=next(kinds), email=True)


def _report(world: World) -> None:
    made = entry(someone())
    Report.objects.create(
        reporter=world.hub, reported=made.author, target=made, reason=Report.Reason.SPAM,
        details="Adverts.",
    )


def _log(world: World) -> None:
    member = someone()
    ModerationLog.objects.create(
        moderator=world.hub, member=member, member_label=f"{member} <{member.email}>",
        action=ModerationLog.Action.WARN, reason="Be kind.",
    )


def _photo(world: World) -> None:
    EntryPhoto.objects.create(entry=entry(world.hub), image="diary/1/photo.jpg", position=0)


def _rsvp(world: World) -> None:
    factories.answer(world.event, someone())


def _event(world: World) -> None:
    factories.event(someone())


def _event_comment(world: World) -> None:
    from offkai.models import EventComment

    EventComment.objects.create(event=world.event, author=someone(), body="See you there.")


def _guest(world: World) -> None:
    from offkai.models import Guest

    Guest.objects.create(event=world.event, brought_by=world.hub, name=f"Guest {next(_seq)}")


def _calendar_feed(world: World) -> None:
    from offkai.models import CalendarFeed

    CalendarFeed.objects.create(user=someone())


BUILDERS: dict[str, Callable[[World, int], None]] = {
    "auth.Group": _each(lambda w: Group.objects.create(name=f"Group {next(_seq)}")),
    "account.EmailAddress": _each(lambda w: someone()),
    "mfa.Authenticator": _each(lambda w: authenticator_app(someone())),
    "django_tasks_database.DBTaskResult": _each(_task_result),
    "sns.SitePolicy": _site_policy,
    "sns.Notification": _each(lambda w: Notification.objects.create(
        recipient=w.hub, actor=someone(), kind=Notification.Kind.DIARY_COMMENT, target=w.entry
    )),
    "sns.NotificationPreference": _notification_preferences,
    "sns.Announcement": _each(lambda w: Announcement.objects.create(
        title=f"Notice {next(_seq)}", body="Hello all.", created_by=w.hub,
        community=w.community,
    )),
    "sns.DailyNewsDelivery": _each(lambda w: DailyNewsDelivery.objects.create(
        member=someone(), day=date.today()
    )),
    "sns.Report": _each(_report),
    "sns.ModerationLog": _each(_log),
    "accounts.User": _each(lambda w: someone()),
    "accounts.Friendship": _each(lambda w: factories.befriend(w.hub, someone())),
    "accounts.FriendRequest": _each(lambda w: FriendRequest.objects.create(
        from_user=someone(), to_user=w.hub, message="Hello!"
    )),
    "accounts.Block": _each(lambda w: Block.objects.create(blocker=w.hub, blocked=someone())),
    "accounts.Footprint": _each(lambda w: Footprint.objects.create(
        visitor=someone(), owner=w.hub, day=date.today()
    )),
    "accounts.Introduction": _each(lambda w: Introduction.objects.create(
        author=someone(), subject=w.hub, body="A good friend."
    )),
    "invites.Invitation": _each(lambda w: invites_services.invitation_create(
        inviter=None, email=f"guest{next(_seq)}@example.com", send=False
    )),
    "albums.Album": _each(lambda w: Album.objects.create(
        owner=someone(), title=f"Album {next(_seq)}", description="Our *trip*."
    )),
    "albums.AlbumPhoto": _each(lambda w: AlbumPhoto.objects.create(
        album=w.album, uploader=someone(), image=f"albums/1/{next(_seq)}", size_bytes=1000,
    )),
    "albums.AlbumPhotoComment": _each(lambda w: AlbumPhotoComment.objects.create(
        photo=w.album_photo, author=someone(), body="Lovely."
    )),
    "diary.Entry": _each(lambda w: entry(w.hub)),
    "diary.EntryPhoto": _each(_photo),
    "diary.Comment": _each(lambda w: Comment.objects.create(
        entry=w.entry, author=someone(), body="Nice."
    )),
    "diary.DiaryPreference": _each(lambda w: DiaryPreference.objects.create(user=someone())),
    "communities.Category": _each(lambda w: Category.objects.create(
        name_ja=f"分類 {next(_seq)}", name_en=f"Category {next(_seq)}"
    )),
    "communities.Community": _each(lambda w: community(w, someone())),
    "communities.Membership": _each(lambda w: Membership.objects.create(
        community=w.community, user=someone()
    )),
    "communities.JoinRequest": _each(lambda w: JoinRequest.objects.create(
        community=w.community, user=someone(), message="May I join?"
    )),
    "communities.CommunityInvitation": _each(lambda w: CommunityInvitation.objects.create(
        community=w.community, inviter=w.hub, invitee=someone()
    )),
    "communities.Topic": _each(lambda w: Topic.objects.create(
        community=w.community, author=someone(), title=f"Topic {next(_seq)}", body="Hello."
    )),
    "communities.TopicComment": _each(lambda w: TopicComment.objects.create(
        topic=w.topic, author=someone(), body="A reply."
    )),
    "communities.CommunityPreference": _each(lambda w: CommunityPreference.objects.create(
        user=someone(), topics_seen_at=timezone.now() - timedelta(days=1)
    )),
    "offkai.Event": _each(_event),
    "offkai.RSVP": _each(_rsvp),
    "offkai.EventComment": _each(_event_comment),
    "offkai.Guest": _each(_guest),
    "offkai.CalendarFeed": _each(_calendar_feed),
}

REGISTERED = sorted(model._meta.label for model in admin.site._registry)


def test_every_model_has_a_builder():
    missing = set(REGISTERED) - set(BUILDERS)
    assert not missing, f"add a builder for {sorted(missing)} to BUILDERS"


def test_every_app_model_is_in_admin():
    """Each model of the site's own apps has its admin pages (Profile is on the member's)."""
    from django.apps import apps

    ours = {"sns", "accounts", "invites", "diary", "communities", "offkai", "albums"}
    unlisted = {
        model._meta.label for model in apps.get_models()
        if model._meta.app_label in ours and model not in admin.site._registry
    }
    # A profile is edited on its member's page, an off-kai's hosts shown on the event's page;
    # suggestions are a ranking a task rebuilds from the friendships; the abuse limits' log
    # (sns.limits) is bookkeeping that prunes itself; a like says nothing a moderator acts on
    # (the thing liked is reported and hidden, and its likes go with it).
    assert unlisted <= {"accounts.Profile", "offkai.EventHost", "accounts.Suggestion",
                        "sns.LimitedAction", "sns.Like"}, unlisted


def admin_url(model, page: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.mark.parametrize("label", REGISTERED)
def test_list_and_object_pages(label, operator, as_user, django_assert_max_num_queries):
    from django.apps import apps

    model = apps.get_model(label)
    build = BUILDERS[label]
    world = World()
    world.hub  # noqa: B018 - made before counting: every list then has the same people in it
    client = as_user(operator)
    changelist = admin_url(model, "changelist")

    assert client.get(changelist).status_code == 200

    counts = []
    for more in [FEW, MANY - FEW]:
        build(world, more)
        with django_assert_max_num_queries(30) as captured:
            response = client.get(changelist)
        assert response.status_code == 200, label
        counts.append(len(captured))
    assert counts[1] <= counts[0], f"{label}: {counts[0]} queries at {FEW}, {counts[1]} at {MANY}"

    # The list shows rows (SitePolicy has one), and a search and each filter work.
    assert 'id="result_list"' in response.content.decode()
    model_admin = admin.site._registry[model]
    if model_admin.search_fields:
        assert client.get(changelist, {"q": "example"}).status_code == 200

    obj = model._default_manager.order_by("-pk").first()
    with django_assert_max_num_queries(30):
        page = client.get(admin_url(model, "change", obj.pk))
    assert page.status_code == 200, label
    assert client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_list_filters_all_open(operator, as_user):
    """Every filter choice of the content lists (the moderators' daily lists)."""
    world = World()
    for label in ["diary.Entry", "diary.Comment", "communities.Topic",
                  "communities.TopicComment", "communities.Community", "invites.Invitation"]:
        BUILDERS[label](world, 2)
    client = as_user(operator)
    checks = {
        Entry: [{"hidden": "yes"}, {"hidden": "no"}, {"visibility": "friends"}],
        Comment: [{"hidden": "yes"}, {"hidden": "no"}],
        Topic: [{"hidden": "no"}, {"pinned__exact": "1"}],
        TopicComment: [{"hidden": "yes"}],
        Community: [{"closed": "yes"}, {"closed": "no"}, {"join_policy": "open"}],
    }
    for model, filters in checks.items():
        for params in filters:
            response = client.get(admin_url(model, "changelist"), params)
            assert response.status_code == 200, (model, params)
            assert "errornote" not in response.content.decode()
    from invites.models import Invitation

    for value in ["site", "member"]:
        assert client.get(admin_url(Invitation, "changelist"), {"from": value}).status_code == 200


# --- what moderators (staff, no other permission) do ---------------------------------------


@pytest.mark.parametrize("model", [Entry, Comment, Topic, TopicComment])
def test_moderators_hide_and_show_content_again(model, moderator, as_user):
    world = World()
    label = model._meta.label
    BUILDERS[label](world, 2)
    items = list(model.objects.order_by("pk"))
    client = as_user(moderator)
    changelist = admin_url(model, "changelist")
    assert client.get(changelist).status_code == 200

    response = client.post(
        changelist, {"action": "hide", "_selected_action": [items[0].pk], "index": 0},
        follow=True,
    )
    assert "1 item hidden." in response.content.decode()
    items[0].refresh_from_db()
    items[1].refresh_from_db()
    assert items[0].hidden_at is not None and items[1].hidden_at is None
    log = ModerationLog.objects.get()
    assert (log.action, log.moderator, log.target) == (ModerationLog.Action.HIDE, moderator,
                                                       items[0])

    listed = client.get(changelist, {"hidden": "yes"}).content.decode()
    assert admin_url(model, "change", items[0].pk) in listed
    assert admin_url(model, "change", items[1].pk) not in listed

    response = client.post(
        changelist, {"action": "unhide", "_selected_action": [i.pk for i in items], "index": 0},
        follow=True,
    )
    assert "1 item shown again." in response.content.decode()
    items[0].refresh_from_db()
    assert items[0].hidden_at is None


def test_a_hidden_topic_is_gone_for_members(moderator, member, as_user):
    world = World()
    topic = world.topic
    Membership.objects.create(community=world.community, user=member)
    page = reverse("communities:topic", args=[world.community.pk, topic.pk])
    assert as_user(member).get(page).status_code == 200
    as_user(moderator).post(
        admin_url(Topic, "changelist"),
        {"action": "hide", "_selected_action": [topic.pk], "index": 0},
    )
    assert as_user(member).get(page).status_code == 404


def test_moderators_edit_no_member_content(moderator, operator, as_user):
    world = World()
    made = world.entry
    for client in [as_user(moderator), as_user(operator)]:
        page = client.get(admin_url(Entry, "change", made.pk)).content.decode()
        assert 'name="title"' not in page and 'name="body"' not in page
        assert client.get(admin_url(Entry, "add")).status_code == 403
        client.post(admin_url(Entry, "change", made.pk), {"title": "Rewritten", "body": "x"})
    made.refresh_from_db()
    assert made.title.startswith("Entry")


def test_moderators_close_a_community(moderator, member, as_user):
    world = World()
    open_one, other = world.community, community(world, someone())
    JoinRequest.objects.create(community=open_one, user=member, message="May I?")
    changelist = admin_url(Community, "changelist")
    response = as_user(moderator).post(
        changelist, {"action": "close", "_selected_action": [open_one.pk], "index": 0},
        follow=True,
    )
    assert "1 community closed." in response.content.decode()
    open_one.refresh_from_db()
    other.refresh_from_db()
    assert open_one.closed_at is not None and other.closed_at is None
    # As when its admin closes it: pending requests go.
    assert not JoinRequest.objects.filter(community=open_one).exists()
    listed = as_user(moderator).get(changelist, {"closed": "yes"}).content.decode()
    assert admin_url(Community, "change", open_one.pk) in listed
    assert admin_url(Community, "change", other.pk) not in listed


def test_the_community_page_links_to_its_members_instead_of_listing_them(operator, as_user):
    world = World()
    BUILDERS["communities.Membership"](world, 3)
    client = as_user(operator)
    body = client.get(admin_url(Community, "change", world.community.pk)).content.decode()
    link = f'{admin_url(Membership, "changelist")}?community__id__exact={world.community.pk}'
    assert f'<a href="{link}">4 members</a>' in body
    assert client.get(link).context["cl"].result_count == 4


def test_the_operator_files_a_community_under_another_category(operator, as_user):
    world = World()
    made = world.community
    other = Category.objects.create(name_ja="旅", name_en="Travel")
    response = as_user(operator).post(
        admin_url(Community, "change", made.pk), {"category": other.pk}
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.category == other and made.name.startswith("Community")


def test_a_sent_invitation_keeps_its_address(operator, owner, as_user):
    invitation = factories.invitation(owner, "guest@example.com", send=False)
    page = as_user(operator).get(admin_url(invitation, "change", invitation.pk))
    body = page.content.decode()
    assert 'name="email"' not in body and 'name="inviter"' not in body
    assert 'name="expires_at_0"' in body
