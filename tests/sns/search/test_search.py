"""Search: Japanese substrings and English words through the n-gram indexes, only what the
viewer may see, ranked, paginated, with a bounded number of queries."""

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.urls import reverse

from accounts.models import Profile
from communities import services as community_services
from communities.models import JoinPolicy, Topic, TopicComment
from communities.selectors import TOPIC_COMMENTS_SHOWN
from sns import matching, moderation
from sns.search import selectors
from sns.visibility import Level
from tests import factories
from tests.html import assert_well_formed

SEARCH = reverse("search")


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    settings.COMMUNITY_CREATE_PER_DAY = 1000
    settings.TOPIC_CREATE_PER_HOUR = 1000
    settings.COMMENTS_PER_HOUR = 1000


def found(kind, viewer, text):
    """What ``viewer`` finds of ``kind``; checked to be the same rows, in the same order,
    when looked for among the matches kept for everyone (``selectors.found``, as with the
    parts cache)."""
    query = matching.tsquery(text)
    if not query:
        return []
    rows = list(selectors.KINDS[kind](viewer, query))
    ids, complete, _marks = selectors.found(kind, query)
    assert complete
    assert list(selectors.KINDS[kind](viewer, query, within=ids)) == rows
    return rows


def titles(kind, viewer, text):
    return [getattr(row, "title", None) or getattr(row, "name", None)
            for row in found(kind, viewer, text)]


# --- the query language ----------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "expected"), [
    ("東京タワー", "('東京' <-> '京タ' <-> 'タワ' <-> 'ワー')"),
    ("猫", "('猫' | '猫':*)"),
    ("Hello", "'hello':*"),
    ("ＡＢＣ", "'abc':*"),  # full-width letters are read as the index reads them
    ("東京 会議", "('東京') & ('会議')"),
    ("東京tower", "('東京') & 'tower':*"),
    ("!!!、。", None),
    ("", None),
    ("it's", "'it':* & 's':*"),
])
def test_what_a_query_becomes(typed, expected):
    assert matching.tsquery(typed) == expected


def test_queries_are_cut_to_size():
    many = " ".join(f"w{i}" for i in range(50))
    assert matching.tsquery(many).count("&") == matching.MAX_TERMS - 1
    assert matching.tsquery("あ" * 1000).count("<->") < matching.MAX_QUERY_LENGTH


# --- diaries --------------------------------------------------------------------------------

def test_japanese_substrings_are_found(owner, member):
    factories.entry(owner, Level.MEMBERS, title="週末", body="東京タワーに行きました。")
    for typed in ["東京", "タワー", "京タ", "東京タワー", "行き", "た"]:
        assert titles("diaries", member, typed) == ["週末"], typed
    for typed in ["京都", "東京都", "タワーズ", "大阪"]:
        assert titles("diaries", member, typed) == [], typed


def test_single_characters_are_found_anywhere_in_a_word(owner, member):
    factories.entry(owner, Level.MEMBERS, title="ねこ", body="黒猫を見た")
    assert titles("diaries", member, "猫") == ["ねこ"]
    assert titles("diaries", member, "黒") == ["ねこ"]


def test_english_words_by_their_beginning_and_all_terms_must_match(owner, member):
    factories.entry(owner, Level.MEMBERS, title="Trip", body="Meeting the Tokyo team.")
    assert titles("diaries", member, "tok") == ["Trip"]
    assert titles("diaries", member, "TOKYO meeting") == ["Trip"]
    assert titles("diaries", member, "tokyo osaka") == []


def test_punctuation_between_words_does_not_join_them(owner, member):
    factories.entry(owner, Level.MEMBERS, title="A", body="東京、タワー")
    assert titles("diaries", member, "東京タワー") == []
    assert titles("diaries", member, "東京 タワー") == ["A"]


@pytest.mark.parametrize(("level", "persona", "sees"), [
    (Level.MEMBERS, "member", True),
    (Level.FRIENDS, "member", False),
    (Level.FRIENDS, "friend", True),
    (Level.FRIENDS_OF_FRIENDS, "fof", True),
    (Level.FRIENDS_OF_FRIENDS, "member", False),
    (Level.PRIVATE, "friend", False),
    (Level.PRIVATE, "owner", True),
    (Level.MEMBERS, "blocked", False),
])
def test_diaries_found_only_by_who_may_see_them(request, owner, level, persona, sees):
    viewer = request.getfixturevalue(persona)
    factories.entry(owner, level, title="秘密の話", body="花火大会")
    assert (titles("diaries", viewer, "花火") == ["秘密の話"]) is sees


def test_entries_of_members_who_left_are_not_found(owner, member):
    factories.entry(owner, Level.MEMBERS, title="x", body="花火大会")
    owner.is_active = False
    owner.save()
    assert titles("diaries", member, "花火") == []


def test_diaries_newest_first(owner, member):
    factories.entry(owner, Level.MEMBERS, title="old", body="花火",
                    ago=timedelta(days=3))
    factories.entry(owner, Level.MEMBERS, title="new", body="花火",
                    ago=timedelta(days=1))
    factories.entry(owner, Level.MEMBERS, title="花火の夜", body="...",
                    ago=timedelta(days=9))
    assert titles("diaries", member, "花火") == ["new", "old", "花火の夜"]


def test_an_edited_entry_is_found_by_its_new_words(owner, member):
    entry = factories.entry(owner, Level.MEMBERS, title="x", body="花火")
    entry.body = "紅葉"
    entry.save()
    assert titles("diaries", member, "花火") == []
    assert titles("diaries", member, "紅葉") == ["x"]


# --- members ----------------------------------------------------------------------------------

def _profile(member, **fields):
    Profile.objects.filter(user=member).update(**fields)


def test_members_by_shown_name_reading_and_company(owner, member):
    _profile(owner, real_name="山田 花子", real_name_kana="やまだ はなこ", company="つながり商事")
    assert [u.pk for u in found("members", member, "山田")] == [owner.pk]
    assert [u.pk for u in found("members", member, "はなこ")] == [owner.pk]
    assert [u.pk for u in found("members", member, "商事")] == [owner.pk]
    assert found("members", member, "田中") == []


def test_a_hidden_company_does_not_find_the_member(owner, friend, member):
    _profile(owner, company="秘密商事", company_visibility=Level.FRIENDS)
    assert found("members", member, "秘密商事") == []
    assert [u.pk for u in found("members", friend, "秘密商事")] == [owner.pk]
    _profile(owner, company_visibility=Level.PRIVATE)
    assert found("members", friend, "秘密商事") == []
    assert [u.pk for u in found("members", owner, "秘密商事")] == [owner.pk]


def test_a_hidden_other_name_does_not_find_the_member(owner, member, settings):
    settings.IDENTITY_POLICY = "real_name"
    _profile(owner, nickname="はなちゃん", other_name_visibility=Level.PRIVATE)
    assert found("members", member, "はなちゃん") == []
    _profile(owner, other_name_visibility=Level.MEMBERS)
    assert [u.pk for u in found("members", member, "はなちゃん")] == [owner.pk]


def test_on_a_nickname_site_real_names_stay_hidden(owner, member, settings):
    settings.IDENTITY_POLICY = "nickname"
    _profile(owner, real_name="山田 花子", nickname="はな", other_name_visibility=Level.PRIVATE)
    assert found("members", member, "山田") == []
    assert [u.pk for u in found("members", member, "はな")] == [owner.pk]


def test_on_a_nickname_site_hidden_readings_do_not_order_the_results(owner, member, fof,
                                                                     settings):
    """The order is by the shown name: by the readings, it would tell which of two members'
    hidden real names comes first."""
    settings.IDENTITY_POLICY = "nickname"
    for person, nickname, kana in ((member, "はな B", "あ"), (fof, "はな A", "ん")):
        _profile(person, nickname=nickname, real_name_kana=kana,
                 other_name_visibility=Level.PRIVATE)
    assert [u.pk for u in found("members", owner, "はな")] == [fof.pk, member.pk]


def test_blocked_and_departed_members_are_not_found(owner, blocked, member):
    _profile(blocked, real_name="山田 太郎")
    _profile(member, real_name="山田 次郎")
    assert [u.pk for u in found("members", owner, "山田")] == [member.pk]
    assert found("members", blocked, "Owner") == []
    member.is_active = False
    member.save()
    assert found("members", owner, "山田") == []


def test_friends_come_first(owner, friend, member):
    _profile(friend, real_name="佐藤 B", real_name_kana="ん")
    _profile(member, real_name="佐藤 A", real_name_kana="あ")
    assert [u.pk for u in found("members", owner, "佐藤")] == [friend.pk, member.pk]


# --- communities and off-kai --------------------------------------------------------------------

def test_secret_communities_are_found_only_by_their_members(owner, member):
    factories.community(owner, name="秘密の読書会", policy=JoinPolicy.SECRET)
    factories.community(owner, name="公開の読書会")
    assert titles("communities", member, "読書") == ["公開の読書会"]
    assert sorted(titles("communities", owner, "読書")) == ["公開の読書会", "秘密の読書会"]


def test_community_name_matches_come_first(owner, member):
    factories.community(owner, name="Cats", description="写真を撮る会")
    factories.community(owner, name="写真部", description="...")
    assert titles("communities", member, "写真") == ["写真部", "Cats"]


def test_events_found_only_by_who_may_see_them(owner, friend, member):
    factories.event(owner, title="花見オフ", visibility=Level.FRIENDS, venue="上野公園")
    assert titles("events", friend, "上野") == ["花見オフ"]
    assert titles("events", member, "上野") == []


def test_upcoming_events_before_past_ones(owner, member):
    factories.event(owner, title="過去の花見", days=-30)
    factories.event(owner, title="遠い花見", days=60)
    factories.event(owner, title="近い花見", days=3)
    assert titles("events", member, "花見") == ["近い花見", "遠い花見", "過去の花見"]


# --- the page ---------------------------------------------------------------------------------

def test_the_page_shows_each_kind(owner, member, as_user):
    factories.entry(owner, Level.MEMBERS, title="花火の夜", body="...")
    factories.community(owner, name="花火同好会")
    factories.event(owner, title="花火オフ")
    _profile(owner, nickname="花火師")
    response = as_user(member).get(SEARCH, {"q": "花火"})
    body = response.content.decode()
    assert response.status_code == 200
    assert_well_formed(body)
    for text in ["花火の夜", "花火同好会", "花火オフ"]:
        assert text in body


def test_one_kind_by_pages(owner, member, as_user):
    for i in range(selectors.PAGE_SIZE + 1):
        factories.entry(owner, Level.MEMBERS, title=f"花火 {i:02d}", body="...",
                        ago=timedelta(hours=i))
    client = as_user(member)
    first = client.get(SEARCH, {"q": "花火", "kind": "diaries"}).content.decode()
    assert "花火 00" in first and f"花火 {selectors.PAGE_SIZE:02d}" not in first
    assert 'rel="next"' in first
    second = client.get(SEARCH, {"q": "花火", "kind": "diaries", "page": 2}).content.decode()
    assert f"花火 {selectors.PAGE_SIZE:02d}" in second and 'rel="next"' not in second


@pytest.mark.parametrize("params", [
    {}, {"q": ""}, {"q": "、。！"}, {"q": "x" * 5000}, {"q": "花火", "kind": "nope"},
    {"q": "花火", "kind": "diaries", "page": "abc"}, {"q": "花火", "kind": "diaries", "page": "-3"},
    {"q": "'; DROP TABLE diary_entry; --"}, {"q": "a & b | !c <-> d:*"},
])
def test_odd_input_never_breaks_the_page(member, as_user, params):
    response = as_user(member).get(SEARCH, params)
    assert response.status_code == 200
    assert_well_formed(response.content.decode())


def test_visitors_are_sent_to_log_in(client):
    response = client.get(SEARCH, {"q": "花火"})
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_page_in_japanese(member, as_user, settings):
    settings.LANGUAGE_CODE = "ja"
    client = as_user(member)
    client.cookies["django_language"] = "ja"
    body = client.get(SEARCH, {"q": "花火"}).content.decode()
    assert "検索" in body and "日記" in body


@pytest.mark.parametrize("n", [5, 50])
def test_queries_are_bounded(owner, member, as_user, django_assert_max_num_queries, n):
    people = [factories.member(f"花子 {i}") for i in range(n)]
    for i in range(n):
        factories.entry(people[i], Level.MEMBERS, title=f"花火 {i}", body="...")
        club = factories.community(people[i], name=f"花火会 {i}")
        topic = factories.topic(club, people[i], title=f"花火の話 {i}")
        factories.topic_comment(topic, people[i], body=f"花火 {i}")
        factories.event(people[i], title=f"花火オフ {i}")
    client = as_user(member)
    for kind in [None, *selectors.KINDS]:
        params = {"q": "花"} | ({"kind": kind} if kind else {})
        with django_assert_max_num_queries(15):
            assert client.get(SEARCH, params).status_code == 200


# --- community topics and their comments ------------------------------------------------------

def _circle(owner, policy=JoinPolicy.OPEN, members=()):
    club = factories.community(owner, policy=policy, name=f"写真の会 {policy}")
    return factories.join(club, members)


def test_topics_and_comments_are_found_by_japanese_substrings(owner, friend, member):
    topic = factories.topic(_circle(owner, members=[friend]), owner,
                            title="望遠レンズの選び方", body="野鳥を撮りたい")
    factories.topic_comment(topic, friend, body="単焦点レンズがおすすめです")
    for typed in ["望遠", "レンズ", "選び方", "野鳥"]:
        assert titles("topics", member, typed) == ["望遠レンズの選び方"], typed
    assert titles("topics", member, "広角") == []
    assert [c.body for c in found("topic_comments", member, "単焦点")] == [
        "単焦点レンズがおすすめです"]
    assert [c.topic for c in found("topic_comments", owner, "おすすめ")] == [topic]
    assert found("topic_comments", member, "望遠") == []  # the topic's words are the topic's


@pytest.mark.parametrize(("policy", "persona", "sees"), [
    (JoinPolicy.OPEN, "member", True),
    (JoinPolicy.APPROVAL, "member", True),
    (JoinPolicy.SECRET, "friend", True),  # a member of it
    (JoinPolicy.SECRET, "fof", False),  # invited, not (yet) a member
    (JoinPolicy.SECRET, "member", False),
    (JoinPolicy.OPEN, "blocked", False),
])
def test_topics_and_comments_are_found_only_by_who_may_see_them(
    request, owner, friend, fof, policy, persona, sees
):
    viewer = request.getfixturevalue(persona)
    club = _circle(owner, policy, members=[] if policy == JoinPolicy.SECRET else [friend])
    if policy == JoinPolicy.SECRET:
        community_services.community_invite(community=club, inviter=owner, invitee=friend)
        community_services.membership_join(community=club, user=friend)
        community_services.community_invite(community=club, inviter=friend, invitee=fof)
    topic = factories.topic(club, owner, title="望遠レンズ")
    factories.topic_comment(topic, owner, body="望遠の話")
    assert (titles("topics", viewer, "望遠") == ["望遠レンズ"]) is sees
    assert (len(found("topic_comments", viewer, "望遠")) == 1) is sees


def test_hidden_and_suspended_content_is_not_found(owner, friend, member, moderator):
    club = _circle(owner, members=[friend])
    hidden = factories.topic(club, owner, title="望遠 hidden")
    shown = factories.topic(club, owner, title="望遠 shown")
    by_friend = factories.topic(club, friend, title="望遠 by friend")
    hidden_comment = factories.topic_comment(shown, owner, body="望遠 hidden comment")
    factories.topic_comment(shown, friend, body="望遠 friend's comment")
    factories.topic_comment(shown, owner, body="望遠 kept")
    moderation.content_hide(target=hidden, by=moderator)
    moderation.content_hide(target=hidden_comment, by=moderator)
    moderation.member_suspend(member=friend, by=moderator)
    assert titles("topics", member, "望遠") == ["望遠 shown"]
    assert by_friend.title not in titles("topics", owner, "望遠")
    assert [c.body for c in found("topic_comments", member, "望遠")] == ["望遠 kept"]


def test_topics_and_comments_newest_first(owner, member):
    club = _circle(owner)
    old = factories.topic(club, owner, title="望遠 old")
    new = factories.topic(club, owner, title="望遠 new")
    Topic.objects.filter(pk=old.pk).update(created_at=F("created_at") - timedelta(days=2))
    first = factories.topic_comment(new, owner, body="望遠 first")
    factories.topic_comment(new, owner, body="望遠 second")
    TopicComment.objects.filter(pk=first.pk).update(created_at=F("created_at") - timedelta(days=1))
    assert titles("topics", member, "望遠") == ["望遠 new", "望遠 old"]
    assert [c.body for c in found("topic_comments", member, "望遠")] == [
        "望遠 second", "望遠 first"]


def test_an_edited_topic_is_found_by_its_new_words(owner, member):
    topic = factories.topic(_circle(owner), owner, title="x", body="花火")
    community_services.topic_update(topic=topic, by=owner, title="x", body="紅葉")
    assert titles("topics", member, "花火") == []
    assert titles("topics", member, "紅葉") == ["x"]


def test_the_page_links_topics_and_each_comment_in_its_topic(owner, member, as_user):
    club = _circle(owner)
    topic = factories.topic(club, owner, title="望遠レンズの選び方")
    comments = [factories.topic_comment(topic, owner, body=f"返信 {i}")
                for i in range(TOPIC_COMMENTS_SHOWN + 5)]
    oldest = comments[0]
    TopicComment.objects.filter(pk=oldest.pk).update(body="単焦点がおすすめ")
    client = as_user(member)
    body = client.get(SEARCH, {"q": "望遠"}).content.decode()
    assert_well_formed(body)
    assert f'href="{topic.get_absolute_url()}"' in body and "望遠レンズの選び方" in body
    assert club.name in body
    body = client.get(SEARCH, {"q": "単焦点", "kind": "topic_comments"}).content.decode()
    assert_well_formed(body)
    link = re.search(rf'href="([^"]*#comment-{oldest.pk})"', body).group(1)
    # The link opens the page of the topic's comments that holds it, however old it is.
    page = client.get(html.unescape(link)).content.decode()
    assert f'id="comment-{oldest.pk}"' in page and "単焦点がおすすめ" in page


def test_the_page_says_what_it_searches_in_japanese(member, as_user, settings):
    settings.LANGUAGE_CODE = "ja"
    client = as_user(member)
    client.cookies["django_language"] = "ja"
    body = client.get(SEARCH, {"q": "花火"}).content.decode()
    assert "トピックへのコメント" in body and "トピック" in body


@pytest.mark.parametrize("kind", ["diaries", "topics", "topic_comments"])
def test_a_common_word_is_found_by_walking_newest_first(owner, member, blocked, kind):
    """Past COMMON_SHARE of a table (by PostgreSQL's statistics) a word's matches are read
    by date, not from the index: the same rows, in the same order, as ``owner`` may see
    them (not those of the member they blocked)."""
    club = factories.community(member, name="温泉同好会", members=[owner, blocked])
    topic = factories.topic(club, member, title="温泉の話")
    for i in range(30):
        author = blocked if i == 0 else member
        if kind == "diaries":
            factories.entry(author, Level.MEMBERS, title=f"温泉 {i}", body="...")
        elif kind == "topics":
            factories.topic(club, author, title=f"温泉 {i}")
        else:
            factories.topic_comment(topic, author, body=f"温泉 {i}")
    table = {"diaries": "diary_entry", "topics": "communities_topic",
             "topic_comments": "communities_topiccomment"}[kind]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    query = matching.tsquery("温泉")
    assert selectors._share_in(table, query) >= selectors.COMMON_SHARE
    rows = [getattr(row, "title", None) or row.body for row in found(kind, owner, "温泉")]
    assert rows[:2] == ["温泉 29", "温泉 28"]
    assert "温泉 0" not in rows and "温泉 1" in rows
