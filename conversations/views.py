"""Messages: the inbox (and the archive), a conversation, writing a new one, replying, a
member's own marks (archive, leave), photos, search within one's messages. Every
conversation is fetched through the member's place in it (``selectors.seat_or_404``): one
they are not in is the same 404 as one that does not exist."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.selectors.graph import friends_of
from sns import cache, images
from sns.client_input import id_or_none
from sns.errors import Refused
from sns.paging import cursor_decode, cursor_encode, instant_decode, instant_encode
from sns.people import DELETED_MEMBER
from sns.visibility import Relation, relations_to

from . import selectors, services
from .forms import ConversationForm, MessageForm
from .models import MAX_MEMBERS, MessagePhoto

# Friends offered as recipients on the page of a new conversation (filtered by name).
FRIENDS_OFFERED = 30
FRIENDS_SCANNED = 1000


@require_GET
def inbox(request):
    """The inbox (or the archive). The list is kept as HTML per member ({% part %}),
    built by ``_inbox`` only when something it showed changed: a message to them or from
    them, their read marks, archiving, leaving (their ``inbox`` scope), a conversation's
    messages (a hiding), a block, a suspension."""
    archived = request.GET.get("archived") == "1"
    before = request.GET.get("before")
    cursor = cursor_decode(before)
    return render(request, "conversations/inbox.html", {
        "archived": archived, "first_page": not before,
        # The part's key: the cursor as read (a malformed one is the first page).
        "before": cursor_encode(*cursor) if cursor else "",
        "page": SimpleLazyObject(lambda: _inbox(request.user, before, archived)),
    })


def _inbox(viewer, before: str | None, archived: bool) -> dict:
    cache.depends_on(cache.inbox(viewer), cache.blocks(viewer), cache.PEOPLE)
    rows, next_cursor = selectors.inbox_page(viewer, before, archived=archived)
    cache.depends_on(
        *(cache.conversation(row.seat.conversation_id) for row in rows),
        *{cache.member(member) for row in rows for member, _shown in row.others},
    )
    return {"rows": rows, "next_cursor": next_cursor}


def _chosen_ids(request) -> list[int]:
    """The member ids named by the page's ``to`` values (repeated), in order, once each."""
    ids = []
    for value in request.GET.getlist("to") + request.POST.getlist("to"):
        pk = id_or_none(value)
        if pk is not None and pk not in ids and pk != request.user.pk:
            ids.append(pk)
    return ids[: MAX_MEMBERS * 2]


def _offered(request, chosen: list[int]) -> list[tuple[User, object]]:
    """Who the page offers as recipients: those named in the address that the sender may
    write to, then the sender's friends (whose names contain the page's filter), each with
    their name as the sender sees it."""
    viewer = request.user
    q = request.GET.get("q", "").strip()[:50].casefold()
    named = selectors.messageable(viewer, chosen)
    relations = relations_to(viewer, named)
    offered = [(m, m.profile.shown_to(relations.get(m.pk, Relation.MEMBER))) for m in named]
    seen = {m.pk for m in named}
    # Friends see each other's names as friends (no lookup); filtered by the shown name, so
    # a name a friend keeps from friends is never matched.
    for friend in friends_of(viewer, viewer=viewer)[:FRIENDS_SCANNED]:
        if len(offered) >= len(named) + FRIENDS_OFFERED:
            break
        shown = friend.profile.shown_to(Relation.FRIEND)
        if friend.pk not in seen and (not q or q in shown.name.casefold()):
            offered.append((friend, shown))
    return offered


@require_http_methods(["GET", "POST"])
def compose(request):
    chosen = _chosen_ids(request)
    offered = _offered(request, chosen)
    form = ConversationForm(
        request.POST or None, request.FILES or None,
        people=[(m.pk, shown.name) for m, shown in offered],
        initial={"to": [pk for pk in chosen if pk in {m.pk for m, _s in offered}]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.conversation_start(
                sender=request.user, recipient_ids=form.cleaned_data["to"],
                subject=form.cleaned_data["subject"], body=form.cleaned_data["body"],
                photos=form.processed_photos,
            )
        except Refused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your message was sent."))
            return redirect(conversation)
    return render(request, "conversations/compose.html", {
        "form": form, "offered": offered, "chosen": chosen, "q": request.GET.get("q", ""),
        "max_members": MAX_MEMBERS,
    })


def _detail(request, seat, form: MessageForm):
    """A conversation's page. Its members, messages and reply form are kept as HTML per
    reader ({% part %} in the template, sns.cache.rendered), built by ``_thread`` only when
    something it showed changed (a message, a member leaving, a block, a suspension, a
    moderator's hiding); the reader's own marks (read, archived) are outside it, asked on
    every request with their place in it (``selectors.seat_or_404``)."""
    viewer = request.user
    before = request.GET.get("before")
    cursor = cursor_decode(before)
    # Read up to the latest message they may see; one that arrives meanwhile stays unread.
    if not before and seat.unread:  # (nothing to write on a look at what was read)
        services.conversation_read(member=viewer, conversation_id=seat.conversation_id,
                                   until=seat.last_message_at)
    return render(request, "conversations/detail.html", {
        "conversation": seat.conversation, "seat": seat, "form": form,
        # The part's key: the cursor as read (a malformed one is the latest messages).
        "before": cursor_encode(*cursor) if cursor else "",
        "keep": not form.is_bound,
        "page": SimpleLazyObject(lambda: _thread(viewer, seat, before)),
        "seen": instant_encode(seat.last_message_at),
    })


def _thread(viewer, seat, before: str | None) -> dict:
    """What the kept part shows ``viewer``, each read declared before it is read."""
    conversation = seat.conversation
    cache.depends_on(cache.conversation(conversation), cache.blocks(viewer), cache.PEOPLE)
    members = selectors.members_of(conversation)
    thread, earlier = selectors.thread_page(viewer, conversation, before)
    people = [p.member for p in members] + [m.author for m in thread if m.author_id]
    cache.depends_on(*{cache.member(m) for m in people})
    relations = relations_to(viewer, people)
    return {
        "cards": [(m, _shown_author(m, relations)) for m in thread],
        "earlier": earlier,
        "members": [
            (p, p.member.profile.shown_to(relations.get(p.member_id, Relation.MEMBER)))
            for p in members if p.member_id != viewer.pk
        ],
        "writable": selectors.writable(seat, members),
        "group": len(members) > 2,
    }


def _shown_author(message, relations):
    """The author as the viewer may see them; "a member who is no longer here" for one who
    left the site or was suspended."""
    author = message.author
    if author is None or not author.is_active:
        return DELETED_MEMBER
    return author.profile.shown_to(relations.get(author.pk, Relation.MEMBER))


@require_GET
def detail(request, pk: int):
    seat = selectors.seat_or_404(request.user, pk)
    return _detail(request, seat, MessageForm())


@require_POST
def reply(request, pk: int):
    seat = selectors.seat_or_404(request.user, pk)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = services.message_send(
                conversation_id=pk, sender=request.user, body=form.cleaned_data["body"],
                photos=form.processed_photos,
            )
        except Refused as error:
            form.add_error(None, error)
        else:
            return redirect(f"{reverse('conversations:detail', args=[pk])}#message-{message.pk}")
    return _detail(request, seat, form)


@require_POST
def archive(request, pk: int):
    seen = instant_decode(request.POST.get("seen"))
    if seen is None:
        # Without the moment the page showed, nothing newer is hidden by mistake.
        seen = selectors.seat_or_404(request.user, pk).last_read_at
    if seen is None or not services.conversation_archive(
        member=request.user, conversation_id=pk, seen=seen
    ):
        raise Http404
    messages.success(request, _("The conversation was archived. It comes back to your inbox "
                                "when a new message arrives."))
    return redirect("conversations:inbox")


@require_POST
def unarchive(request, pk: int):
    if not services.conversation_unarchive(member=request.user, conversation_id=pk):
        raise Http404
    messages.success(request, _("The conversation is back in your inbox."))
    return redirect("conversations:detail", pk=pk)


@require_http_methods(["GET", "POST"])
def leave(request, pk: int):
    seat = selectors.seat_or_404(request.user, pk)
    if request.method == "POST":
        services.conversation_leave(member=request.user, conversation_id=pk)
        messages.success(request, _("You left the conversation."))
        return redirect("conversations:inbox")
    return render(request, "conversations/leave.html", {"conversation": seat.conversation})


@require_GET
def photo(request, pk: int, position: int, size: str):
    """One size of a message's photo, to the members of its conversation who may see the
    message; 404 to everyone else."""
    if size not in images.SIZES:
        raise Http404
    found = get_object_or_404(
        MessagePhoto.objects.select_related("message__conversation"),
        message_id=pk, position=position,
    )
    seat = selectors.seat_or_404(request.user, found.message.conversation_id)
    if not selectors.messages_visible_to(request.user, seat.conversation).filter(pk=pk).exists():
        raise Http404
    return images.private_response(found.image, size)


@require_GET
def search(request):
    q = request.GET.get("q", "").strip()[:100]
    found = list(selectors.search(request.user, q)[:50]) if q else []
    relations = relations_to(request.user, [m.author for m in found if m.author_id])
    return render(request, "conversations/search.html", {
        "q": q, "results": [(m, _shown_author(m, relations)) for m in found],
    })
