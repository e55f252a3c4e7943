"""Demo data for `make run`: a dozen members, their friendships and invitations in every
state, and the last weeks of their life on the site (_demo_life); then the logins, and what
opening the admin asks for."""

from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import User
from communities.models import Community
from invites import services as invites_services
from invites.models import Invitation
from sns import cache
from sns.models import SitePolicy

from . import _demo_life, _demo_pictures

ADMIN_EMAIL = "admin@example.com"
MEMBER_EMAIL = "hanako@example.com"
PASSWORD = "tsunagari-demo"

# email, real name, kana, nickname, company, title, language, interests, invited by (index)
MEMBERS = [
    ("hanako@example.com", "山田 花子", "やまだ はなこ", "はなちゃん", "山田製作所", "代表取締役",
     "ja", "登山, 写真, 日本酒", None),
    ("taro@example.com", "鈴木 太郎", "すずき たろう", "たろう", "鈴木商店", "専務", "ja",
     "ゴルフ, 読書", 0),
    ("emily@example.com", "Emily Carter", "", "Em", "Carter Design", "Founder", "en",
     "typography, cycling", 0),
    ("kenji@example.com", "佐藤 健二", "さとう けんじ", "ケン", "佐藤工務店", "社長", "ja",
     "釣り, キャンプ", 1),
    ("yuki@example.com", "高橋 由紀", "たかはし ゆき", "ゆき", "高橋会計事務所", "税理士", "ja",
     "茶道, ヨガ", 1),
    ("david@example.com", "David Müller", "", "Dave", "Müller Trading K.K.", "Country Manager",
     "en", "sake, running, jazz", 2),
    ("aiko@example.com", "伊藤 愛子", "いとう あいこ", "あいこ", "伊藤デザイン室", "デザイナー",
     "ja", "イラスト, カフェ巡り", 2),
    ("hiroshi@example.com", "渡辺 浩", "わたなべ ひろし", "ひろ", "渡辺物流", "営業部長", "ja",
     "野球, 将棋", 3),
    ("sophie@example.com", "Sophie Martin", "", "Sophie", "Atelier Martin", "Chef", "en",
     "cooking, wine, markets", 5),
    ("mai@example.com", "中村 舞", "なかむら まい", "まい", "中村法律事務所", "弁護士", "ja",
     "ピアノ, 旅行", 4),
    ("kaito@example.com", "小林 海斗", "こばやし かいと", "かいと", "小林ソフト", "エンジニア",
     "ja", "プログラミング, ボードゲーム", 3),
    ("lena@example.com", "Lena Kowalski", "", "Lena", "Kowalski Consulting", "Consultant",
     "en", "photography, hiking", 8),
]
EXTRA_FRIENDS = [(1, 2), (3, 4), (5, 6), (6, 9), (7, 10), (2, 8), (4, 9), (0, 5), (1, 3)]
# author, subject (indexes into MEMBERS), text
INTRODUCTIONS = [
    (1, 0, "花子さんは面倒見のいい経営者です。山の話になると止まりません。"),
    (2, 0, "Hanako introduced me to half of the people I know here. Generous and sharp."),
    (0, 1, "太郎さんとはゴルフ仲間。商店街のことなら何でも知っています。"),
]
# What the admin asks for, in the order it asks (tests/sns/test_admin_mfa.py and
# tests/e2e/test_admin_mfa_journey.py walk it): staff need a second factor, and the demo admin
# has none yet.
ADMIN_STEPS = f"""
  Opening /admin/ asks the demo admin, the first time, for five steps:
    1. Log in at /accounts/login/ with {ADMIN_EMAIL} / {PASSWORD}.
    2. Click "Admin" / 管理画面 (or open /admin/): give the password again.
    3. Set up an authenticator app (Google Authenticator, 1Password, ...): scan the
       QR code with it, then type the 6-digit code it shows.
    4. Keep the recovery codes shown next (each opens the admin once without the phone),
       then click "Open the admin" / 管理画面を開く.
    5. Enter a code from the app again: the admin opens.
  Later logins ask for the password, then a code from the app.
  Phone lost: manage.py reset_second_factor {ADMIN_EMAIL} (then set up an app again).
"""
COLORS = ["#c0392b", "#2471a3", "#229954", "#b9770e", "#7d3c98", "#17a589"]

POLICY_JA = """## このサイトについて
つながりは、地域の経営者とその仲間が集まる招待制のネットワークです。
会員の紹介がなければ参加できません。招待した人は最初の友だちになります。

- 実名で参加してください。
- 勧誘・営業目的の投稿はご遠慮ください。
- ここで知った情報を本人の同意なく外に出さないでください。
"""
POLICY_EN = """## About this site
Tsunagari is an invitation-only network for local business owners and their friends.
You can join only through a member's invitation; your inviter becomes your first friend.

- Join under your real name.
- No sales pitches or solicitation.
- Do not share what you learn here without the author's consent.
"""


class Command(BaseCommand):
    help = (
        "Load demo members, their friendships, invitations and weeks on the site once (does "
        "nothing if loaded), and print the logins and what opening the admin asks for."
    )

    def handle(self, *args, **options):
        since = timezone.now()
        loaded = []
        # In two parts, each once: a database seeded before the demo had any content has
        # the members already and gets their weeks on the site now.
        if not User.objects.filter(email=ADMIN_EMAIL).exists():
            with transaction.atomic():
                self._load()
            loaded.append("members")
        if not Community.objects.filter(name=_demo_life.MARKER_COMMUNITY).exists():
            members = {u.email: u for u in User.objects.filter(email__in=[m[0] for m in MEMBERS])}
            with transaction.atomic():
                _demo_life.load([members[m[0]] for m in MEMBERS], since=since)
            loaded.append("content")
        if loaded:
            # Ids of a database made anew may be those of parts kept from the last one.
            if cache.in_use():
                cache.forget_all()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data is already loaded.")
        self.stdout.write(
            f"\n  Admin:  {ADMIN_EMAIL} / {PASSWORD}   (/admin/)\n"
            f"  Member: {MEMBER_EMAIL} / {PASSWORD}\n"
            f"{ADMIN_STEPS}"
        )

    def _load(self):
        SitePolicy.objects.get_or_create(
            pk=1, defaults={"body_ja": POLICY_JA, "body_en": POLICY_EN}
        )
        # Everyone has the same password: it is hashed once, at the end (a hash is slow on
        # purpose, and thirteen of them took most of the seed's time). Until then: none.
        accounts_services.member_create(
            email=ADMIN_EMAIL, password=None, email_verified=True, is_staff=True,
            is_superuser=True, profile={"real_name": "運営事務局", "nickname": "運営"},
        )
        members = []
        for i, (email, name, kana, nick, company, title, lang, interests, by) in enumerate(MEMBERS):
            profile = {
                "real_name": name, "real_name_kana": kana, "nickname": nick, "company": company,
                "title": title, "interests": interests,
                "introduction": f"{company}の{title}です。よろしくお願いします。" if lang == "ja"
                else f"{title} at {company}. Happy to connect!",
            }
            if by is None:
                member = accounts_services.member_create(
                    email=email, password=None, email_verified=True, language=lang,
                    profile=profile,
                )
            else:
                invitation = invites_services.invitation_create(
                    inviter=members[by], email=email, send=False
                )
                member = invites_services.invitation_redeem(
                    token=invitation.token,
                    signup=invites_services.Signup(
                        email=email, password=None, language=lang, profile=profile
                    ),
                )
            if i % 2 == 0:
                accounts_services.profile_update(
                    user=member, fields={}, photo=_demo_pictures.portrait(COLORS[i % len(COLORS)])
                )
            members.append(member)
        for a, b in EXTRA_FRIENDS:
            accounts_services.friendship_create(a=members[a], b=members[b])
        for author, subject, body in INTRODUCTIONS:
            accounts_services.introduction_write(
                author=members[author], subject=members[subject], body=body
            )
        # A pending friend request for the demo member to answer.
        accounts_services.friend_request_send(
            sender=members[7], recipient=members[0],
            message="先日の勉強会ではありがとうございました。",
        )

        # Invitations in every state, from the demo member.
        hanako = members[0]
        invites_services.invitation_create(
            inviter=hanako, email="pending.guest@example.com", send=False,
            message="今度の交流会でお話しした件、ぜひこちらで続きを！",
        )
        expired = invites_services.invitation_create(
            inviter=hanako, email="late.guest@example.com", send=False
        )
        Invitation.objects.filter(pk=expired.pk).update(
            created_at=timezone.now() - timedelta(days=20),
            expires_at=timezone.now() - timedelta(days=6),
        )
        revoked = invites_services.invitation_create(
            inviter=members[1], email="withdrawn.guest@example.com", send=False
        )
        invites_services.invitation_revoke(invitation=revoked)
        _load_offkai(members)
        User.objects.filter(email__in=[ADMIN_EMAIL, *(m[0] for m in MEMBERS)]).update(
            password=make_password(PASSWORD)
        )


def _load_offkai(members):
    """Off-kai for the lists and the month view: a community's, one full with a waitlist
    (both through the services), and a past one whose hosts confirmed who came (rows
    made directly: the services refuse a start in the past)."""
    from communities import services as communities_services
    from communities.models import Category, JoinPolicy, TopicPolicy
    from offkai import services as offkai_services
    from offkai.models import RSVP, Answer, Event, EventHost

    def local(days: int, hour: int):
        day = timezone.localdate() + timedelta(days=days)
        return timezone.make_aware(datetime.combine(day, time(hour)))

    category, _created = Category.objects.get_or_create(
        name_en="Food & drink", defaults={"name_ja": "グルメ・お酒"}
    )
    sake = communities_services.community_create(
        creator=members[0], name="日本酒を楽しむ会", category=category,
        description="各地の酒蔵を訪ね、季節の日本酒を味わう会です。",
        join_policy=JoinPolicy.OPEN, topic_policy=TopicPolicy.MEMBERS,
    )
    for member in (members[1], members[5], members[8]):
        communities_services.membership_join(community=sake, user=member)
    offkai_services.event_create(
        creator=members[0], title="酒蔵見学と利き酒の会",
        description="蔵元の案内で酒造りを見学します。",
        starts_at=local(12, 13), ends_at=local(12, 17), venue="つながり酒造 見学室",
        address="東京都北区岩淵町1-1", capacity=None, fee="3,000円", rsvp_deadline=None,
        guest_limit=1, community=sake, visibility="community",
    )
    golf = offkai_services.event_create(
        creator=members[1], title="ゴルフ練習とランチ",
        description="初心者歓迎。練習のあと昼食を。",
        starts_at=local(5, 10), ends_at=local(5, 14), venue="神田ゴルフセンター",
        address="東京都千代田区神田須田町1-1", capacity=2, fee="2,500円", rsvp_deadline=None,
        guest_limit=0, community=None, visibility="members",
    )
    for member in (members[3], members[4], members[0]):  # the demo member is third: waitlisted
        offkai_services.rsvp_answer(event_id=golf.pk, user=member, answer=Answer.ATTENDING)
    starts = local(-14, 19)
    party = Event.objects.create(
        created_by=members[0], title="新年交流会", description="今年もよろしくお願いします。",
        starts_at=starts, ends_at=starts + timedelta(hours=3), venue="居酒屋つながり 神田店",
        address="東京都千代田区鍛冶町2-2-2", capacity=20, fee="5,000円", visibility="members",
    )
    EventHost.objects.create(event=party, user=members[0])
    for member, came in [(members[0], True), (members[1], True), (members[2], True),
                         (members[5], True), (members[7], False)]:
        RSVP.objects.create(event=party, user=member, answer=Answer.ATTENDING, attended=came)
