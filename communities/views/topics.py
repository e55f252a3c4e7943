"""A community's topics and their comments, and "new in my communities". Every topic comes
through ``Topic.objects.visible_to``; one the viewer may not manage is the same 404 as no
topic."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sns import cache
from sns.comments import CommentForm, comment_cards, comment_post, comment_remove, draft_form
from sns.errors import Refused
from sns.likes import like_states
from sns.paging import cursor_decode, cursor_encode, instant_decode, instant_encode
from sns.people import DELETED_MEMBER
from sns.visibility import relation_between

from .. import selectors, services
from ..forms import TopicForm
from ..models import Topic, TopicComment

TOPICS_PER_PAGE = 30


@require_GET
def topic_list(request, pk: int):
    community = selectors.community_or_404(request.user, pk)
    membership = selectors.membership_of(community, request.user)
    page = Paginator(
        selectors.community_topics(request.user, community), TOPICS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "communities/topics.html", {
        "community": community, "membership": membership, "page": page,
        "rows": selectors.with_shown_people(request.user, page.object_list),
        "can_start": selectors.can_start_topic(community, membership),
    })


@require_http_methods(["GET", "POST"])
def topic_new(request, pk: int):
    community = selectors.community_or_404(request.user, pk)
    membership = selectors.membership_of(community, request.user)
    if not selectors.can_start_topic(community, membership):
        raise Http404
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(
                community=community, author=request.user, **form.cleaned_data
            )
        except Refused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your topic was started."))
            return redirect(topic)
    return render(request, "communities/topic_form.html", {
        "community": community, "form": form, "topic": None,
    })


@require_GET
def topic_detail(request, pk: int, topic_id: int):
    """A topic and its comments. The page's content is kept as HTML per viewer ({% part %}
    in the template, sns.cache.rendered), built by ``_topic_page`` only when something it
    showed changed; whether the viewer may open it is asked on every request (one lookup of
    a kept part, ``selectors.topic_head``)."""
    viewer = request.user
    head = selectors.topic_head(viewer, pk, topic_id)
    if head is None:
        raise Http404
    title, can_comment = head
    before = request.GET.get("comments_before")
    cursor = cursor_decode(before)
    return render(request, "communities/topic.html", {
        "title": title, "community_pk": pk, "topic_pk": topic_id,
        # The part's key: the cursor as read (a malformed one is the latest comments).
        "comments_before": cursor_encode(*cursor) if cursor else "",
        "showing_earlier": bool(before),
        "page": SimpleLazyObject(lambda: _topic_page(request, pk, topic_id, before)),
        "can_comment": can_comment,
        "comment_form": draft_form(request, f"topic:{topic_id}", CommentForm),
    })


def _topic_page(request, pk: int, topic_id: int, comments_before: str | None) -> dict:
    """What the topic's page shows, each read declared before it is read (but the names of
    those it shows: a rename is late by at most the part's timeout)."""
    viewer = request.user
    cache.depends_on(*selectors.topic_scopes(viewer, pk))
    topic = selectors.topic_or_404(viewer, pk, topic_id)
    community = topic.community
    membership = selectors.membership_of(community, viewer)
    moderates = membership is not None and membership.moderates
    comments, earlier = selectors.topic_comments_page(topic, comments_before)
    cache.depends_on(*{
        cache.member(author_id)
        for author_id in [topic.author_id, *(c.author_id for c in comments)] if author_id
    })
    # The likes of the topic and of the comments shown, in one query.
    cache.depends_on(cache.likes("topic", topic.pk))
    like_states(viewer, [topic, *comments])
    if topic.author_id is None:
        author = DELETED_MEMBER
    else:
        author = topic.author.profile.shown_to(relation_between(viewer, topic.author))
    return {
        "community": community, "membership": membership, "topic": topic, "author": author,
        "cards": comment_cards(
            viewer, comments, deletes_any=moderates,
            delete_url=lambda c: reverse(
                "communities:topic_comment_delete", args=[community.pk, topic.pk, c.pk]
            ),
        ),
        "earlier_comments": earlier,
        "can_manage": moderates or topic.author_id == viewer.pk,
        "moderates": moderates,
    }


@require_http_methods(["GET", "POST"])
def topic_edit(request, pk: int, topic_id: int):
    topic = selectors.topic_or_404(request.user, pk, topic_id)
    membership = selectors.membership_of(topic.community, request.user)
    if topic.author_id != request.user.pk and (membership is None or not membership.moderates):
        raise Http404
    form = TopicForm(request.POST or None, instance=Topic(title=topic.title, body=topic.body))
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_update(topic=topic, by=request.user, **form.cleaned_data)
        except Refused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The topic was saved."))
            return redirect(topic)
    return render(request, "communities/topic_form.html", {
        "community": topic.community, "form": form, "topic": topic,
    })


@require_POST
def topic_delete(request, pk: int, topic_id: int):
    topic = selectors.topic_or_404(request.user, pk, topic_id)
    try:
        services.topic_delete(topic=topic, by=request.user)
    except Refused:
        # Not theirs to delete: the same 404 as no topic (as its edit page answers).
        raise Http404 from None
    messages.success(request, _("The topic was deleted."))
    return redirect("communities:topics", pk)


@require_POST
def topic_pin(request, pk: int, topic_id: int):
    topic = selectors.topic_or_404(request.user, pk, topic_id)
    pinned = request.POST.get("pinned") == "1"
    try:
        services.topic_pin(topic=topic, by=request.user, pinned=pinned)
    except Refused:
        # Only the community's admins pin: the same 404 as no topic to anyone else.
        raise Http404 from None
    messages.success(
        request, _("The topic was pinned.") if pinned else _("The topic was unpinned.")
    )
    return redirect(topic)


@require_POST
def topic_comment_create(request, pk: int, topic_id: int):
    topic = selectors.topic_or_404(request.user, pk, topic_id)
    return comment_post(
        request, thread=f"topic:{topic.pk}", page_url=topic.get_absolute_url(),
        create=lambda body: services.topic_comment_create(
            topic_id=topic.pk, author=request.user, body=body
        ),
    )


@require_POST
def topic_comment_delete(request, pk: int, topic_id: int, comment_id: int):
    topic = selectors.topic_or_404(request.user, pk, topic_id)

    def delete():
        # A comment a moderator hid is gone for its author too.
        get_object_or_404(TopicComment, pk=comment_id, topic=topic, hidden_at__isnull=True)
        services.topic_comment_delete(comment_id=comment_id, by=request.user)

    return comment_remove(request, delete=delete, page_url=topic.get_absolute_url())


@require_GET
def new_topics(request):
    """Topics with comments by others since my last look, across my communities; opening
    the first page moves the last look. Later pages keep the page's ``?since=``."""
    since = instant_decode(request.GET.get("since"))
    first_look = since is None
    now = timezone.now()
    if since is None:
        since = selectors.topics_seen_at(request.user)
    page = selectors.new_topics_page(request.user, since, request.GET.get("page"))
    response = render(request, "communities/new_topics.html", {
        "page": page, "rows": selectors.with_shown_people(request.user, page.object_list),
        "since": instant_encode(since), "since_time": since,
    })
    if first_look:
        services.topics_seen_mark(user=request.user, at=now)
    return response
