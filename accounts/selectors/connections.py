"""What a profile shows of a member's place in the friend graph, for one viewer: the friend
cards, the mutual friends and how the two are connected. Reads only; a fixed number of
queries whatever the number of friends."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import get_object_or_404

from sns.paging import row_count
from sns.people import ShownProfile
from sns.prepared import Prepared
from sns.visibility import (
    Relation,
    annotated_relation,
    can_see,
    relation_annotations,
    relation_between,
    relations_to,
)

from ..models import User
from . import graph

FRIENDS_ON_PROFILE = 12
MUTUAL_ON_PROFILE = 8

Card = tuple[User, ShownProfile]


def friend_list_visible(member: User, relation: Relation) -> bool:
    """Whether a viewer in ``relation`` to ``member`` may see whom they are friends with."""
    return can_see(member.profile.friends_visibility, relation)


def member_and_relation_or_404(viewer, pk: int) -> tuple[User, Relation]:
    """The active member ``pk`` and how ``viewer`` stands to them; a 404 (the same as for a
    member who does not exist) when a block stands between them either way."""
    member = get_object_or_404(User.objects.filter(is_active=True).select_related("profile"), pk=pk)
    relation = relation_between(viewer, member)
    if relation is Relation.BLOCKED:
        raise Http404
    return member, relation


def member_or_404(viewer, pk: int) -> User:
    return member_and_relation_or_404(viewer, pk)[0]


def member_with_visible_friends_or_404(viewer, pk: int) -> User:
    """The active member ``pk`` if ``viewer`` may see their friend list; else a 404."""
    member, relation = member_and_relation_or_404(viewer, pk)
    if not friend_list_visible(member, relation):
        raise Http404
    return member


def cards(viewer, members, relations: dict[int, Relation] | None = None) -> list[Card]:
    """Each member with what ``viewer`` may see of them, by that member's own settings.

    ``relations`` (from ``relations_to``) may be given when the caller already has them.
    """
    members = list(members)
    if relations is None:
        relations = relations_to(viewer, members)
    return [
        (m, m.profile.shown_to(relations.get(m.pk, Relation.MEMBER))) for m in members
    ]


@dataclass
class ProfileGraph:
    """The graph sections of one profile page as one viewer sees them."""

    friends_visible: bool
    friends: list[Card] = field(default_factory=list)
    friend_count: int = 0
    # Whether the page has a mutual friends section (not on one's own page).
    mutual_shown: bool = False
    mutual: list[Card] = field(default_factory=list)
    mutual_count: int = 0
    # None: no connection section; []: "not connected within 3 steps"; else the chain after
    # the viewer, ending with the member.
    path: list[Card] | None = None


def _friend_cards(member, viewer):
    """The first FRIENDS_ON_PROFILE of ``member``'s friends as ``viewer`` sees them
    (``friends_of``), each with how the viewer stands to them, and how many there are."""
    return graph.friends_of(member, viewer=viewer).annotate(
        **relation_annotations(viewer),
        total=row_count(graph.friend_rows(member, viewer=viewer)),
    )[:FRIENDS_ON_PROFILE]


def _mutual_cards(viewer, member):
    """The first MUTUAL_ON_PROFILE friends of both, and how many there are."""
    mutual_friends = graph.mutual_friends(viewer, member)
    return mutual_friends.annotate(total=row_count(mutual_friends))[:MUTUAL_ON_PROFILE]


# Compiled once per process (sns/prepared.py): building them cost more than running them.
_FRIEND_CARDS = Prepared(_friend_cards, member=User, viewer=User)
_MUTUAL_CARDS = Prepared(_mutual_cards, viewer=User, member=User)


def profile_graph(viewer, member: User, relation: Relation) -> ProfileGraph:
    """Friend cards (the first FRIENDS_ON_PROFILE) and their number, mutual friends and
    the chain of friends from ``viewer`` (logged in) to ``member``, each only as far as the
    viewer may know it.

    A member's friendships are known to a viewer who may see the friend list of either end
    of them; mutual friends and the chain show only such friendships.
    """
    result = ProfileGraph(friends_visible=friend_list_visible(member, relation))
    if relation is Relation.ANONYMOUS or relation is Relation.BLOCKED:
        return result
    if result.friends_visible:
        # Each friend's relation to the viewer, and how many friends, come with the friends.
        shown = _FRIEND_CARDS(member=member, viewer=viewer)
        result.friend_count = shown[0].total if shown else 0
        result.friends = [(f, f.profile.shown_to(annotated_relation(viewer, f))) for f in shown]
    if relation is Relation.SELF:
        return result
    result.mutual_shown = result.friends_visible
    if result.friends_visible:
        mutual = _MUTUAL_CARDS(viewer=viewer, member=member)
        result.mutual_count = mutual[0].total if mutual else 0
        # Mutual friends are the viewer's friends: that is their relation.
        result.mutual = [(m, m.profile.shown_to(Relation.FRIEND)) for m in mutual]
    if relation is not Relation.FRIEND:
        chain = graph.connection_path(viewer, member) or []
        # The first step is the viewer's friend; only a third member needs looking up.
        relations = relations_to(viewer, chain[2:-1])
        relations.update(dict.fromkeys((m.pk for m in chain[1:2]), Relation.FRIEND))
        relations[member.pk] = relation
        result.path = cards(viewer, chain[1:], relations) if _known(chain, relations) else []
    return result


def _known(chain: list[User], relations: dict[int, Relation]) -> bool:
    """Whether the viewer (``chain[0]``) may know every friendship along ``chain``: a member
    hidden by a block breaks it, and each step not from the viewer needs the friend list of
    one of its ends visible to the viewer."""
    if any(relations.get(m.pk) is Relation.BLOCKED for m in chain):
        return False
    steps = itertools.pairwise(chain[1:])
    return all(
        friend_list_visible(a, relations[a.pk]) or friend_list_visible(b, relations[b.pk])
        for a, b in steps
    )
