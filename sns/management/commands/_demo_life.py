"""What the demo's members did over the last weeks: diary entries with photos and comments,
communities of every join policy with topics and replies, off-kai with answers, visits,
introductions, and what that told the demo member hanako.

Everything is written through the apps' services, so counts, notifications and search are
as a member's own actions would leave them. The services stamp each row with the present
moment; afterwards ``_Clock.stamp`` moves a row (and the notifications about it) back to the
day the story puts it on, so that home and the lists have a history. Rows are written in
story order, so ids still follow time as they do on a real site.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Max
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import Footprint, FriendRequest, Introduction, User
from accounts.services import footprint_record
from communities import services as communities_services
from communities.models import (
    Category,
    Community,
    JoinPolicy,
    JoinRequest,
    Topic,
    TopicComment,
    TopicPolicy,
)
from diary import services as diary_services
from invites.models import Invitation
from offkai import services as offkai_services
from offkai.models import Answer, Event
from sns.models import LimitedAction, Notification
from sns.visibility import Level

from . import _demo_albums, _demo_messages
from ._demo_pictures import picture

# Marks the life as loaded (a database seeded before there was any keeps its members and
# gets the rest on the next run).
MARKER_COMMUNITY = "Weekend Hikers 週末ハイキング部"
# Notifications older than this count as read: the demo member has been here a while.
READ_BEFORE_DAYS = 10

H, T, E, K, Y, D, A, HI, S, M, KA, L = range(12)  # indexes into seed_demo.MEMBERS

# author, days ago, level, title, body, photos (scene, caption), comments (who, days ago, text)
ENTRIES = [
    (T, 28, Level.FRIENDS, "ゴルフコンペの結果報告",
     "商店会のゴルフコンペ、今年は 12 人が参加しました。優勝は佐藤さん！ 私はブービー賞でした。",
     [], [(H, 27.5, "ブービー賞おめでとうございます（？）。来年は私も出ます！")]),
    (H, 24, Level.MEMBERS, "工場の新しいラインが動き始めました",
     "半年かけて準備してきた新しい加工ラインが、今日から本格稼働です。\n\n"
     "社員のみんな、本当にお疲れさまでした。見学希望の方はお気軽にどうぞ。",
     [("city", "New line, Yamada Works")],
     [(T, 23.8, "おめでとうございます！ぜひ見学させてください。"),
      (Y, 23.2, "節目ですね。設備投資の税制の件、またご相談ください。")]),
    (D, 20, Level.FRIENDS, "Jazz night in Shinjuku",
     "Found a tiny jazz bar near Shinjuku-sanchome: eight seats, a piano, and a very good "
     "Yamazaki highball. Who's in for next Friday?", [], []),
    (A, 19, Level.MEMBERS, "カフェ巡り：谷中編",
     "谷中の古民家カフェを三軒まわりました。どこも猫がいて、のんびりした午後に。",
     [("autumn", "Yanaka, a slow afternoon")],
     [(H, 18.5, "谷中いいですね。おすすめのお店、今度教えてください。"),
      (E, 18, "The second one looks lovely. Adding it to my list!")]),
    (K, 16, Level.FRIENDS, "渓流でイワナが釣れました",
     "奥多摩の渓流へ。朝五時から粘って、ようやく一匹。焚き火で塩焼きにしました。",
     [("sea", "Okutama, 5 a.m.")],
     [(HI, 15.5, "見事なイワナですね！今度連れて行ってください。"),
      (Y, 15, "早起きの甲斐がありましたね。")]),
    (M, 13, Level.FRIENDS, "ピアノの発表会",
     "大人になってから始めたピアノ、初めての発表会でした。手が震えましたが、弾ききりました。",
     [], [(Y, 12.5, "素敵！動画はないんですか？")]),
    (E, 12, Level.FRIENDS, "New signs for the shops on Kanda street",
     "We finished the new signs for six shops on Kanda street this week: one typeface, "
     "hand-painted, in Japanese and English. Come and have a look when you pass by.",
     [("city", "Kanda street, new signs")],
     [(H, 11, "町の雰囲気がぐっと明るくなりました。素晴らしい仕事です！"),
      (D, 10, "The sake shop sign is my favourite. Great work, Emily.")]),
    (H, 9, Level.PRIVATE, "来月やることメモ",
     "- 新年交流会の会場を予約\n- 勉強会のテーマを決める\n- 高尾山の写真を整理する", [], []),
    (Y, 8, Level.MEMBERS, "初釜の準備",
     "来月の初釜に向けて、道具の手入れを始めました。今年はお菓子を手作りしてみる予定です。",
     [], [(M, 7.5, "手作りのお菓子、楽しみにしています。")]),
    (HI, 7, Level.MEMBERS, "今年の将棋大会",
     "社内将棋大会、今年は決勝で若手に負けました。来年こそ。", [], []),
    (T, 6, Level.FRIENDS_OF_FRIENDS, "商店街の秋祭り、無事終了",
     "二日間で一万人以上の人出でした。提灯の飾り付けを手伝ってくださった皆さん、"
     "ありがとうございました！",
     [("lanterns", "Autumn festival, day two")],
     [(H, 5.5, "提灯、とてもきれいでした。準備お疲れさまでした！"),
      (K, 1.5, "片付けまで皆さんお疲れさまでした。来年も手伝います。")]),
    (KA, 5, Level.FRIENDS_OF_FRIENDS, "ボードゲーム会を開きました",
     "事務所の会議室でボードゲーム会。初参加の方も多く、夜遅くまで盛り上がりました。",
     [], [(HI, 4.5, "楽しかったです！次回は将棋も置いてください。")]),
    (D, 4, Level.MEMBERS, "A weekend of sake tasting in Fushimi",
     "Two days in Fushimi with the sake club: eleven breweries, one very patient guide, and "
     "far too many bottles in my suitcase. The junmai from the third brewery was the star.",
     [("table", "Fushimi, brewery no. 3"), ("lanterns", "Fushimi at night")],
     [(S, 3.5, "The pairing dinner on Saturday was wonderful. Thanks for organising!"),
      (H, 3, "伏見、うらやましい！今度の酒蔵見学でもその純米の話を聞かせてください。"),
      (E, 0.5, "Now I know what to bring to the next party.")]),
    (H, 3, Level.FRIENDS, "高尾山で紅葉狩り",
     "朝早く出て、稲荷山コースから山頂へ。紅葉がちょうど見ごろでした。\n\n"
     "下山後のとろろそばがまた最高。次は一号路から登ってみたいです。",
     [("mountains", "Mt. Takao, 8 a.m."), ("autumn", "Momiji at the top")],
     [(E, 2.5, "Beautiful colours! I'd love to join next time."),
      (T, 2, "いい天気でしたね。とろろそば、私も食べたくなりました。"),
      (D, 1, "Great photos, Hanako. Count me in for the next hike.")]),
    (S, 2, Level.FRIENDS_OF_FRIENDS, "Autumn market menu",
     "The autumn menu is up: chestnut soup, grilled sanma with sudachi, and a persimmon tart. "
     "Everything comes from the Saturday farmers' market.",
     [("table", "Autumn menu, Atelier Martin")],
     [(D, 1, "The persimmon tart is a must. Booking a table for Friday.")]),
    (L, 1, Level.MEMBERS, "First light on Mt. Takao",
     "Caught the first train to Takao and made it to the top before sunrise. Worth every "
     "yawn.", [("mountains", "Sunrise, Mt. Takao")], []),
    (E, 0.2, Level.FRIENDS, "Cycling to Kamakura",
     "Rode from Tokyo to Kamakura along the coast today: 60 km, one puncture, one perfect "
     "sunset.", [("sea", "Kamakura, sunset")], []),
]

# creator, name, description, join policy, topic policy, category (en, ja), members, days ago
COMMUNITIES = [
    (L, MARKER_COMMUNITY,
     "Easy day hikes around Tokyo, in English and Japanese. 東京近郊の日帰りハイキング。",
     JoinPolicy.OPEN, TopicPolicy.MEMBERS, ("Outdoors", "アウトドア"), [H, E, K, S], 26),
    (H, "経営者の朝活勉強会",
     "月に一度、朝七時から経営の本を一冊ずつ読む会です。参加は承認制です。",
     JoinPolicy.APPROVAL, TopicPolicy.MEMBERS, ("Business", "ビジネス"), [T, Y], 22),
    (E, "Design Circle",
     "A small circle for designers and clients: show work in progress, ask for honest "
     "feedback. Members invite members.",
     JoinPolicy.SECRET, TopicPolicy.MEMBERS, ("Art & design", "アート・デザイン"), [H, A, S], 18),
]
# community (index into COMMUNITIES, or "sake"), author, days ago, title, body, replies
TOPICS = [
    ("sake", H, 6, "この冬のおすすめの一本",
     "寒くなってきたので、燗で飲みたいお酒を教えてください。私は生酛の純米が好きです。",
     [(T, 5, "新潟の本醸造を熱燗で。安くてうまいです。"),
      (D, 3.5, "Fushimi's junmai, warm: I brought back three bottles to share."),
      (S, 1.2, "A yamahai with cheese. Trust me on this one.")]),
    (0, L, 9, "Next hike: Jinba-san to Takao-san?",
     "The ridge walk from Jinba to Takao is about 18 km. Who's up for it in two weeks?",
     [(E, 4, "In! I'll bring snacks."),
      (K, 2.5, "行きます。陣馬山の茶屋のなめこ汁がおすすめです。"),
      (S, 0.8, "Count me in if we end at a good soba place.")]),
    (1, H, 8, "次回の課題図書",
     "次回は『ビジョナリー・カンパニー』を読みます。第 3 章まで読んできてください。",
     [(T, 6, "了解です。第 2 章が特に面白かったです。"),
      (Y, 2, "会場は今回も山田製作所の会議室でよいでしょうか？")]),
    (2, E, 7, "Feedback wanted: a logo for a sake brewery",
     "Three sketches for a small brewery in Nagano. Which one speaks to you, and why?",
     [(A, 5, "2 番目が好きです。筆の勢いが酒蔵らしいと思います。"),
      (H, 3, "私も 2 番目に一票。ラベルに小さく入れても読めそうです。"),
      (S, 1.5, "Number two. Number three would make a lovely apron, though.")]),
]
# visitor, owner, days ago
FOOTPRINTS = [(T, H, 0.1), (L, H, 0.3), (K, H, 1.2), (A, H, 2), (E, H, 3.5), (HI, H, 5),
              (S, H, 8), (H, T, 1), (H, D, 2), (E, D, 0.5)]
# author, subject, days ago, text (added to seed_demo.INTRODUCTIONS, written then)
INTRODUCTIONS = [
    (D, H, 14, "Hanako knows every good sake bar between Kanda and Ueno, and she will "
     "introduce you to the owner of each."),
    (S, D, 11, "David brought half of our regulars to the restaurant. He never stops "
     "connecting people."),
]


def load(members: list[User], *, since: datetime) -> None:
    """The last weeks of ``members`` (seed_demo.MEMBERS, in order). What seed_demo wrote
    with the members from ``since`` on is dated here with the rest."""
    clock = _Clock()
    m = members
    for days, introduction in enumerate(
        Introduction.objects.filter(subject__in=m, created_at__gte=since).order_by("pk")
    ):
        clock.stamp(introduction, 30 - 9 * days, "created_at", "updated_at")
    for author, subject, days, text in INTRODUCTIONS:
        clock.stamp(accounts_services.introduction_write(
            author=m[author], subject=m[subject], body=text), days, "created_at", "updated_at")
    # seed_demo's off-kai were planned a while ago too.
    for event in Event.objects.filter(created_at__gte=since):
        clock.stamp(event, 10, "created_at")
    _entries(clock, m)
    _communities(clock, m)
    _offkai(clock, m)
    _demo_messages.load(clock, m)
    _demo_albums.load(clock, m, MARKER_COMMUNITY)
    for visitor, owner, days in FOOTPRINTS:
        footprint_record(visitor=m[visitor], owner=m[owner])
        at = clock.ago(days)
        Footprint.objects.filter(visitor=m[visitor], owner=m[owner]).update(
            visited_at=at, day=timezone.localdate(at)
        )
    _settle(clock, m)


class _Clock:
    """The story's present: the moment the seed started writing it."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def stamp(self, row: models.Model, days: float, *fields: str) -> None:
        """Move ``row``'s ``fields`` and the notifications about it back ``days`` days, and
        up to ten hours more, so that not everything happened at the same time of day. (The
        story keeps what follows something at least half a day after it.)"""
        at = self.ago(days + (row.pk * 7919 % 40) / 100)
        type(row).objects.filter(pk=row.pk).update(**dict.fromkeys(fields, at))
        Notification.objects.filter(
            target_type=ContentType.objects.get_for_model(row), target_id=row.pk
        ).update(created_at=at)


def _entries(clock: _Clock, m: list[User]) -> None:
    for seed, (author, days, level, title, body, photos, comments) in enumerate(ENTRIES):
        entry = diary_services.entry_create(
            author=m[author], title=title, body=body, visibility=level,
            photos=[picture(scene, caption, seed=seed * 10 + n)
                    for n, (scene, caption) in enumerate(photos)],
        )
        clock.stamp(entry, days, "created_at")
        for who, when, text in comments:
            comment = diary_services.comment_create(entry_id=entry.pk, author=m[who], body=text)
            clock.stamp(comment, when, "created_at")


def _category(en: str, ja: str) -> Category:
    category, _created = Category.objects.get_or_create(name_en=en, defaults={"name_ja": ja})
    return category


def _communities(clock: _Clock, m: list[User]) -> None:
    made = []
    for creator, name, description, join_policy, topic_policy, (en, ja), joining, days in (
        COMMUNITIES
    ):
        community = communities_services.community_create(
            creator=m[creator], name=name, description=description, category=_category(en, ja),
            join_policy=join_policy, topic_policy=topic_policy,
        )
        clock.stamp(community, days, "created_at")
        for member in joining:
            if join_policy == JoinPolicy.SECRET:
                communities_services.community_invite(community=community, inviter=m[creator],
                                                      invitee=m[member])
            joined = communities_services.membership_join(
                community=community, user=m[member], message="よろしくお願いします。"
            )
            if isinstance(joined, JoinRequest):
                communities_services.join_request_decide(
                    request_id=joined.pk, by=m[creator], approve=True
                )
        made.append(community)
    # One request still waiting for the demo member, the study group's admin, to decide.
    waiting = communities_services.membership_join(
        community=made[1], user=m[KA], message="エンジニアの立場から参加させてください。"
    )
    clock.stamp(waiting, 0.4, "created_at")

    sake = Community.objects.get(name="日本酒を楽しむ会")
    for where, author, days, title, body, replies in TOPICS:
        community = sake if where == "sake" else made[where]
        topic = communities_services.topic_create(
            community=community, author=m[author], title=title, body=body
        )
        clock.stamp(topic, days, "created_at", "last_activity_at")
        for who, when, text in replies:
            reply = communities_services.topic_comment_create(
                topic_id=topic.pk, author=m[who], body=text
            )
            clock.stamp(reply, when, "created_at")
        Topic.objects.filter(pk=topic.pk).update(
            last_activity_at=TopicComment.objects.filter(topic=topic).aggregate(
                last=Max("created_at"))["last"]
        )


def _offkai(clock: _Clock, m: list[User]) -> None:
    """Two more upcoming off-kai (seed_demo made the sake club's, the full golf one and the
    past New Year party), with answers and comments; answers to the sake club's."""
    hikers = Community.objects.get(name=MARKER_COMMUNITY)
    brewery = Event.objects.filter(title="酒蔵見学と利き酒の会").first()
    if brewery is not None:
        for who, answer in [(T, Answer.ATTENDING), (D, Answer.ATTENDING),
                            (S, Answer.MAYBE)]:
            offkai_services.rsvp_answer(event_id=brewery.pk, user=m[who], answer=answer)

    def local(days: int, hour: int) -> datetime:
        day = timezone.localdate() + timedelta(days=days)
        return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=hour)))

    hike = offkai_services.event_create(
        creator=m[L], title="Jinba-san to Takao-san ridge walk",
        description="18 km along the ridge, about 6 hours with breaks. Bring lunch and water; "
        "we finish with soba at the foot of Takao.",
        starts_at=local(9, 8), ends_at=local(9, 16), venue="JR Takao station, north exit",
        address="東京都八王子市高尾町", capacity=12, fee="", rsvp_deadline=None,
        guest_limit=1, community=hikers, visibility="community",
    )
    clock.stamp(hike, 6, "created_at")
    for who, answer in [(E, Answer.ATTENDING), (K, Answer.ATTENDING), (H, Answer.MAYBE),
                        (S, Answer.ATTENDING)]:
        offkai_services.rsvp_answer(event_id=hike.pk, user=m[who], answer=answer)
    for who, days, text in [(K, 2, "雨天の場合はどうしますか？"),
                            (L, 1.5, "If it rains we go to the Takao 599 museum instead.")]:
        comment = offkai_services.event_comment_create(event_id=hike.pk, author=m[who],
                                                       body=text)
        clock.stamp(comment, days, "created_at")

    dinner = offkai_services.event_create(
        creator=m[S], title="Wine & cheese evening",
        description="Six natural wines from small producers, and the cheeses to go with them. "
        "Japanese and English spoken.",
        starts_at=local(3, 19), ends_at=local(3, 22), venue="Atelier Martin",
        address="東京都台東区谷中 3-2-1", capacity=16, fee="6,000円", rsvp_deadline=None,
        guest_limit=1, community=None, visibility="members",
    )
    clock.stamp(dinner, 4, "created_at")
    for who, answer in [(D, Answer.ATTENDING), (H, Answer.ATTENDING), (E, Answer.MAYBE),
                        (L, Answer.DECLINED)]:
        offkai_services.rsvp_answer(event_id=dinner.pk, user=m[who], answer=answer)
    comment = offkai_services.event_comment_create(
        event_id=dinner.pk, author=m[D], body="Can't wait. I'll bring a bottle from Fushimi."
    )
    clock.stamp(comment, 1, "created_at")


def _settle(clock: _Clock, m: list[User]) -> None:
    """What the story leaves around the content: the members joined a month or more ago;
    Hiroshi's friend request is from last night; old news is read; nothing is mailed."""
    for invitation in Invitation.objects.filter(accepted_user__in=m).order_by("pk"):
        days = 45 - invitation.pk % 10
        clock.stamp(invitation.accepted_user, days, "date_joined")
        Invitation.objects.filter(pk=invitation.pk).update(
            created_at=clock.ago(days + 1), accepted_at=clock.ago(days),
            expires_at=clock.ago(days + 1) + timedelta(days=14),
        )
    User.objects.filter(pk__in=[m[H].pk], date_joined__gte=clock.ago(1)).update(
        date_joined=clock.ago(50)
    )
    for request in FriendRequest.objects.filter(to_user=m[H]):
        clock.stamp(request, 0.6, "created_at")
        Notification.objects.filter(
            recipient=m[H], actor_id=request.from_user_id,
            kind=Notification.Kind.FRIEND_REQUEST_RECEIVED,
        ).update(created_at=clock.ago(0.6))
    theirs = Notification.objects.filter(recipient__in=m)
    theirs.filter(created_at__lt=clock.ago(READ_BEFORE_DAYS)).update(read_at=clock.now)
    # The demo's addresses are example.com: the batched notification mail leaves them be.
    theirs.update(mailed_at=clock.now)
    # The seed's own writes do not use up the demo members' allowances for the day.
    LimitedAction.objects.filter(user__in=m).delete()
