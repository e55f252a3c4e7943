"""Who writes to whom, when and what: the plan of ``seed_messages.py``'s conversations and
messages (a dev tool), made in compact arrays before anything is written."""

from __future__ import annotations

import math
import random
import sys
from array import array
from bisect import bisect
from itertools import accumulate

import seed_diary
from seed_diary import copy_text
from seed_graph import Progress

DAY = 86400
DAYS = 3 * 365
GROUP_SHARE = 0.10
GROUP_SIZES = {3: 40, 4: 25, 5: 14, 6: 8, 7: 5, 8: 4, 9: 2, 10: 2}
FRIEND_SHARE = 0.8
LONG, LONG_MESSAGES = 300, (500, 2000)
BUSY, BUSY_INBOX = 200, (1000, 4000)
# Bits of a message's sort key: (seconds since the start, conversation id, place of its author).
CONV_BITS, SEAT_BITS = 21, 4
HOUR_CUM = list(accumulate(seed_diary.HOUR_WEIGHTS))

JA_CHAT = [
    "了解です！", "ありがとうございます。", "お疲れさまです。", "それでお願いします。",
    "今どこですか？", "少し遅れます、すみません！", "明日の件、大丈夫そうです。",
    "写真送りますね。", "いいですね、行きましょう！", "何時にしますか？",
    "駅の改札前で待ってます。", "また今度ゆっくり話しましょう。", "返信遅くなってすみません。",
    "日程ですが、来週の火曜か木曜はどうですか？", "その日は予定があって…別の日でもいいですか？",
    "確認してみます。", "助かります！", "楽しみにしています。", "なるほど、そういうことですね。",
    "了解しました。資料は今夜送ります。", "お店の予約、取れました。", "また飲みに行きましょう！",
    "体調はどうですか？", "おめでとうございます！", "今から出ます。", "着きました。",
    "打ち合わせの時間、三十分ずらしてもらえますか？", "温泉の宿、二部屋押さえておきました。",
]
EN_CHAT = [
    "Sounds good!", "Thanks so much.", "Works for me.", "Where are you now?",
    "Running ten minutes late, sorry!", "Tomorrow is fine on my side.", "I'll send the photos.",
    "Let's do it!", "What time suits you?", "I'm by the ticket gates.", "Sorry for the slow reply.",
    "How about Tuesday or Thursday next week?", "Let me check and get back to you.",
    "That helps a lot, thank you.", "Looking forward to it!", "Booked the table for seven.",
    "Congratulations!", "Leaving now.", "Just arrived.", "Ha, fair enough.",
]
JA_SUBJECTS = [
    "来週の打ち合わせ", "週末の飲み会", "お久しぶりです", "写真の件", "オフ会の相談",
    "資料について", "ランチどうですか", "旅行の計画", "先日はありがとうございました",
    "質問があります", "同窓会の件", "登山の日程", "読書会", "キャンプの持ち物", "温泉旅行",
    "誕生日プレゼント", "引っ越しの手伝い",
]
EN_SUBJECTS = [
    "Next week's meeting", "Drinks on Friday?", "Long time no see", "The photos", "Trip plans",
    "Thanks for yesterday", "A quick question", "Hiking dates", "Book club", "Lunch?",
]


def text_pools(rng: random.Random) -> dict[str, list[str]]:
    """Subjects and message bodies made once, already escaped for COPY."""
    pools: dict[str, list[str]] = {}
    for lang, chat, sentences, subjects in (
        ("ja", JA_CHAT, seed_diary.JA_SENTENCES, JA_SUBJECTS),
        ("en", EN_CHAT, seed_diary.EN_SENTENCES, EN_SUBJECTS),
    ):
        join = "" if lang == "ja" else " "
        bodies = []
        for _ in range(4_000):
            roll = rng.random()
            if roll < 0.55:
                text = rng.choice(chat)
            elif roll < 0.80:
                text = join.join([rng.choice(chat), rng.choice(sentences)])
            elif roll < 0.95:
                text = join.join(rng.sample(sentences, rng.randint(1, 2)))
            else:
                text = "\n\n".join(join.join(rng.sample(sentences, rng.randint(2, 3)))
                                   for _ in range(rng.randint(1, 3)))
            bodies.append(copy_text(text))
        pools[f"body_{lang}"] = bodies
        pools[f"subject_{lang}"] = [copy_text(s) for s in subjects]
    return pools


def japanese(pk: int) -> bool:
    # The diaries' rule: the same members write Japanese here.
    return (pk * 2654435761) % 100 < 80


def members_of(cursor):
    cursor.execute("SELECT id, extract(epoch FROM date_joined)::bigint, is_active "
                   "FROM accounts_user ORDER BY id")
    rows = cursor.fetchall()
    cursor.execute("SELECT user_id, array_agg(friend_id) FROM accounts_friendship GROUP BY user_id")
    friends = dict(cursor.fetchall())
    cursor.execute("SELECT blocker_id, blocked_id FROM accounts_block")
    blocks = {(min(a, b), max(a, b)) for a, b in cursor.fetchall()}
    return rows, friends, blocks


def plan(rng: random.Random, rows, friends, blocks, start: int, end: int, conversations: int):
    """Who is in each conversation (the starter first) and when it starts, in no order yet;
    returns flat member lists with offsets, start times, and the busy members."""
    ids = [pk for pk, _, _ in rows]
    joined = {pk: j for pk, j, _ in rows}
    weights = [0.0 if rng.random() < 0.2 else
               min(rng.paretovariate(1.3), 100.0) * (1 + math.log1p(len(friends.get(pk, ()))) / 3)
               for pk in ids]
    cum = list(accumulate(weights))
    rand, randrange = rng.random, rng.randrange

    def anyone() -> int:
        return ids[bisect(cum, rand() * cum[-1])]

    by_degree = sorted((pk for pk, _, active in rows if active),
                       key=lambda pk: -len(friends.get(pk, ())))
    busy = rng.sample(by_degree[: len(ids) // 50], BUSY)
    low, high = BUSY_INBOX
    anchors = [pk for pk in busy for _ in range(int(low * (high / low) ** rand()))]
    # (Half the conversations at most: a smaller seed keeps the others.)
    anchors = anchors[: conversations // 2]
    anchors += [anyone() for _ in range(conversations - len(anchors))]
    rng.shuffle(anchors)
    busy_set = set(busy)
    sizes, size_weights = list(GROUP_SIZES), list(GROUP_SIZES.values())

    def fits(pk: int, chosen: list[int]) -> bool:
        return pk not in chosen and all((min(pk, c), max(pk, c)) not in blocks for c in chosen)

    members, offsets, starts = array("i"), array("q", [0]), array("q")
    progress = Progress("plan", conversations)
    for anchor in anchors:
        fs = friends.get(anchor, ())
        friend_share = 0.5 if anchor in busy_set else FRIEND_SHARE
        chosen = [anchor]
        if rand() < GROUP_SHARE:
            size = rng.choices(sizes, size_weights)[0]
            pool = rng.sample(fs, min(len(fs), 3 * size)) if len(fs) >= size else []
            for pk in pool:
                if len(chosen) < size and fits(pk, chosen):
                    chosen.append(pk)
            tries = 0
            while len(chosen) < 2 or (len(chosen) < size and tries < 30):
                tries += 1
                pk = anyone()
                if fits(pk, chosen):
                    chosen.append(pk)
        else:
            while len(chosen) < 2:
                pk = fs[randrange(len(fs))] if fs and rand() < friend_share else anyone()
                if fits(pk, chosen):
                    chosen.append(pk)
            if rand() < 0.5:
                chosen.reverse()  # the other one wrote first
        # Growth: the density of start times rises linearly to 2.5 times the first day's.
        day = int(DAYS * (math.sqrt(1 + 5.25 * rand()) - 1) / 1.5)
        hour = bisect(HOUR_CUM, rand() * HOUR_CUM[-1])
        t = start + day * DAY + hour * 3600 + randrange(3600)
        t = min(max(t, max(joined[pk] for pk in chosen) + randrange(600, 7 * DAY)), end - 600)
        members.extend(chosen)
        offsets.append(len(members))
        starts.append(t)
        progress.update(1)
    progress.close()
    return members, offsets, starts, busy


def _gap(rand, expo) -> int:
    """Seconds until the next message: minutes mostly, hours often, days now and then."""
    roll = rand()
    mean = 300 if roll < 0.6 else 3 * 3600 if roll < 0.92 else 3 * DAY
    return 1 + int(expo(1 / mean))


def write_plan(rng: random.Random, members, offsets, starts, end: int, messages: int):
    """Each conversation's messages, seats and marks, in the order of their start (their ids):
    conversation arrays, participant arrays, and every message as one sortable int."""
    n = len(starts)
    assert n < 1 << CONV_BITS
    order = sorted(range(n), key=starts.__getitem__)
    rand, randrange, expo = rng.random, rng.randrange, rng.expovariate
    # The long ones among those started in the first 40% of the three years (over months).
    start0 = min(starts)
    early = [i for i in range(n) if starts[i] < start0 + (end - start0) * 0.4]
    long_ones = set(rng.sample(early, LONG))
    low, high = LONG_MESSAGES
    counts = array("i", (max(1, min(low - 1, round(rng.lognormvariate(1.0, 1.0))))
                         for _ in range(n)))
    for i in long_ones:
        counts[i] = int(low * (high / low) ** rand())
    short = [i for i in range(n) if i not in long_ones]
    diff = messages - sum(counts)
    if messages < len(short) + sum(counts[i] for i in long_ones):
        raise SystemExit(f"{messages:,} messages are too few for {n:,} conversations")
    while diff:  # the log-normal's sum lands near the total: nudge it there
        i = short[randrange(len(short))]
        step = 1 if diff > 0 else -1
        if counts[i] + step >= 1:
            counts[i] += step
            diff -= step
    conv = {"starter": array("i"), "start": array("q"), "last": array("q")}
    seat = {"member": array("i"), "offset": array("q", [0]), "last": array("q"),
            "read": array("q"), "archived": array("q"), "left": array("q")}
    keys = array("q")
    progress = Progress("threads", messages)
    for cid, i in enumerate(order, start=1):
        people = members[offsets[i]:offsets[i + 1]]
        size, count, t = len(people), counts[i], starts[i]
        gaps = [_gap(rand, expo) for _ in range(count - 1)]
        span = sum(gaps)
        # One that would run past now ends somewhere before it (not all at one instant).
        scale = 1.0 if span <= end - 60 - t else (end - 60 - t) * rand() / span
        times = [t, *(t + int(g * scale) for g in accumulate(gaps))]
        # Invited members who leave a group, and before which message.
        leaves = {p: randrange(1, count) for p in range(1, size)
                  if size > 2 and count > 1 and rand() < 0.05}
        here = list(range(size))
        spoke = [-1] * size
        speaker = 0
        for k, at in enumerate(times):
            if k:
                if leaves:
                    here = [p for p in range(size) if leaves.get(p, count) > k]
                if len(here) == 2:  # two take turns, mostly
                    if rand() < 0.65:
                        speaker = here[0] if speaker == here[1] else here[1]
                elif rand() < 0.6:
                    speaker = here[randrange(len(here))]
                if speaker not in here:
                    speaker = here[0]
            spoke[speaker] = at
            keys.append((((at - start0) << CONV_BITS | cid) << SEAT_BITS) | speaker)
        last = times[-1]
        recent = last > end - 14 * DAY
        conv["starter"].append(people[0])
        conv["start"].append(t)
        conv["last"].append(last)
        for p in range(size):
            seat["member"].append(people[p])
            if p in leaves:  # their marks stop at the message before they left
                before, after = times[leaves[p] - 1], times[leaves[p]]
                seat["last"].append(before)
                seat["read"].append(before)
                seat["left"].append(before + (after - before) // 2)
                seat["archived"].append(-1)
                continue
            seat["last"].append(last)
            seat["left"].append(-1)
            unread = spoke[p] != last and rand() < (0.35 if recent else 0.03)
            seat["read"].append(spoke[p] if unread else last)
            archived = not unread and rand() < 0.04
            seat["archived"].append(min(end - 1, last + randrange(3600, 7 * DAY))
                                    if archived else -1)
        seat["offset"].append(len(seat["member"]))
        progress.update(count)
    progress.close()
    print("  sorting messages by time …", file=sys.stderr)
    keys = array("q", sorted(keys))
    return conv, seat, keys, start0, sorted(counts)
