"""The diary access matrix (DESIGN.md §3 "Visibility lives in one place", §5; issue 4).

Every diary view that shows an entry or a part of it × every visibility level × every persona
(author = ``owner``, ``friend``, ``fof``, ``member``, ``blocked``, ``anonymous``), with the
site's public pages off (the default) and on. The expected answers are written out below, one
table per view; each cell is checked by its own test.

Words in the tables:

    200    the page answers 200 (and, for an entry page, shows the entry)
    404    a 404, and nothing of the entry on it
    yes    a list page answers 200 and the entry's title is on it
    no     a list page answers 200 and neither the entry's title nor its address is on it
    posts  the comment is saved (the view answers with a redirect or 200)
    deletes  the entry is gone, with its comments and photos
    anon   a visitor who is not logged in: a redirect to the login page, or a 404 — never the
           entry; nothing is written
    -      not asserted (the author on their own friends' diaries feed)

Column ``anonymous`` is a visitor with SITE_PUBLIC_PAGES off, ``anonymous+public`` with it on.
Members get the same answers either way (each cell is run both ways).
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.services import block_create, block_remove
from diary import services as diary_services
from diary.models import Comment, Entry, EntryPhoto
from sns.visibility import Level
from tests import factories, pages, warm

PERSONAS = ["owner", "friend", "fof", "member", "blocked", "anonymous"]
LEVELS = [level.value for level in Level]  # public, members, fof, friends, private
COLUMNS = ["owner", "friend", "fof", "member", "blocked", "anonymous", "anonymous+public"]


def table(text: str) -> dict[tuple[str, str], str]:
    """Read a table: a header line of columns, then one line per level."""
    lines = [line.split() for line in text.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    assert header == COLUMNS, header
    assert [row[0] for row in rows] == LEVELS, [row[0] for row in rows]
    return {(row[0], column): cell for row in rows for column, cell in zip(header, row[1:],
                                                                           strict=True)}


# --- the tables -------------------------------------------------------------------------------

# Who may see an entry of each level: the detail pages (the entry page and its photos).
DETAIL = table("""
level    owner friend fof  member blocked anonymous anonymous+public
public   200   200    200  200    404     anon      200
members  200   200    200  200    404     anon      404
fof      200   200    200  404    404     anon      404
friends  200   200    404  404    404     anon      404
private  200   404    404  404    404     anon      404
""")

# The author's diary page and monthly archive: the entry is listed or not; a block is a 404.
AUTHOR_LISTS = table("""
level    owner friend fof  member blocked anonymous anonymous+public
public   yes   yes    yes  yes    404     anon      yes
members  yes   yes    yes  yes    404     anon      no
fof      yes   yes    yes  no     404     anon      no
friends  yes   yes    no   no     404     anon      no
private  yes   no     no   no     404     anon      no
""")

# Friends' diaries (/diary/): only my friends' entries that I may see. fof and member are not
# the owner's friends, so never; the blocked member's own page works but never shows the owner.
FRIENDS_FEED = table("""
level    owner friend fof  member blocked anonymous anonymous+public
public   -     yes    no   no     no      anon      anon
members  -     yes    no   no     no      anon      anon
fof      -     yes    no   no     no      anon      anon
friends  -     yes    no   no     no      anon      anon
private  -     no     no   no     no      anon      anon
""")

# New comments (/diary/comments/): the viewer commented on the entry (or wrote it), and a newer
# comment by someone else followed. The entry shows only if the viewer may (still) see it.
NEW_COMMENTS = table("""
level    owner friend fof  member blocked anonymous anonymous+public
public   yes   yes    yes  yes    no      anon      anon
members  yes   yes    yes  yes    no      anon      anon
fof      yes   yes    yes  no     no      anon      anon
friends  yes   yes    no   no     no      anon      anon
private  yes   no     no   no     no      anon      anon
""")

# Posting a comment: whoever may see the entry may comment; for anyone else it does not exist.
COMMENT_CREATE = table("""
level    owner friend fof  member blocked anonymous anonymous+public
public   posts posts  posts posts 404     anon      anon
members  posts posts  posts posts 404     anon      anon
fof      posts posts  posts 404   404     anon      anon
friends  posts posts  404  404    404     anon      anon
private  posts 404    404  404    404     anon      anon
""")

# Edit and delete: the author only, whatever the level; for everyone else a 404.
AUTHOR_ONLY = table("""
level    owner friend fof  member blocked anonymous anonymous+public
public   200   404    404  404    404     anon      anon
members  200   404    404  404    404     anon      anon
fof      200   404    404  404    404     anon      anon
friends  200   404    404  404    404     anon      anon
private  200   404    404  404    404     anon      anon
""")

# A POST to edit by anyone but the author changes nothing (the author's own edit is the
# entry tests' business: its fields are theirs).
EDIT_POST = table("""
level    owner friend fof  member blocked anonymous anonymous+public
public   -     404    404  404    404     anon      anon
members  -     404    404  404    404     anon      anon
fof      -     404    404  404    404     anon      anon
friends  -     404    404  404    404     anon      anon
private  -     404    404  404    404     anon      anon
""")

DELETE_POST = table("""
level    owner   friend fof  member blocked anonymous anonymous+public
public   deletes 404    404  404    404     anon      anon
members  deletes 404    404  404    404     anon      anon
fof      deletes 404    404  404    404     anon      anon
friends  deletes 404    404  404    404     anon      anon
private  deletes 404    404  404    404     anon      anon
""")

TABLES = {
    "entry": DETAIL,
    "photo": DETAIL,
    "member": AUTHOR_LISTS,
    "archive": AUTHOR_LISTS,
    "friends": FRIENDS_FEED,
    "new_comments": NEW_COMMENTS,
    "comment_create": COMMENT_CREATE,
    "edit": AUTHOR_ONLY,
    "edit_post": EDIT_POST,
    "delete": AUTHOR_ONLY,
    "delete_post": DELETE_POST,
}


# --- the people -------------------------------------------------------------------------------


@pytest.fixture
def people(request, owner, friend, fof, member, blocked) -> dict:
    return {"owner": owner, "friend": friend, "fof": fof, "member": member,
            "blocked": blocked, "anonymous": None}


def column_of(persona: str, public_pages: bool) -> str:
    if persona == "anonymous" and public_pages:
        return "anonymous+public"
    return persona


# --- what each word means, view by view -------------------------------------------------------


def _assert_anon(response, entry: Entry | None = None) -> None:
    assert pages.is_login_redirect(response) or response.status_code == 404, (
        response.status_code, response.get("Location"))
    if entry is not None and response.status_code == 404:
        assert entry.title not in pages.text_of(response)


def _assert_404(response, entry: Entry) -> None:
    assert response.status_code == 404, (response.status_code, response.get("Location"))
    assert entry.title not in pages.text_of(response)


def check_entry(client, people, viewer, entry, expected):
    response = client.get(reverse("diary:entry", args=[entry.pk]))
    if expected == "200":
        assert response.status_code == 200
        assert entry.title in pages.text_of(response)
    elif expected == "404":
        _assert_404(response, entry)
    else:
        _assert_anon(response, entry)


PHOTO_SIZES = ["small", "medium", "large"]


def check_photo(client, people, viewer, entry, expected):
    if not entry.photos.exists():  # (a warm cell checks twice)
        factories.entry_photo(entry)
    for size in PHOTO_SIZES:
        response = client.get(reverse("diary:photo", args=[entry.pk, 0, size]))
        if expected == "200":
            assert response.status_code == 200, size
            assert response["Content-Type"].startswith("image/"), response["Content-Type"]
            assert pages.text_of(response) != ""
            if entry.visibility != Level.PUBLIC:
                # A shared cache must never hand a restricted photo to someone else.
                assert "public" not in response.get("Cache-Control", ""), \
                    response.get("Cache-Control")
        elif expected == "404":
            assert response.status_code == 404, (size, response.status_code)
        else:
            _assert_anon(response)


def _check_list(response, entry, expected):
    if expected == "anon":
        _assert_anon(response, entry)
        return
    if expected == "404":
        _assert_404(response, entry)
        return
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    page = pages.text_of(response)
    if expected == "yes":
        assert entry.title in page
    else:
        assert entry.title not in page
        assert entry.get_absolute_url() not in page


def check_member(client, people, viewer, entry, expected):
    _check_list(client.get(reverse("diary:member", args=[entry.author_id])), entry, expected)


def check_archive(client, people, viewer, entry, expected):
    _check_list(client.get(pages.archive_url(entry)), entry, expected)


def check_friends(client, people, viewer, entry, expected):
    _check_list(client.get(reverse("diary:friends")), entry, expected)


def check_new_comments(client, people, viewer, entry, expected):
    owner = people["owner"]
    if viewer is not None and viewer != owner:
        factories.entry_comment(entry, viewer, "I was here first.", ago=timedelta(minutes=2))
        factories.entry_comment(entry, owner, "Thanks for reading.", ago=timedelta(minutes=1))
    else:
        factories.entry_comment(entry, people["friend"], "A comment for the author.",
                                ago=timedelta(minutes=1))
    _check_list(client.get(reverse("diary:new_comments")), entry, expected)


def check_comment_create(client, people, viewer, entry, expected):
    body = pages.token("Comment")
    response = client.post(reverse("diary:comment_create", args=[entry.pk]), {"body": body})
    saved = Comment.objects.filter(entry=entry, body=body)
    if expected == "posts":
        assert response.status_code in {200, 302}, response.status_code
        assert saved.filter(author=viewer).count() == 1
    elif expected == "404":
        _assert_404(response, entry)
        assert not saved.exists()
    else:
        _assert_anon(response, entry)
        assert not saved.exists()


def check_edit(client, people, viewer, entry, expected):
    response = client.get(reverse("diary:edit", args=[entry.pk]))
    if expected == "200":
        assert response.status_code == 200
        assert entry.title in pages.text_of(response)  # the form, filled in
    elif expected == "404":
        _assert_404(response, entry)
    else:
        _assert_anon(response, entry)


def check_edit_post(client, people, viewer, entry, expected):
    response = client.post(reverse("diary:edit", args=[entry.pk]), {
        "title": "Taken over", "body": "Taken over", "visibility": Level.PUBLIC,
    })
    if expected == "404":
        _assert_404(response, entry)
    else:
        _assert_anon(response, entry)
    after = Entry.objects.get(pk=entry.pk)
    assert (after.title, after.body, after.visibility) == (
        entry.title, entry.body, entry.visibility)


def check_delete(client, people, viewer, entry, expected):
    response = client.get(reverse("diary:delete", args=[entry.pk]))
    if expected == "200":
        assert response.status_code == 200
    elif expected == "404":
        _assert_404(response, entry)
    else:
        _assert_anon(response, entry)
    assert Entry.objects.filter(pk=entry.pk).exists(), "a GET must only ask"


def check_delete_post(client, people, viewer, entry, expected):
    factories.entry_photo(entry)
    factories.entry_comment(entry, people["friend"])
    response = client.post(reverse("diary:delete", args=[entry.pk]))
    if expected == "deletes":
        assert response.status_code == 302, response.status_code
        assert not Entry.objects.filter(pk=entry.pk).exists()
        assert not Comment.objects.filter(entry_id=entry.pk).exists()
        assert not EntryPhoto.objects.filter(entry_id=entry.pk).exists()
        return
    if expected == "404":
        _assert_404(response, entry)
    else:
        _assert_anon(response, entry)
    assert Entry.objects.filter(pk=entry.pk).exists()
    assert Comment.objects.filter(entry_id=entry.pk).count() == 1


CHECKS = {
    "entry": check_entry,
    "photo": check_photo,
    "member": check_member,
    "archive": check_archive,
    "friends": check_friends,
    "new_comments": check_new_comments,
    "comment_create": check_comment_create,
    "edit": check_edit,
    "edit_post": check_edit_post,
    "delete": check_delete,
    "delete_post": check_delete_post,
}
assert CHECKS.keys() == TABLES.keys()


def _cells():
    for view, cells in TABLES.items():
        for level in LEVELS:
            for persona in PERSONAS:
                for public_pages in (False, True):
                    expected = cells[(level, column_of(persona, public_pages))]
                    if expected == "-":
                        continue
                    yield pytest.param(
                        view, level, persona, public_pages, expected,
                        id=f"{view}-{level}-{persona}-"
                           f"{'public_pages' if public_pages else 'members_only'}-{expected}",
                    )


@pytest.mark.parametrize(("view", "level", "persona", "public_pages", "expected"), list(_cells()))
def test_access_matrix(settings, as_user, people, view, level, persona, public_pages, expected):
    settings.SITE_PUBLIC_PAGES = public_pages
    viewer = people[persona]
    # A second, public entry by the owner, so that no list is empty for a reason of its own.
    factories.entry(people["owner"], Level.PUBLIC, ago=timedelta(hours=2))
    entry = factories.entry(people["owner"], level)
    CHECKS[view](as_user(viewer), people, viewer, entry, expected)



# --- warm: the hidden cells again, with the parts cache on Redis (issue 16, item 5) --------
#
# Each cell a change decides is first checked in the state before it, where the persona sees
# the entry (the cache holds what the pages showed): the entry still public, or the blocked
# member not yet blocked (answering as ``member`` does); then the change through the
# services (the level narrowed, the block made), then checked again: the cell's answer.

VISIBLE, HIDDEN = {"200", "yes", "posts"}, {"404", "no"}


def _warm_before(persona: str, level: str, public_pages: bool) -> tuple[str, str, str]:
    """(the change, the level and the column the cell answers as before it)."""
    if persona == "blocked":
        return "block", level, "member"
    return "narrowing", Level.PUBLIC, column_of(persona, public_pages)


def _warm_cells():
    for view, cells in TABLES.items():
        for level in LEVELS:
            for persona in ("friend", "fof", "member", "blocked", "anonymous"):
                # Members answer alike either way; a visitor is warmed where they may read.
                public_pages = persona == "anonymous"
                expected = cells[(level, column_of(persona, public_pages))]
                change, before_level, before_column = _warm_before(persona, level, public_pages)
                before = cells[(before_level, before_column)]
                if before in VISIBLE and expected in HIDDEN:
                    yield pytest.param(view, level, persona, public_pages, before, expected,
                                       id=f"{view}-{level}-{persona}-{change}")


@pytest.mark.parametrize(("view", "level", "persona", "public_pages", "before", "expected"),
                         list(_warm_cells()))
def test_access_matrix_warm(settings, as_user, people, view, level, persona, public_pages,
                            before, expected):
    settings.SITE_PUBLIC_PAGES = public_pages
    owner, viewer = people["owner"], people[persona]
    change, before_level, _column = _warm_before(persona, level, public_pages)
    factories.entry(owner, Level.PUBLIC, ago=timedelta(hours=2))
    entry = factories.entry(owner, before_level)
    client = as_user(viewer)
    with warm.parts_on_redis():
        if change == "block":
            block_remove(blocker=owner, blocked_id=viewer.pk)
        CHECKS[view](client, people, viewer, entry, before)
        with warm.committed():
            if change == "block":
                block_create(blocker=owner, blocked=viewer)
            else:
                entry = diary_services.entry_update(entry=entry, title=entry.title,
                                                    body=entry.body, visibility=level)
        CHECKS[view](client, people, viewer, entry, expected)


def test_both_changes_are_warmed():
    assert {case.id.rsplit("-", 1)[1] for case in _warm_cells()} == {"block", "narrowing"}


# --- beyond the matrix: what the cells cannot show ------------------------------------------


def _without_unique_bits(response) -> bytes:
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
    return re.sub(rb'name="next" value="[^"]+"', b"", body)


HIDDEN_URLS = {
    "entry": lambda pk: reverse("diary:entry", args=[pk]),
    "edit": lambda pk: reverse("diary:edit", args=[pk]),
    "delete": lambda pk: reverse("diary:delete", args=[pk]),
    "photo": lambda pk: reverse("diary:photo", args=[pk, 0, "medium"]),
}


@pytest.mark.parametrize("persona", ["fof", "member", "blocked"])
@pytest.mark.parametrize("view", list(HIDDEN_URLS))
def test_a_hidden_entry_answers_exactly_like_a_missing_one(as_user, people, view, persona):
    entry = factories.entry(people["owner"], Level.FRIENDS)
    factories.entry_photo(entry)
    client = as_user(people[persona])
    hidden = client.get(HIDDEN_URLS[view](entry.pk))
    missing = client.get(HIDDEN_URLS[view](entry.pk + 100_000))
    assert hidden.status_code == missing.status_code == 404
    assert _without_unique_bits(hidden) == _without_unique_bits(missing)


def test_a_missing_photo_position_or_size_is_a_404(as_user, people):
    entry = factories.entry(people["owner"], Level.MEMBERS)
    factories.entry_photo(entry)
    client = as_user(people["owner"])
    assert client.get(reverse("diary:photo", args=[entry.pk, 0, "small"])).status_code == 200
    assert client.get(reverse("diary:photo", args=[entry.pk, 1, "small"])).status_code == 404
    assert client.get(f"/diary/{entry.pk}/photos/0/huge/").status_code == 404


def test_entry_pages_show_photos_only_through_the_photo_view(as_user, people):
    """The page links the photo view (which checks visibility), never the stored file."""
    entry = factories.entry(people["owner"], Level.FRIENDS)
    stored = factories.entry_photo(entry)
    page = pages.text_of(as_user(people["friend"]).get(entry.get_absolute_url()))
    assert reverse("diary:photo", args=[entry.pk, 0, "small"]).rsplit("/", 2)[0] in page
    assert stored.image not in page


@pytest.mark.parametrize("direction", ["owner_blocks", "blocked_member_blocks"])
def test_blocking_hides_diaries_both_ways(as_user, owner, member, direction):
    if direction == "owner_blocks":
        block_create(blocker=owner, blocked=member)
    else:
        block_create(blocker=member, blocked=owner)
    for author, viewer in ((owner, member), (member, owner)):
        entry = factories.entry(author, Level.MEMBERS)
        factories.entry_photo(entry)
        client = as_user(viewer)
        for url in (
            entry.get_absolute_url(),
            reverse("diary:photo", args=[entry.pk, 0, "medium"]),
            reverse("diary:member", args=[author.pk]),
            pages.archive_url(entry),
        ):
            response = client.get(url)
            assert response.status_code == 404, url
            assert entry.title not in pages.text_of(response)
        response = client.post(reverse("diary:comment_create", args=[entry.pk]), {"body": "hi"})
        assert response.status_code == 404
        assert not entry.comments.exists()
        for url in (reverse("diary:friends"), reverse("diary:new_comments"), "/"):
            assert entry.title not in pages.text_of(client.get(url)), url


# Which of the owner's entries each persona sees, oldest first: "previous / next" links on an
# entry page, the diary page and the archive must step over the others without a trace.
NEIGHBOURS = [Level.PUBLIC, Level.PRIVATE, Level.MEMBERS, Level.FRIENDS, Level.FRIENDS_OF_FRIENDS,
              Level.PRIVATE, Level.PUBLIC]
NEIGHBOURS_SEEN = {
    "owner": {Level.PUBLIC, Level.MEMBERS, Level.FRIENDS_OF_FRIENDS, Level.FRIENDS,
              Level.PRIVATE},
    "friend": {Level.PUBLIC, Level.MEMBERS, Level.FRIENDS_OF_FRIENDS, Level.FRIENDS},
    "fof": {Level.PUBLIC, Level.MEMBERS, Level.FRIENDS_OF_FRIENDS},
    "member": {Level.PUBLIC, Level.MEMBERS},
}


@pytest.mark.parametrize("persona", list(NEIGHBOURS_SEEN))
def test_previous_and_next_never_lead_to_what_the_viewer_may_not_see(as_user, people, persona):
    owner = people["owner"]
    entries = [
        factories.entry(owner, level, ago=timedelta(hours=len(NEIGHBOURS) - i))
        for i, level in enumerate(NEIGHBOURS)
    ]
    seen = [e for e in entries if e.visibility in NEIGHBOURS_SEEN[persona]]
    unseen = [e for e in entries if e.visibility not in NEIGHBOURS_SEEN[persona]]
    client = as_user(people[persona])
    urls = [e.get_absolute_url() for e in seen]
    urls += [reverse("diary:member", args=[owner.pk]), pages.archive_url(entries[0])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = pages.text_of(response)
        for hidden in unseen:
            assert hidden.title not in page, (url, hidden.visibility)
            assert hidden.get_absolute_url() not in page, (url, hidden.visibility)
    # Each seen entry's page links its seen neighbours (previous / next).
    for before, after in itertools.pairwise(seen):
        page = pages.text_of(client.get(after.get_absolute_url()))
        assert before.get_absolute_url() in page, (persona, "previous")
        page = pages.text_of(client.get(before.get_absolute_url()))
        assert after.get_absolute_url() in page, (persona, "next")


# Deleting a comment: its writer and the entry's author may; anyone else who sees the entry is
# refused (403 or 404) and the comment stays; a blocked member gets a 404.
COMMENT_DELETE = {
    "owner": "deletes",   # the entry's author
    "friend": "deletes",  # the comment's writer
    "fof": "refused",
    "member": "refused",
    "blocked": "404",
    "anonymous": "anon",
}


@pytest.mark.parametrize(("persona", "expected"), list(COMMENT_DELETE.items()))
def test_comment_delete_table(as_user, people, persona, expected):
    entry = factories.entry(people["owner"], Level.MEMBERS)
    comment = factories.entry_comment(entry, people["friend"], "Mine to take back.")
    response = as_user(people[persona]).post(reverse("diary:comment_delete", args=[comment.pk]))
    still_there = Comment.objects.filter(pk=comment.pk).exists()
    if expected == "deletes":
        assert response.status_code == 302, response.status_code
        assert not still_there
        return
    assert still_there
    if expected == "refused":
        assert response.status_code in {403, 404}
    elif expected == "404":
        assert response.status_code == 404
    else:
        _assert_anon(response)


def test_comment_delete_is_post_only(as_user, people):
    entry = factories.entry(people["owner"], Level.MEMBERS)
    comment = factories.entry_comment(entry, people["friend"])
    response = as_user(people["owner"]).get(reverse("diary:comment_delete", args=[comment.pk]))
    assert response.status_code in {404, 405}
    assert Comment.objects.filter(pk=comment.pk).exists()


# --- every page at once: nothing a viewer may not see leaks anywhere ----------------------------

SEEN_BY = {  # the DETAIL table again, as sets: which levels each persona sees
    persona: {level for level in LEVELS if DETAIL[(level, persona)] == "200"}
    for persona in PERSONAS if persona != "anonymous"
}
SEEN_BY["anonymous"] = set()
SEEN_BY["anonymous+public"] = {level for level in LEVELS
                               if DETAIL[(level, "anonymous+public")] == "200"}


@pytest.mark.parametrize("public_pages", [False, True], ids=["members_only", "public_pages"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_shows_what_the_viewer_may_not_see(settings, as_user, people, persona,
                                                    public_pages):
    """One entry of each level, commented on by the viewer and then by the author; every page
    the viewer can open — home, the author's profile, diary, archive, the feeds, each entry —
    shows exactly the entries the viewer may see and nothing of the others."""
    settings.SITE_PUBLIC_PAGES = public_pages
    owner, viewer = people["owner"], people[persona]
    entries = {level: factories.entry(owner, level, ago=timedelta(hours=i + 1))
               for i, level in enumerate(LEVELS)}
    for entry in entries.values():
        if viewer is not None and viewer != owner:
            factories.entry_comment(entry, viewer, "Me too.", ago=timedelta(minutes=2))
        factories.entry_comment(entry, owner if viewer != owner else people["friend"], "Later.",
                                ago=timedelta(minutes=1))
    seen = SEEN_BY[column_of(persona, public_pages)]
    client = as_user(viewer)
    urls = ["/", reverse("accounts:profile", args=[owner.pk]),
            reverse("diary:member", args=[owner.pk]), pages.archive_url(entries["public"]),
            reverse("diary:friends"), reverse("diary:new_comments")]
    urls += [entry.get_absolute_url() for entry in entries.values()]
    for url in urls:
        response = client.get(url)
        # The language switch returns to the page's own address (a hidden entry's 404 page).
        page = re.sub(r'name="next" value="[^"]*"', "", pages.text_of(response))
        for level, entry in entries.items():
            if level not in seen:
                assert entry.title not in page, (url, level)
                assert entry.get_absolute_url() not in page, (url, level)
    for level, entry in entries.items():
        status = client.get(entry.get_absolute_url()).status_code
        assert (status == 200) == (level in seen), (level, status)


# --- suspension, counts, and what a visitor may learn ---------------------------------------


def test_a_deactivated_authors_diary_disappears(as_user, people):
    owner, friend = people["owner"], people["friend"]
    entry = factories.entry(owner, Level.MEMBERS)
    factories.entry_photo(entry)
    factories.entry_comment(entry, friend, "Before the suspension.", ago=timedelta(minutes=3))
    factories.entry_comment(entry, owner, "Reply.", ago=timedelta(minutes=2))
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    client = as_user(friend)
    for url in (entry.get_absolute_url(), reverse("diary:photo", args=[entry.pk, 0, "medium"]),
                reverse("diary:member", args=[owner.pk]), pages.archive_url(entry)):
        assert client.get(url).status_code == 404, url
    for url in (reverse("diary:friends"), reverse("diary:new_comments")):
        response = client.get(url)
        assert response.status_code == 200
        assert entry.title not in pages.text_of(response), url
    response = client.post(reverse("diary:comment_create", args=[entry.pk]), {"body": "hello?"})
    assert response.status_code == 404
    assert entry.comments.count() == 2


@pytest.mark.parametrize("url_name", ["diary:member", "diary:archive"])
def test_visitors_learn_nothing_of_a_member_without_public_entries(
    settings, client, people, url_name
):
    """With public pages on, a visitor may read public entries, and learns their authors'
    names from them; of a member with no public entry they must learn nothing, not even that
    the member exists (a profile needs a login): the answer is the one for no member at all."""
    settings.SITE_PUBLIC_PAGES = True
    owner = people["owner"]
    entry = factories.entry(owner, Level.MEMBERS)
    if url_name == "diary:member":
        url, missing = (reverse(url_name, args=[owner.pk]),
                        reverse(url_name, args=[owner.pk + 100_000]))
    else:
        url = pages.archive_url(entry)
        missing = url.replace(f"/members/{owner.pk}/", f"/members/{owner.pk + 100_000}/")
    response = client.get(url)
    assert client.get(missing).status_code == 404
    shows_name = "Owner Person" in pages.text_of(response)
    assert (response.status_code, shows_name) == (404, False), "status, shows the name"


def test_month_counts_count_only_what_the_viewer_sees(as_user, people):
    owner = people["owner"]
    first = factories.entry(owner, Level.MEMBERS, ago=timedelta(minutes=30))
    factories.entry(owner, Level.PRIVATE, ago=timedelta(minutes=20))
    factories.entry(owner, Level.FRIENDS, ago=timedelta(minutes=10))
    archive = pages.archive_url(first)
    for persona, expected in (("owner", 3), ("friend", 2), ("member", 1)):
        page = pages.text_of(
            as_user(people[persona]).get(reverse("diary:member", args=[owner.pk])))
        assert archive in page, persona
        after = page[page.index(archive):][:400]
        count = re.search(r"\((\d+)\)", after)
        assert count and int(count.group(1)) == expected, (persona, after)


def test_lists_show_each_entrys_comment_count(as_user, people):
    owner, friend = people["owner"], people["friend"]
    entry = factories.entry(owner, Level.MEMBERS)
    for author in (friend, people["fof"], owner):
        factories.entry_comment(entry, author)
    for viewer, url in ((people["member"], reverse("diary:member", args=[owner.pk])),
                        (friend, reverse("diary:friends")),
                        (friend, pages.archive_url(entry))):
        page = pages.text_of(as_user(viewer).get(url))
        assert entry.title in page, url
        assert "3 comments" in page, url


def test_an_impossible_archive_month_is_a_404(as_user, people):
    client = as_user(people["friend"])
    owner = people["owner"]
    assert client.get(f"/members/{owner.pk}/diary/2025/13/").status_code == 404
    assert client.get(f"/members/{owner.pk}/diary/2025/0/").status_code == 404
