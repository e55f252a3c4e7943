"""What the operator does with invitations: admin pages and ``manage.py invite``."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from invites import services
from invites.models import Invitation, State
from sns.models import Notification
from tests import factories

CHANGELIST = reverse("admin:invites_invitation_changelist")
ADD = reverse("admin:invites_invitation_add")


@pytest.fixture
def operator(moderator):
    # The admin needs a superuser (or explicit permissions); the persona is staff only.
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    return moderator


@pytest.fixture
def admin_client(operator, as_user):
    return as_user(operator)






def listed_emails(response) -> set[str]:
    """The addresses in the changelist's result table."""
    table = re.search(r'<table id="result_list">.*?</table>', response.content.decode(), re.S)
    assert table, "no result list"
    return set(re.findall(r"[\w.+-]+@example\.com", table.group(0)))


# --- the invitation changelist ------------------------------------------------------------


def test_changelist_shows_every_invitation_and_its_state(admin_client, owner):
    invitations = factories.invitations_in_every_state(owner)
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert listed_emails(response) == {i.email for i in invitations.values()}
    body = response.content.decode()
    for _state, label in State.choices:
        assert f'<td class="field-state_display">{label}</td>' in body


@pytest.mark.parametrize("state", State.values)
def test_changelist_state_filter(admin_client, owner, state):
    invitations = factories.invitations_in_every_state(owner)
    response = admin_client.get(CHANGELIST, {"state": state})
    assert response.status_code == 200
    assert listed_emails(response) == {invitations[state].email}


def test_changelist_unknown_state_filter_shows_everything(admin_client, owner):
    factories.invitations_in_every_state(owner)
    response = admin_client.get(CHANGELIST, {"state": "bogus"})
    assert response.status_code == 200
    assert len(listed_emails(response)) == 4


def test_changelist_search_by_inviter(admin_client, owner, friend):
    factories.invitation(owner, "from-owner@example.com")
    factories.invitation(friend, "from-friend@example.com")
    response = admin_client.get(CHANGELIST, {"q": "Friend Person"})
    assert listed_emails(response) == {"from-friend@example.com"}


def test_changelist_query_count_does_not_grow(
    admin_client, owner, friend, django_assert_max_num_queries
):
    def add(count):
        for n in range(count):
            inviter = owner if n % 2 else friend
            factories.redeem(factories.invitation(inviter, f"g{count}-{n}@example.com", send=False),
                   f"Guest {count} {n}")

    owner.invite_quota = friend.invite_quota = 100
    owner.save()
    friend.save()
    counts = []
    for count in [5, 45]:
        add(count)
        with django_assert_max_num_queries(20) as captured:
            assert admin_client.get(CHANGELIST).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_non_members_are_kept_out(as_user, owner, moderator):
    response = as_user(owner).get(CHANGELIST)
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


# --- actions ------------------------------------------------------------------------------


def test_revoke_action(admin_client, owner):
    invitations = factories.invitations_in_every_state(owner)
    selected = [invitations[s].pk for s in State.values]
    response = admin_client.post(
        CHANGELIST, {"action": "revoke", "_selected_action": selected, "index": 0}, follow=True
    )
    assert response.status_code == 200
    # Pending and expired are revoked; the accepted one and the revoked one stay as they were.
    assert "2 invitations revoked." in response.content.decode()
    states = {i.email: i.state for i in Invitation.objects.all()}
    assert states == {
        "pending@example.com": State.REVOKED,
        "expired@example.com": State.REVOKED,
        "accepted@example.com": State.ACCEPTED,
        "revoked@example.com": State.REVOKED,
    }


def test_revoke_action_on_one(admin_client, owner):
    invitation = factories.invitation(owner)
    response = admin_client.post(
        CHANGELIST,
        {"action": "revoke", "_selected_action": [invitation.pk], "index": 0},
        follow=True,
    )
    assert "1 invitation revoked." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.state == State.REVOKED


def test_resend_action(admin_client, owner, outbox, django_capture_on_commit_callbacks):
    invitations = factories.invitations_in_every_state(owner)
    tokens = {s: i.token for s, i in invitations.items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST,
            {"action": "resend", "_selected_action": [i.pk for i in invitations.values()],
             "index": 0},
            follow=True,
        )
    assert "2 invitations sent again." in response.content.decode()
    fresh = {i.email.split("@")[0]: i for i in Invitation.objects.all()}
    assert fresh[State.PENDING].token != tokens[State.PENDING]
    assert fresh[State.EXPIRED].state == State.PENDING
    assert fresh[State.ACCEPTED].token == tokens[State.ACCEPTED]
    assert fresh[State.REVOKED].token == tokens[State.REVOKED]
    assert sorted(m.to[0] for m in outbox) == ["expired@example.com", "pending@example.com"]


# --- the add form -------------------------------------------------------------------------


def test_add_form_invites_through_the_service(
    admin_client, owner, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            ADD, {"inviter": owner.pk, "email": "Guest@EXAMPLE.com", "message": "Welcome!"}
        )
    assert response.status_code == 302, response.content.decode()
    invitation = Invitation.objects.get()
    # Normalized by the service, which also mailed the link.
    assert (invitation.inviter, invitation.email, invitation.message) == (
        owner, "Guest@example.com", "Welcome!"
    )
    assert invitation.sent_at is not None
    [sent] = outbox
    assert sent.to == ["Guest@example.com"]
    assert invitation.token in sent.body
    assert Invitation.objects.count() == 1


def test_add_form_without_inviter_makes_a_site_invitation(
    admin_client, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ADD, {"inviter": "", "email": "founder@example.com"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.inviter is None
    assert invitation.token in outbox[0].body


def test_add_form_and_continue_editing_opens_the_created_invitation(admin_client, owner):
    response = admin_client.post(
        ADD, {"inviter": owner.pk, "email": "guest@example.com", "_continue": "1"}
    )
    invitation = Invitation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:invites_invitation_change", args=[invitation.pk])
    page = admin_client.get(response.url)
    assert page.status_code == 200
    assert "guest@example.com" in page.content.decode()


def test_add_form_shows_the_quota_error(admin_client, owner, settings, outbox):
    settings.INVITE_QUOTA = 1
    factories.invitation(owner, "first@example.com")
    response = admin_client.post(ADD, {"inviter": owner.pk, "email": "second@example.com"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="errornote"' in body
    assert re.search(r'<ul class="errorlist nonfield">\s*<li>You have no invitations left.</li>',
                     body)
    assert list(Invitation.objects.values_list("email", flat=True)) == ["first@example.com"]
    assert outbox == []


def test_add_form_shows_the_already_a_member_error(admin_client, member):
    response = admin_client.post(ADD, {"inviter": "", "email": "member@example.com"})
    assert response.status_code == 200
    assert "This person is already a member." in response.content.decode()
    assert Invitation.objects.count() == 0


def test_add_form_tells_the_operator_an_address_is_a_members_whoever_invites(
    admin_client, owner, member, outbox
):
    # A member inviting the address is answered as for anyone (tests/invites/
    # test_member_address.py); the operator may know, and nothing is made or sent.
    response = admin_client.post(ADD, {"inviter": owner.pk, "email": "MEMBER@example.com"})
    assert response.status_code == 200
    assert "This person is already a member." in response.content.decode()
    assert Invitation.objects.count() == 0
    assert not Notification.objects.filter(recipient=member).exists()


def test_add_form_field_errors(admin_client):
    response = admin_client.post(ADD, {"inviter": "", "email": "not an address"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert Invitation.objects.count() == 0


# --- the member's admin page --------------------------------------------------------------


def test_user_change_page_shows_the_invite_tree_and_quota(admin_client, owner, settings):
    settings.INVITE_QUOTA = 5
    alice = factories.redeem(factories.invitation(owner, "alice@example.com"), "Alice A")
    bob = factories.redeem(factories.invitation(owner, "bob@example.com"), "Bob B")
    carol = factories.redeem(factories.invitation(alice, "carol@example.com"), "Carol C")
    dave = factories.redeem(factories.invitation(carol, "dave@example.com"), "Dave D")
    factories.invitation(owner, "pending@example.com")
    services.invitation_revoke(invitation=factories.invitation(owner, "revoked@example.com"))

    response = admin_client.get(reverse("admin:accounts_user_change", args=[owner.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    # Two accepted and one pending use a slot; the revoked one was given back.
    assert "3 of 5" in body
    assert re.search(r'name="invite_quota"[^>]*>', body)

    tree = re.search(r'<ul class="invite-tree">.*</ul>', body, re.S)
    assert tree, "no invite tree"
    tree_html = tree.group(0)

    def link(user):
        return reverse("admin:accounts_user_change", args=[user.pk])

    positions = [tree_html.index(f'href="{link(u)}"') for u in [alice, carol, dave, bob]]
    assert positions == sorted(positions)
    assert "Alice A</a> &lt;alice@example.com&gt;" in tree_html
    # Three levels: one list for each.
    assert tree_html.count('<ul class="invite-tree">') == 3
    assert "pending@example.com" not in tree_html


def test_user_change_page_with_an_override_and_no_tree(admin_client, member):
    member.invite_quota = 9
    member.save(update_fields=["invite_quota"])
    body = admin_client.get(
        reverse("admin:accounts_user_change", args=[member.pk])
    ).content.decode()
    assert "0 of 9" in body
    assert "Nobody yet." in body
    assert re.search(r'name="invite_quota"[^>]*value="9"', body)


def test_user_change_page_of_staff_says_no_limit(admin_client, operator):
    factories.invitation(operator)
    body = admin_client.get(
        reverse("admin:accounts_user_change", args=[operator.pk])
    ).content.decode()
    assert "1 (no limit)" in body


def test_user_change_page_shows_who_invited(admin_client, owner):
    alice = factories.redeem(factories.invitation(owner, "alice@example.com"), "Alice A")
    founder = factories.redeem(factories.invitation(None, "founder@example.com"), "Founder F")
    body = admin_client.get(
        reverse("admin:accounts_user_change", args=[alice.pk])
    ).content.decode()
    assert "Owner Person" in body
    body = admin_client.get(
        reverse("admin:accounts_user_change", args=[founder.pk])
    ).content.decode()
    assert "the site" in body


def test_admin_can_change_the_quota(admin_client, owner):
    url = reverse("admin:accounts_user_change", args=[owner.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {
        name: value for name, value in form.initial.items()
        if name in form.fields and value is not None and name not in {"password"}
    }
    data.update({
        "email": owner.email,
        "invite_quota": "12",
        "is_active": "on",
        "groups": [],
        "user_permissions": [],
        "date_joined_0": timezone.localtime(owner.date_joined).strftime("%Y-%m-%d"),
        "date_joined_1": timezone.localtime(owner.date_joined).strftime("%H:%M:%S"),
    })
    data.pop("is_staff", None)
    data.pop("is_superuser", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.pop("language", None)
    # The profile inline's management form and fields, as the page rendered them.
    inline = page.context["inline_admin_formsets"][0].formset
    data.update({
        f"{inline.prefix}-TOTAL_FORMS": "1",
        f"{inline.prefix}-INITIAL_FORMS": "1",
        f"{inline.prefix}-MIN_NUM_FORMS": "0",
        f"{inline.prefix}-MAX_NUM_FORMS": "1",
        f"{inline.prefix}-0-id": owner.profile.pk,
        f"{inline.prefix}-0-user": owner.pk,
        f"{inline.prefix}-0-real_name": "Owner Person",
        f"{inline.prefix}-0-shown_name_choice": "real_name",
    })
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    owner.refresh_from_db()
    assert owner.invite_quota == 12
    assert owner.effective_invite_quota == 12


def test_revoke_everything_a_member_issued(admin_client, owner, friend):
    mine = [factories.invitation(owner) for _ in range(2)]
    accepted = factories.invitation(owner)
    factories.redeem(accepted, "Joined Person")
    theirs = factories.invitation(friend)
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "revoke_invitations", "_selected_action": [owner.pk], "index": 0},
        follow=True,
    )
    assert "2 invitations revoked." in response.content.decode()
    assert all(Invitation.objects.get(pk=i.pk).state == State.REVOKED for i in mine)
    assert Invitation.objects.get(pk=accepted.pk).state == State.ACCEPTED
    assert Invitation.objects.get(pk=theirs.pk).state == State.PENDING


# --- manage.py invite ---------------------------------------------------------------------


def test_invite_command_prints_the_link_and_sends_no_mail(
    db, outbox, django_capture_on_commit_callbacks
):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("invite", "founder@example.com", "--no-mail", stdout=out)
    invitation = Invitation.objects.get()
    assert invitation.inviter is None
    assert invitation.email == "founder@example.com"
    assert invitation.state == State.PENDING
    assert invitation.sent_at is None
    link = f"http://testserver/invite/{invitation.token}/"
    assert f"Invitation for founder@example.com: {link}" in out.getvalue()
    assert "It expires" in out.getvalue()
    assert outbox == []


def test_invite_command_mails_the_link_with_a_message(
    db, outbox, django_capture_on_commit_callbacks
):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("invite", "founder@example.com", "--message", "Be our first!", stdout=out)
    invitation = Invitation.objects.get()
    assert invitation.message == "Be our first!"
    [sent] = outbox
    assert invitation.token in sent.body and "Be our first!" in sent.body


def test_invite_command_refuses_an_existing_member(member):
    with pytest.raises(CommandError, match=r"This person is already a member\."):
        call_command("invite", "member@example.com", "--no-mail", stdout=StringIO())
    assert Invitation.objects.count() == 0


def test_invite_command_refuses_a_second_pending_site_invitation(db):
    call_command("invite", "founder@example.com", "--no-mail", stdout=StringIO())
    with pytest.raises(CommandError, match="already invited"):
        call_command("invite", "founder@example.com", "--no-mail", stdout=StringIO())
    assert Invitation.objects.count() == 1
