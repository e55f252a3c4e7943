"""The members of the load test and what they ask for (``bench/load.py``): a logged-in
session each, their requests of every kind, and the wrk script that draws them."""

from __future__ import annotations

import random
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import fanout
from load_albums import ALBUM_ROWS, album_requests
from load_likes import LIKE_ROWS, like_requests

# Each page's share of the mixed load, in percent.
MIX = {
    "home": 15, "profile": 15, "diaries": 15, "entry": 15, "topic": 10, "event": 10,
    "search": 10, "comment": 5, "rsvp": 5,
}
WRITES = {"comment", "rsvp"}
SEARCH_WORDS = ["温泉", "読書", "ラーメン", "打ち合わせ", "カメラ", "登山", "映画", "travel"]
# The lightest page of a logged-in member, measured beside the floor (no target).
MEMBER_FLOOR = "member floor"
# Pages measured alone but left out of the mixed load (which stays the one earlier runs
# measured): the inbox of the busiest members, and a long conversation (issue 18); the pages
# that show likes and the album pages (issue 19, bench/load_likes.py, bench/load_albums.py).
ALONE = ["inbox", "conversation", *LIKE_ROWS, *ALBUM_ROWS]
# The rows of pages alone, in order (after the floor).
ROWS = [MEMBER_FLOOR, "home", "profile", "diaries", "entry", "topic", "event", "search", *ALONE,
        "comment", "rsvp"]
BUSY_INBOX = 1000  # conversations
LONG_CONVERSATION = 500  # messages


@dataclass
class Request:
    kind: str
    method: str
    path: str
    cookie: str
    body: str = ""


def pick_requests(n_members: int, rng: random.Random) -> dict[str, list[Request]]:
    """For ``n_members`` random members with 20–400 friends: a logged-in session each, and
    the requests of every kind they would make (their home, a friend's profile, an entry of
    their friends' diaries, a topic of one of their communities, an off-kai they may see)."""
    from django.db.models import Count

    from accounts.models import Friendship, User
    from communities.models import Membership, Topic
    from diary import selectors as diary_selectors
    from offkai import selectors

    candidates = list(
        Friendship.objects.values("user").annotate(n=Count("pk"))
        .filter(n__range=(20, 400), user__is_active=True, user__is_staff=False)
        .order_by("?").values_list("user", flat=True)[: n_members * 2]
    )
    requests: dict[str, list[Request]] = {kind: [] for kind in ROWS}
    chosen = 0
    for member in User.objects.filter(pk__in=candidates).select_related("profile"):
        if chosen == n_members:
            break
        entries = diary_selectors.friends_page(member, None, photos=False).items
        community_ids = list(
            Membership.objects.filter(user=member).values_list("community", flat=True)[:20]
        )
        topic = (
            Topic.objects.filter(community_id__in=community_ids, hidden_at__isnull=True)
            .order_by("-last_activity_at").values_list("pk", "community_id").first()
        )
        event = selectors.upcoming(member).values_list("pk", flat=True).first()
        if not (entries and topic and event):
            continue
        chosen += 1
        browser = fanout.browser_of(member)
        friend = rng.choice(list(
            Friendship.objects.filter(user=member, friend__is_active=True)
            .values_list("friend_id", flat=True)[:50]
        ))
        entry = rng.choice(entries).pk
        word = urllib.request.quote(rng.choice(SEARCH_WORDS))
        for kind, method, path, body in [
            (MEMBER_FLOOR, "GET", "/policy/", ""),
            ("home", "GET", "/", ""),
            ("profile", "GET", f"/members/{friend}/", ""),
            ("diaries", "GET", "/diary/", ""),
            ("entry", "GET", f"/diary/{entry}/", ""),
            ("topic", "GET", f"/communities/{topic[1]}/topics/{topic[0]}/", ""),
            ("event", "GET", f"/offkai/{event}/", ""),
            ("search", "GET", f"/search/?q={word}", ""),
            ("comment", "POST", f"/diary/{entry}/comments/",
             "body=" + urllib.request.quote("負荷試験のコメントです。")),
            ("rsvp", "POST", f"/offkai/{event}/rsvp/",
             "answer=" + rng.choice(["attending", "maybe"])),
        ]:
            requests[kind].append(Request(kind, method, path, _cookie(browser), body))
    if chosen < n_members:
        print(f"  only {chosen} members have friends' entries, a topic and an off-kai",
              file=sys.stderr)
    requests.update(message_requests(n_members))
    requests.update(like_requests(n_members, rng))
    requests.update(album_requests(n_members, rng))
    return {kind: items for kind, items in requests.items() if items}


def message_requests(n: int) -> dict[str, list[Request]]:
    """The inbox of up to ``n`` of the members with the most conversations (BUSY_INBOX or
    more: the seed's busiest), and a conversation of LONG_CONVERSATION messages or more
    opened by up to ``n`` of its members (anyone else would get a 404), each logged in."""
    from django.db.models import Count

    from accounts.models import User
    from conversations.models import Message, Participant

    seats = Participant.objects.filter(left_at__isnull=True, member__is_active=True,
                                       member__is_staff=False)
    busy = (seats.values("member").annotate(n=Count("pk")).filter(n__gte=BUSY_INBOX)
            .order_by("?").values_list("member", flat=True)[:n])
    long = (Message.objects.values("conversation").annotate(n=Count("pk"))
            .filter(n__gte=LONG_CONVERSATION).values("conversation"))
    requests = {
        "inbox": [Request("inbox", "GET", "/messages/", _cookie(fanout.browser_of(member)))
                  for member in User.objects.filter(pk__in=list(busy))],
        "conversation": [
            Request("conversation", "GET", f"/messages/{seat.conversation_id}/",
                    _cookie(fanout.browser_of(seat.member)))
            for seat in seats.filter(conversation__in=long).select_related("member")
            .order_by("?")[:n]
        ],
    }
    print(f"  the inbox of {len(requests['inbox'])} members with {BUSY_INBOX:,} conversations "
          f"or more; {len(requests['conversation'])} members each in a conversation of "
          f"{LONG_CONVERSATION} messages or more", file=sys.stderr)
    return requests


def _cookie(browser: fanout.Browser) -> str:
    """What a Request holds: the session's cookies, then its CSRF token."""
    return f"{browser.cookie}|{browser.csrf}"


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_script(requests: dict[str, list[Request]], path: Path) -> None:
    """The wrk script: every request of every member, drawn by ``MIX`` (or one kind, given
    as the script's argument); its ``done`` prints one JSON line of the figures."""
    lines = ["local kinds = {"]
    floor = [Request("floor", "GET", "/health/", "|")]
    for kind, items in [*requests.items(), ("floor", floor)]:
        # The floor is only ever asked for alone (weight 0 in the mix).
        lines.append(f"  {{name={_lua_string(kind)}, weight={MIX.get(kind, 0)}, items={{")
        for r in items:
            cookie, csrf = r.cookie.split("|")
            headers = f"Cookie={_lua_string(cookie)}" if cookie else ""
            if r.method == "POST":
                headers += (f', ["X-CSRFToken"]={_lua_string(csrf)}, '
                            '["Content-Type"]="application/x-www-form-urlencoded"')
            lines.append(f"    {{{_lua_string(r.method)}, {_lua_string(r.path)}, "
                         f"{{{headers}}}, {_lua_string(r.body) if r.body else 'nil'}}},")
        lines.append("  }},")
    lines.append("}")
    lines.append(LUA_BODY)
    path.write_text("\n".join(lines), encoding="utf-8")


LUA_BODY = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("seed", #threads)
end

local chosen = {}
local total = 0
redirects = 0  -- a global: done() reads it from each thread
function init(args)
  math.randomseed(seed * 7919 + os.time())
  for _, kind in ipairs(kinds) do
    if args[1] == nil or args[1] == kind.name then
      table.insert(chosen, kind)
      total = total + kind.weight
    end
  end
end

function request()
  local pick = math.random() * total
  local kind = chosen[#chosen]
  for _, k in ipairs(chosen) do
    pick = pick - k.weight
    if pick <= 0 then kind = k break end
  end
  local r = kind.items[math.random(#kind.items)]
  return wrk.format(r[1], r[2], r[3], r[4])
end

function response(status, headers, body)
  if status >= 300 and status < 400 then redirects = redirects + 1 end
end

function done(summary, latency, requests)
  local e = summary.errors
  local redirected = 0
  for _, thread in ipairs(threads) do redirected = redirected + thread:get("redirects") end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "redirects": %d, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"max": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    redirected, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max))
end
"""
