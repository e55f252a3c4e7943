"""Seed the bench database with off-kai on top of the graph, diaries and communities (a dev
tool, never a test).

    DEBUG=0 SECRET_KEY=bench-only-secret .venv/bin/python bench/seed_offkai.py \
        [--reseed-offkai]

Seeds the friend graph, the diaries and the communities first if needed (``seed_diary.py``,
``seed_communities.py``), then adds 20,000 off-kai with their hosts, answers, comments and
guests:

* **Events** from three years back to three months ahead, more each month as the site grows
  (the diaries' plan), on weekday evenings and weekend days, Japan time. Hosts are drawn
  with the diaries' Pareto weight times a little more for the well-connected (a few host
  dozens, most once or never); 20% have a co-host (a friend, or for a community's event
  one of its members); 30% belong to a community the host had joined by then. Visibility
  keeps to the host's usual level as diaries do ("public" becomes "members": the site has
  no public pages by default); a community's events are mostly for its members (always
  for a secret one). Capacity none (35%) or 5-200; a deadline for answers on a quarter; 2%
  cancelled with a reason; the day-before reminder marked as sent where it was due.
* **Answers** by those who may see the event (friends, friends of friends, members, the
  community's members; nobody in a block with the creator): the hosts first, the others
  over the weeks before it (attending, maybe or not); "attending" beyond the capacity joins
  the waitlist in order, as ``rsvp_answer`` decides; some bring guests where allowed. A
  median of about 8 an event, a dozen with hundreds, and one upcoming event with exactly
  300 answers and a waitlist (the page ``run_offkai.py`` times). After half the past
  events the hosts confirmed who came, and some recorded the guests who did.
* **Comments** (questions and the hosts' answers) by the hosts and those who answered: a
  median of 2, a few events with up to 150.

The event row caches no counts (the pages count answers with ``RSVP.objects.counts()``), so
there is nothing to keep in step. Rows are streamed into COPY (text format, FREEZE), then
VACUUM ANALYZE. Same rows on every run (fixed random seed; dates relative to the hour of
seeding). A marker table ``bench_offkai_seed`` records what was seeded and on which seed of
the communities (reseeding those empties the events), so a second run does nothing;
``--reseed-offkai`` empties the off-kai tables and seeds them again (``--reseed`` redoes
everything).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from bisect import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate

import seed_communities
import seed_diary
import seed_graph
from seed_diary import EN_COMMENTS, JA_COMMENTS, Timestamps, _copy_lines, _extra_columns, copy_text
from seed_graph import EN_FIRST, EN_LAST, GIVEN_NAMES, SURNAMES

MARKER = "bench_offkai_seed"
SEED_VERSION = 1
RANDOM_SEED = 20250701
EVENTS = 20_000
DAY = 86400
DAYS_BACK = 3 * 365
DAYS_AHEAD = 91
JST = 9 * 3600
CO_HOST_SHARE = 0.2
COMMUNITY_SHARE = 0.3
CANCELLED_SHARE = 0.02
CONFIRMED_SHARE = 0.5
# A few events with hundreds of answers, and the one the benchmark opens: 300 answers with a
# waitlist (capacity 150) and 150 comments.
BIG_EVENTS = 12
BIG_ANSWERS = (120, 450)
SHOWCASE_ANSWERS = 300
SHOWCASE_CAPACITY = 150
SHOWCASE_COMMENTS = 150
BUSY_COMMENTS = 5
# The answers one gives, with guests now and then where the event allows them.
WISHES = ["attending", "maybe", "declined"]
WISH_WEIGHTS = [60, 22, 18]
GUEST_SHARE = 0.15
# Who came (True) by answer, after a confirmed event; "declined" stays unconfirmed.
CAME = {"attending": 0.9, "waitlisted": 0.1, "maybe": 0.4}
GUESTS_MAX = 100  # offkai.selectors.GUESTS_MAX: what one event may record
HIDDEN_COMMENT_SHARE = 0.003

# --- text ----------------------------------------------------------------------------------

AREAS = [
    ("渋谷", "Shibuya", "東京都渋谷区道玄坂"), ("新宿", "Shinjuku", "東京都新宿区西新宿"),
    ("池袋", "Ikebukuro", "東京都豊島区南池袋"),
    ("吉祥寺", "Kichijoji", "東京都武蔵野市吉祥寺本町"),
    ("横浜", "Yokohama", "神奈川県横浜市西区高島"), ("梅田", "Umeda", "大阪府大阪市北区梅田"),
    ("京都", "Kyoto", "京都府京都市下京区烏丸通"), ("神戸", "Kobe", "兵庫県神戸市中央区三宮町"),
    ("名古屋", "Nagoya", "愛知県名古屋市中村区名駅"),
    ("博多", "Hakata", "福岡県福岡市博多区博多駅前"),
    ("札幌", "Sapporo", "北海道札幌市中央区北五条西"), ("仙台", "Sendai", "宮城県仙台市青葉区中央"),
]
JA_EVENT_TOPICS = [
    "日本酒", "ボードゲーム", "ランチ", "カフェ巡り", "登山", "写真散歩", "花見", "BBQ", "読書会",
    "勉強会", "ランニング", "ゴルフ", "カラオケ", "映画", "キャンプ", "料理", "もくもく会",
    "飲み会", "異業種交流", "ワイン",
]
EN_EVENT_TOPICS = [
    "sake tasting", "board games", "lunch", "coffee crawl", "hiking", "photo walk", "picnic",
    "BBQ", "book club", "study session", "running", "karaoke", "film night", "camping",
    "cooking", "wine",
]
JA_EVENT_TITLES = [
    "{area}で{topic}", "{topic}オフ会", "第{n}回 {topic}の会", "{topic}好き集まれ！",
    "{area}{topic}ナイト", "{month}月の{topic}", "みんなで{topic}", "{topic}の会 in {area}",
]
EN_EVENT_TITLES = ["{topic} in {area}", "{topic} meetup", "{area} {topic} night",
                   "{topic} #{n}", "Monthly {topic}", "{topic} with friends"]
JA_VENUES = [
    "駅前 居酒屋「{name}」", "カフェ {name}", "区民センター 第{n}会議室", "中央公園 東口広場",
    "レンタルスペース {name}", "ダイニングバー {name}",
]
EN_VENUES = [
    "{name}'s Bar", "Café {name}", "Community Centre, room {n}", "Central Park, east gate",
    "{name} Rental Space",
]
JA_FEES = ["", "", "無料", "実費", "3,000円", "4,000円程度", "1,500円（飲み物代）", "5,000円"]
EN_FEES = ["", "", "Free", "Pay your own way", "¥3,000", "¥5,000"]
JA_REASONS = [
    "台風の接近により中止とします。申し訳ありません。", "会場の都合がつかなくなりました。",
    "主催者の体調不良のため中止します。また改めてご案内します。",
    "参加者が集まらなかったため中止します。",
]
EN_REASONS = [
    "Cancelled because of the typhoon. Sorry!", "The venue is no longer available.",
    "I am ill; we will find another date.", "Not enough people could come this time.",
]
JA_QUESTIONS = [
    "途中参加でも大丈夫ですか？", "駐車場はありますか？", "子ども連れでも参加できますか？",
    "何時ごろまでいらっしゃいますか？", "雨の場合はどうなりますか？", "持ち物はありますか？",
    "初参加ですがよろしくお願いします！", "会場の最寄り駅はどこですか？",
]
EN_QUESTIONS = [
    "Is it fine to come late?", "Is there parking nearby?", "Can I bring my kids?",
    "What happens if it rains?", "Should I bring anything?", "First time here, looking forward!",
]
JA_REPLIES = [
    "はい、大丈夫です！", "駅から徒歩5分です。", "雨天決行です。", "特に持ち物はありません。",
    "お子さま連れも歓迎です。", "会場に駐車場はないので、公共交通機関でお越しください。",
    "ありがとうございます、お待ちしています！",
]
EN_REPLIES = [
    "Yes, no problem!", "It is a five-minute walk from the station.", "We go ahead rain or shine.",
    "Nothing to bring.", "Kids are welcome.", "Thanks, see you there!",
]


def _people_names(rng: random.Random, ja: bool) -> str:
    if ja:
        return f"{rng.choice(SURNAMES)[0]} {rng.choice(GIVEN_NAMES)[0]}"
    return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"


def _texts(rng: random.Random) -> dict[str, list[str]]:
    """Description bodies (at most four paragraphs: the search column is built from them)
    and comments, made once from the diaries' text, by language; not yet escaped."""
    pools: dict[str, list[str]] = {}
    for lang, ja in (("ja", True), ("en", False)):
        pools[f"body_{lang}"] = [
            "\n\n".join(seed_diary._body(rng, ja).split("\n\n")[:4]) for _ in range(1_500)
        ]
        questions, replies = (JA_QUESTIONS, JA_REPLIES) if ja else (EN_QUESTIONS, EN_REPLIES)
        comments = JA_COMMENTS if ja else EN_COMMENTS
        pools[f"question_{lang}"] = [
            f"{rng.choice(comments)}{'' if ja else ' '}{rng.choice(questions)}"
            if rng.random() < 0.3 else rng.choice(questions) for _ in range(300)
        ] + [rng.choice(comments) for _ in range(200)]
        pools[f"reply_{lang}"] = replies
    return pools


def _event_text(rng: random.Random, texts: dict, ja: bool, starts: int) -> tuple[str, ...]:
    """Title, description, venue, address and fee, escaped for COPY."""
    area_ja, area_en, street = rng.choice(AREAS)
    month = datetime.fromtimestamp(starts + JST, UTC).month
    if ja:
        topic = rng.choice(JA_EVENT_TOPICS)
        title = rng.choice(JA_EVENT_TITLES).format(area=area_ja, topic=topic,
                                                   n=rng.randint(2, 40), month=month)
        intro = f"{area_ja}で{topic}の会を開きます。初めての方も歓迎です。"
        venue = rng.choice(JA_VENUES).format(name=rng.choice(SURNAMES)[0], n=rng.randint(1, 5))
        fee = rng.choice(JA_FEES)
    else:
        topic = rng.choice(EN_EVENT_TOPICS)
        title = rng.choice(EN_EVENT_TITLES).format(area=area_en, topic=topic,
                                                   n=rng.randint(2, 40)).capitalize()
        intro = f"Join us for {topic} in {area_en}. Newcomers welcome."
        venue = rng.choice(EN_VENUES).format(name=rng.choice(EN_LAST), n=rng.randint(1, 5))
        fee = rng.choice(EN_FEES)
    address = f"{street}{rng.randint(1, 5)}-{rng.randint(1, 20)}-{rng.randint(1, 15)}"
    if rng.random() < 0.08:
        venue, address = ("オンライン (Zoom)" if ja else "Online (Zoom)"), ""
    body = rng.choice(texts["body_ja" if ja else "body_en"])
    return tuple(copy_text(v) for v in (title, f"{intro}\n\n{body}", venue, address, fee))


# --- who is there --------------------------------------------------------------------------


@dataclass
class World:
    """What the seeded graph and communities say, read once."""

    ids: list[int]  # active members, in the order they joined
    joined: list[int]
    since: dict[int, int]  # when each active member joined the site
    friends: dict[int, list[int]]
    active: set[int]
    blocks: dict[int, set[int]]  # both ways
    # By community: its join policy, creation, members (id, joined) in the order they joined.
    policy: dict[int, str]
    created: dict[int, int]
    members: dict[int, list[int]]
    member_joined: dict[int, list[int]]
    communities_of: dict[int, list[tuple[int, int]]]  # (community, joined) by member

    def blocked(self, a: int, b: int) -> bool:
        return b in self.blocks.get(a, ())

    def may_answer(self, pk: int, creator: int, when: int) -> bool:
        """An active member who had joined the site by ``when``, in no block with the creator
        (the seeded memberships do not follow the dates members joined)."""
        return pk in self.active and self.since[pk] <= when and not self.blocked(pk, creator)

    def friends_of(self, pk: int) -> list[int]:
        return self.friends.get(pk, [])

    def members_by(self, community: int, when: int) -> int:
        """How many of the community's members (a prefix of its list) had joined by ``when``."""
        return bisect(self.member_joined[community], when)


def _load(cursor) -> World:
    ids, joined, friends = seed_diary._members(cursor)
    cursor.execute("SELECT id FROM accounts_user WHERE is_active")
    active = {pk for (pk,) in cursor.fetchall()}
    kept = [k for k, pk in enumerate(ids) if pk in active]
    cursor.execute("SELECT blocker_id, blocked_id FROM accounts_block")
    blocks: dict[int, set[int]] = defaultdict(set)
    for a, b in cursor.fetchall():
        blocks[a].add(b)
        blocks[b].add(a)
    cursor.execute(
        "SELECT id, join_policy, extract(epoch FROM created_at)::bigint "
        "FROM communities_community WHERE closed_at IS NULL"
    )
    policy, created = {}, {}
    for pk, join_policy, at in cursor.fetchall():
        policy[pk], created[pk] = join_policy, at
    cursor.execute(
        "SELECT community_id, user_id, extract(epoch FROM joined_at)::bigint "
        "FROM communities_membership ORDER BY community_id, joined_at, user_id"
    )
    members: dict[int, list[int]] = defaultdict(list)
    member_joined: dict[int, list[int]] = defaultdict(list)
    communities_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for community, user, at in cursor.fetchall():
        if community in policy and user in active:
            members[community].append(user)
            member_joined[community].append(at)
            communities_of[user].append((community, at))
    return World([ids[k] for k in kept], [joined[k] for k in kept],
                 {ids[k]: joined[k] for k in kept}, friends, active, blocks, policy, created,
                 members, member_joined, communities_of)


# --- the events ----------------------------------------------------------------------------


@dataclass(slots=True)
class Plan:
    creator: int
    created: int
    starts: int
    ends: int
    visibility: str
    ja: bool
    community: int | None = None
    co_host: int | None = None
    capacity: int | None = None
    guest_limit: int = 0
    deadline: int | None = None
    cancelled: int | None = None
    edited: int | None = None
    reminded: int | None = None
    answers: int = 0
    comments: int = 0
    pk: int = 0
    # (when, member) of everyone who answered, for the comments.
    answered: list[tuple[int, int]] = field(default_factory=list)


def speaks_japanese(pk: int) -> bool:
    """A member's language, as the diaries decide it (80% Japanese)."""
    return (pk * 2654435761) % 100 < 80


def _times(rng: random.Random, day_ts: int, now: int) -> tuple[int, int, int]:
    """Start, end and creation of an event on the (Japan) day of ``day_ts``: weekday
    evenings, weekends from late morning; now and then over a night or two; announced two
    weeks ahead as a rule (never after now)."""
    day = (day_ts + JST) // DAY
    weekend = (day + 3) % 7 >= 5
    if weekend:
        minutes = rng.choice([11, 12, 13, 14, 15, 17, 18]) * 60 + rng.choice([0, 30])
        hours = rng.randint(2, 5)
    else:
        minutes = rng.choice([18 * 60 + 30, 19 * 60, 19 * 60, 19 * 60 + 30, 20 * 60])
        hours = rng.randint(2, 3)
    starts = day * DAY - JST + minutes * 60
    nights = rng.choice([1, 1, 2]) if rng.random() < 0.03 else 0
    ends = starts + nights * DAY + hours * 3600
    lead = min(90 * DAY, max(2 * DAY, int(rng.lognormvariate(math.log(14 * DAY), 0.7))))
    created = starts - lead + rng.randrange(3600)
    if created > now - 3600:
        created = now - rng.randrange(3600, 21 * DAY)
    return starts, ends, created


def _level(rng: random.Random, usual: int) -> str:
    """A level as the diaries choose theirs; "public" is "members" (no public pages)."""
    level = seed_diary.LEVELS[
        usual if rng.random() < 0.85 else rng.choices(range(5), seed_diary.OTHER_LEVEL_WEIGHTS)[0]
    ]
    return "members" if level == "public" else level


def _community_for(rng: random.Random, world: World, plan: Plan, fallback: tuple) -> None:
    """Make ``plan`` a community's: one the host belonged to when creating it, weighted to
    the larger; else any community then alive, with one of its well-connected members as
    the host. Leaves it alone when there is none."""
    at = plan.created - 60
    mine = [c for c, joined in world.communities_of.get(plan.creator, ())
            if world.created[c] < at and joined <= at]
    if mine:
        plan.community = rng.choices(mine, [len(world.members[c]) ** 0.5 for c in mine])[0]
        return
    order, created, cum = fallback
    alive = bisect(created, at)
    if not alive:
        return
    community = order[bisect(cum, rng.random() * cum[alive - 1], 0, alive)]
    n = world.members_by(community, at)
    if not n:
        return
    people = [world.members[community][rng.randrange(n)] for _ in range(3)]
    people = [pk for pk in people if world.since[pk] <= at]
    if not people:
        return
    # The best-connected of three: hosts are the well-connected.
    plan.creator = max(people, key=lambda pk: len(world.friends_of(pk)))
    plan.ja = speaks_japanese(plan.creator)
    plan.community = community


def _communities(rng: random.Random, world: World, plans: list[Plan]) -> None:
    """Make 30% of the events communities' ones, drawn among those whose time allows it (no
    community existed in the first year)."""
    by_created = sorted(world.created, key=world.created.__getitem__)
    fallback = (by_created, [world.created[c] for c in by_created],
                list(accumulate(len(world.members.get(c, ())) ** 0.5 for c in by_created)))
    wanted = int(COMMUNITY_SHARE * len(plans))
    for k in rng.sample(range(len(plans)), len(plans)):
        if wanted == 0:
            return
        _community_for(rng, world, plans[k], fallback)
        wanted -= plans[k].community is not None


def _co_host(rng: random.Random, world: World, plan: Plan) -> int | None:
    """A friend of the host or, for a community's event, one of its members (only members,
    for a secret community), in no block with the host."""
    for _ in range(10):
        if plan.community is not None and (
            world.policy[plan.community] == "secret" or rng.random() < 0.5
        ):
            n = world.members_by(plan.community, plan.created)
            pk = world.members[plan.community][rng.randrange(n)] if n else None
        else:
            friends = [f for f in world.friends_of(plan.creator) if f in world.active]
            pk = rng.choice(friends) if friends else None
        if pk is not None and pk != plan.creator and world.may_answer(pk, plan.creator,
                                                                      plan.created):
            return pk
    return None


def _settings(rng: random.Random, plan: Plan, now: int) -> None:
    """Capacity, guests, deadline, edits, cancellation and the reminder."""
    if rng.random() >= 0.35:
        plan.capacity = int(min(200, max(5, rng.lognormvariate(math.log(20), 0.7))))
    if rng.random() < 0.25:
        plan.guest_limit = rng.randint(1, 3)
    if rng.random() < 0.25:
        deadline = plan.starts - rng.randint(1, 3) * DAY
        plan.deadline = deadline if deadline > plan.created + 3600 else None
    until = min(plan.starts, now)
    if rng.random() < CANCELLED_SHARE:
        plan.cancelled = plan.created + 3600 + rng.randrange(max(1, until - plan.created - 3600))
        until = plan.cancelled  # a cancelled event can no longer be edited
    if rng.random() < 0.1:
        plan.edited = plan.created + rng.randrange(max(1, until - plan.created))
    from offkai.services import REMIND_AHEAD

    due = max(plan.starts - int(REMIND_AHEAD.total_seconds()), plan.created) + rng.randrange(900)
    if due < min(plan.starts, now) and (plan.cancelled is None or plan.cancelled > due):
        plan.reminded = due


def plan_events(rng: random.Random, world: World, now: int) -> tuple[list[Plan], Plan]:
    """Every event, with its hosts, settings and how many answers and comments it gets, in
    the order they were created (their ids); and the showcase event."""
    start, end = now - DAYS_BACK * DAY, now + DAYS_AHEAD * DAY
    ts, host, usual = seed_diary.plan_entries(rng, world.ids, world.joined, world.friends,
                                              start, end, EVENTS)
    plans = []
    for k in range(len(ts)):
        creator = world.ids[host[k]]
        starts, ends, created = _times(rng, ts[k], now)
        created = max(created, world.joined[host[k]] + 600)
        while starts - 3600 < created:  # a member who joined the day before
            starts, ends = starts + DAY, ends + DAY
        plans.append(Plan(creator, created, starts, ends, _level(rng, usual[host[k]]),
                          speaks_japanese(creator)))
    _communities(rng, world, plans)
    for plan in plans:
        if plan.community is not None and plan.visibility != "private" and (
            world.policy[plan.community] == "secret" or rng.random() < 0.6
        ):
            plan.visibility = "community"
        if rng.random() < CO_HOST_SHARE:
            plan.co_host = _co_host(rng, world, plan)
        _settings(rng, plan, now)
        degree = len(world.friends_of(plan.creator))
        plan.answers = int(rng.lognormvariate(math.log(11), 0.9) * (0.6 + math.log1p(degree) / 6))
        plan.comments = min(40, int(rng.lognormvariate(math.log(2.4), 1.0)))
    showcase = _make_big(rng, world, plans, now)
    plans.sort(key=lambda p: (p.created, p.starts))
    for pk, plan in enumerate(plans, start=1):
        plan.pk = pk
    return plans, showcase


def _make_big(rng: random.Random, world: World, plans: list[Plan], now: int) -> Plan:
    """A dozen events for all members with hundreds of answers, and the showcase: upcoming
    (two to four weeks ahead), capacity 150, exactly 300 answers and 150 comments."""
    hubs = [p for p in plans if p.community is None and p.cancelled is None
            and len(world.friends_of(p.creator)) >= 50]
    coming = [p for p in hubs if now + 14 * DAY <= p.starts <= now + 28 * DAY]
    showcase = rng.choice(coming)
    for plan in [showcase, *rng.sample([p for p in hubs if p is not showcase], BIG_EVENTS)]:
        plan.visibility = "members"
        plan.answers = rng.randint(*BIG_ANSWERS)
        plan.capacity = rng.choice([None, 300, 500])
    showcase.answers, showcase.capacity, showcase.guest_limit = (
        SHOWCASE_ANSWERS, SHOWCASE_CAPACITY, 2)
    showcase.deadline = None
    showcase.comments = SHOWCASE_COMMENTS
    showcase.created = min(showcase.created, now - 10 * DAY)
    for plan in rng.sample(hubs, BUSY_COMMENTS):
        plan.comments = max(plan.comments, rng.randint(60, 150))
    return showcase


# --- answers, comments, guests -------------------------------------------------------------


def _someone(rng: random.Random, world: World, plan: Plan, when: int) -> int | None:
    """A member who may see ``plan`` (by its level, or as a member of its community by
    ``when``), or None when this try found nobody."""
    creator = plan.creator
    if plan.community is not None and (plan.visibility == "community" or rng.random() < 0.7):
        n = world.members_by(plan.community, when)
        return world.members[plan.community][rng.randrange(n)] if n else None
    friends = world.friends_of(creator)
    roll = rng.random()
    if plan.visibility == "members" and (roll < 0.5 or not friends):
        return world.ids[rng.randrange(len(world.ids))]
    if not friends:
        return None
    friend = friends[rng.randrange(len(friends))]
    if plan.visibility == "fof" and roll < 0.3:
        theirs = world.friends_of(friend)
        return theirs[rng.randrange(len(theirs))] if theirs else None
    return friend


def answer_rows(rng: random.Random, world: World, plan: Plan, now: int) -> list[tuple]:
    """The event's answers, as ``rsvp_answer`` would have stored them: (answered, event,
    member, answer, guests, waitlisted at, came)."""
    close = min(plan.deadline or plan.starts, plan.cancelled or plan.starts, now)
    hosts = [plan.creator] + ([plan.co_host] if plan.co_host else [])
    wishes = [(plan.created + 60 + rng.randrange(600), plan.creator, "attending")]
    if plan.co_host:
        wishes.append((plan.created + 60 + rng.randrange(3000), plan.co_host,
                       "attending" if rng.random() < 0.8 else "maybe"))
    chosen = set(hosts)
    want = 0 if plan.visibility == "private" else plan.answers - len(hosts)
    tries = 0
    while want > 0 and tries < 4 * plan.answers + 20 and close > plan.created + 3600:
        tries += 1
        when = plan.created + 3600 + int((close - plan.created - 3600) * rng.random() ** 1.6)
        pk = _someone(rng, world, plan, when)
        if pk is None or pk in chosen or not world.may_answer(pk, plan.creator, when):
            continue
        chosen.add(pk)
        want -= 1
        wishes.append((when, pk, rng.choices(WISHES, WISH_WEIGHTS)[0]))
    wishes.sort()
    confirmed = (plan.ends < now and plan.cancelled is None and rng.random() < CONFIRMED_SHARE)
    rows, taken, waiting = [], 0, False
    for when, pk, wish in wishes:
        guests, waitlisted = 0, None
        if wish == "attending":
            if plan.guest_limit and rng.random() < GUEST_SHARE:
                guests = rng.randint(1, plan.guest_limit)
            if plan.capacity is None or (not waiting and taken + 1 + guests <= plan.capacity):
                taken += 1 + guests
            else:
                wish, waitlisted, waiting = "waitlisted", when, True
        came = (rng.random() < CAME[wish]) if confirmed and wish in CAME else None
        rows.append((when, plan.pk, pk, wish, guests, waitlisted, came))
    plan.answered = [(when, pk) for when, pk, _ in wishes]
    return rows


def comment_rows(rng: random.Random, plan: Plan, texts: dict, now: int) -> list[tuple]:
    """Questions from those who answered and the hosts' replies: (written, event, author,
    body, hidden at)."""
    close = min(plan.ends + 2 * DAY, plan.cancelled or now, now)
    if close <= plan.created + 300:
        return []
    hosts = [plan.creator] + ([plan.co_host] if plan.co_host else [])
    # Others write after they answered; the hosts from the start.
    others = [(when, pk) for when, pk in plan.answered if pk not in hosts and when < close]
    n = plan.comments if others else min(plan.comments, 2)
    rows = []
    for _ in range(n):
        host = not others or rng.random() < 0.35
        since, author = (plan.created + 300, rng.choice(hosts)) if host else rng.choice(others)
        when = since + int((close - since) * rng.random() ** 1.3)
        lang = "ja" if speaks_japanese(author) else "en"
        body = rng.choice(texts[f"reply_{lang}" if host else f"question_{lang}"])
        hidden = (min(now, when + rng.randrange(3600, DAY))
                  if rng.random() < HIDDEN_COMMENT_SHARE else None)
        rows.append((when, plan.pk, author, copy_text(body), hidden))
    return rows


def guest_rows(rng: random.Random, plan: Plan, answers: list[tuple], now: int) -> list[tuple]:
    """The guests a host recorded after a confirmed event: (recorded, event, brought by,
    name, email)."""
    rows = []
    for _, _, pk, wish, guests, _, came in answers:
        if wish == "attending" and came and guests and rng.random() < 0.5:
            for _ in range(guests):
                when = min(now - 60, plan.ends + rng.randrange(3600, 3 * DAY))
                name = _people_names(rng, speaks_japanese(pk))
                email = f"guest{rng.randrange(10**6)}@example.jp" if rng.random() < 0.5 else ""
                rows.append((when, plan.pk, pk, copy_text(name), email))
    return rows[:GUESTS_MAX]


# --- the seed ------------------------------------------------------------------------------


def _by_time(row: tuple) -> tuple:
    """Rows in the order they were written (ids grow with time, as on the site)."""
    return row[:2]


def _lines(columns: list[str], rows, suffix: str, stamp, times: set[str]):
    """COPY text lines of ``rows`` (tuples in ``columns`` order; epoch seconds in the
    ``times`` columns, None as NULL) plus the defaults of columns we do not fill."""
    at = [k for k, c in enumerate(columns) if c in times]

    def text(k, value):
        if value is None:
            return "\\N"
        if k in at:
            return stamp(value)
        if isinstance(value, bool):
            return "t" if value else "f"
        return str(value)

    for row in rows:
        yield "\t".join(text(k, v) for k, v in enumerate(row)) + suffix + "\n"


def _copy(cursor, model, columns: list[str], rows: list[tuple], stamp, label: str,
          times: set[str]) -> int:
    extra, suffix = _extra_columns(model, set(columns))
    return _copy_lines(cursor, model._meta.db_table, [*columns, *extra],
                       _lines(columns, rows, suffix, stamp, times), len(rows), label)


def seed_offkai() -> dict:
    import psycopg
    from django.db import connection

    from offkai.models import RSVP, Event, EventComment, EventHost, Guest

    started = time.monotonic()
    rng = random.Random(RANDOM_SEED)
    now = int(datetime.now(UTC).timestamp()) // 3600 * 3600
    stamp = Timestamps(now - (DAYS_BACK + 120) * DAY, DAYS_BACK + DAYS_AHEAD + 200)
    url = seed_graph._psycopg_url(seed_graph.bench_database_url())
    texts = _texts(rng)
    communities = seed_communities.seeded(seed_graph.bench_database_url())
    tables = [Guest, EventComment, RSVP, EventHost, Event]

    with psycopg.connect(url, autocommit=False) as conn, conn.cursor() as cursor:
        world = _load(cursor)
        plans, showcase = plan_events(rng, world, now)
        answers, comments, guests = [], [], []
        for plan in plans:
            rows = answer_rows(rng, world, plan, now)
            answers += rows
            comments += comment_rows(rng, plan, texts, now)
            guests += guest_rows(rng, plan, rows, now)
        seed_diary._no_triggers(conn, cursor)
        cursor.execute(
            f"TRUNCATE {', '.join(m._meta.db_table for m in tables)} RESTART IDENTITY CASCADE"
        )
        event_rows = [
            (p.pk, *_event_text(rng, texts, p.ja, p.starts), p.starts, p.ends, p.capacity,
             p.deadline, p.guest_limit, p.community, p.visibility, p.creator, p.created,
             p.edited, p.cancelled,
             copy_text(rng.choice(JA_REASONS if p.ja else EN_REASONS)) if p.cancelled else "",
             p.reminded)
            for p in plans
        ]
        _copy(cursor, Event, ["id", "title", "description", "venue", "address", "fee",
                              "starts_at", "ends_at", "capacity", "rsvp_deadline",
                              "guest_limit", "community_id", "visibility", "created_by_id",
                              "created_at", "edited_at", "cancelled_at", "cancel_reason",
                              "reminded_at"],
              event_rows, stamp, "events",
              {"starts_at", "ends_at", "rsvp_deadline", "created_at", "edited_at",
               "cancelled_at", "reminded_at"})
        hosts = sorted([(p.created, p.pk, p.creator) for p in plans]
                       + [(p.created, p.pk, p.co_host) for p in plans if p.co_host],
                       key=_by_time)
        _copy(cursor, EventHost, ["id", "added_at", "event_id", "user_id"],
              [(k, *row) for k, row in enumerate(hosts, start=1)], stamp, "hosts",
              {"added_at"})
        answers.sort(key=_by_time)
        _copy(cursor, RSVP, ["id", "answered_at", "event_id", "user_id", "answer", "guests",
                             "waitlisted_at", "attended"],
              [(k, *row) for k, row in enumerate(answers, start=1)], stamp, "answers",
              {"answered_at", "waitlisted_at"})
        comments.sort(key=_by_time)
        _copy(cursor, EventComment, ["id", "created_at", "event_id", "author_id", "body",
                                     "hidden_at"],
              [(k, *row) for k, row in enumerate(comments, start=1)], stamp, "comments",
              {"created_at", "hidden_at"})
        guests.sort(key=_by_time)
        _copy(cursor, Guest, ["id", "created_at", "event_id", "brought_by_id", "name", "email"],
              [(k, *row) for k, row in enumerate(guests, start=1)], stamp, "guests",
              {"created_at"})
        for model in tables:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
            )
        marker = {
            "events": len(plans), "hosts": len(hosts), "answers": len(answers),
            "waitlisted": sum(row[3] == "waitlisted" for row in answers),
            "comments": len(comments), "guests": len(guests), "showcase": showcase.pk,
            "communities_seeded_at": communities["seeded_at"] if communities else None,
            "version": SEED_VERSION,
        }
        _write_marker(cursor, marker)
        conn.commit()
    connection.close()
    print("  vacuum analyze …", file=sys.stderr)
    with psycopg.connect(url, autocommit=True) as conn:
        for model in tables:
            conn.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
    _summary(plans, marker, time.monotonic() - started)
    return marker


def _write_marker(cursor, marker: dict) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {MARKER}")
    cursor.execute(
        f"CREATE TABLE {MARKER} (events int NOT NULL, hosts int NOT NULL, "
        "answers int NOT NULL, waitlisted int NOT NULL, comments int NOT NULL, "
        "guests int NOT NULL, showcase int NOT NULL, communities_seeded_at timestamptz, "
        "version int NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())"
    )
    cursor.execute(
        f"INSERT INTO {MARKER} ({', '.join(marker)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(marker))})", list(marker.values()),
    )


def _summary(plans: list[Plan], marker: dict, seconds: float) -> None:
    counts = sorted(len(p.answered) for p in plans)
    talk = sorted(p.comments for p in plans)
    share = sum(p.community is not None for p in plans) / len(plans)
    print(
        f"  seeded {marker['events']:,} off-kai ({share:.0%} of communities), "
        f"{marker['hosts']:,} hosts, {marker['answers']:,} answers "
        f"({marker['waitlisted']:,} waitlisted), {marker['comments']:,} comments, "
        f"{marker['guests']:,} guests in {seconds:.0f}s; answers per event: median "
        f"{counts[len(counts) // 2]}, max {counts[-1]}, {sum(c >= 100 for c in counts)} with "
        f"≥ 100; comments: median {talk[len(talk) // 2]}, max {talk[-1]}; showcase event "
        f"{marker['showcase']}",
        file=sys.stderr,
    )


def seeded(url: str) -> dict | None:
    return seed_communities.seeded(url, MARKER)


def ensure_seeded(*, reseed: bool = False, reseed_offkai: bool = False) -> None:
    """The graph, diaries and communities (each seeded first if needed), then the off-kai
    unless already there on these communities."""
    seed_diary.ensure_seeded(reseed=reseed)
    # Not ``reseed`` again: that would drop the database the line above just seeded.
    seed_communities.ensure_seeded()
    url = seed_graph.bench_database_url()
    marker, communities = seeded(url), seed_communities.seeded(url)
    if (marker and marker["version"] == SEED_VERSION and not (reseed or reseed_offkai)
            and communities and marker["communities_seeded_at"] == communities["seeded_at"]):
        print(f"  off-kai already seeded ({marker['events']:,} events, {marker['answers']:,} "
              "answers); --reseed-offkai to redo", file=sys.stderr)
        return
    seed_offkai()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed-offkai", action="store_true",
                        help="empty the off-kai tables and seed them again")
    parser.add_argument("--reseed", action="store_true",
                        help="drop the whole database and seed everything again")
    args = parser.parse_args(argv)
    seed_graph.configure_django()
    ensure_seeded(reseed=args.reseed, reseed_offkai=args.reseed_offkai)


if __name__ == "__main__":
    main()
