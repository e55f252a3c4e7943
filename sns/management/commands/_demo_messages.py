"""The demo's messages (seed_demo, through _demo_life): a few conversations of Hanako, the
demo member, over the last days: one with a friend, a group planning an off-kai, and one
from Emily she has not read yet. Written through conversations.services, then dated."""

from __future__ import annotations

from django.db.models import Max

from accounts.models import User
from conversations import services as conversation_services
from conversations.models import Conversation, Participant
from sns.models import Notification

# indexes into seed_demo.MEMBERS (as _demo_life's H, T, E, K, Y, D)
H, T, E, K, Y, D = 0, 1, 2, 3, 4, 5

# starter, others, subject, [(writer, days ago, text)], whether Hanako has read it all
CONVERSATIONS = [
    (T, [H], "勉強会の会場について", [
        (T, 6.2, "花子さん、来月の読書会の会場ですが、"
                 "今回も山田製作所の会議室をお借りできますか？"),
        (H, 6.0, "もちろんです。第 2 会議室を押さえておきますね。プロジェクターもあります。"),
        (T, 5.8, "助かります！資料は当日 **紙で 10 部** 持っていきます。"),
    ], True),
    (H, [T, K, Y], "秋の懇親会の幹事打ち合わせ", [
        (H, 3.5, "秋の懇親会、今年はこの 4 人で幹事をお願いできればと思います。"
                 "日程の候補は 10 月 18 日か 25 日です。"),
        (K, 3.2, "25 日が助かります。会場は高尾の古民家はどうでしょう？"),
        (Y, 2.9, "25 日で大丈夫です。会費の集計は私が担当しますね。"),
        (T, 2.5, "賛成です。オフ会のページは私が作ります。"),
        (H, 2.2, "ありがとうございます！では 25 日、高尾で進めましょう。"),
    ], True),
    (D, [H], "Sake tasting next month", [
        (D, 4.0, "Hanako, a brewery from Niigata is coming to Tokyo next month. Would your "
                 "members like a private tasting?"),
        (H, 3.8, "それは素敵ですね！コミュニティで声をかけてみます。"),
    ], True),
    (E, [H], "Logo sketches for the brewery", [
        (E, 1.5, "Here are the three sketches we talked about. I lean towards the second."),
        (H, 1.2, "2 番目、いいですね。筆の勢いが好きです。"),
        (E, 0.2, "Great! I'll refine it this week. Could you ask the brewer about the colours?"),
    ], False),
]


def load(clock, m: list[User]) -> None:
    """Write the conversations, then date every message, mark and notification."""
    for starter, others, subject, lines, all_read in CONVERSATIONS:
        (writer, _days, first), *rest = lines
        conversation = conversation_services.conversation_start(
            sender=m[starter], recipient_ids=[m[o].pk for o in others], subject=subject,
            body=first,
        )
        for writer, _days, text in rest:
            conversation_services.message_send(conversation_id=conversation.pk,
                                               sender=m[writer], body=text)
        _dated(clock, conversation, [days for _w, days, _t in lines], m[H], all_read)


def _dated(clock, conversation: Conversation, days: list[float], hanako: User,
           all_read: bool) -> None:
    messages = list(conversation.messages.order_by("pk"))
    for message, ago in zip(messages, days, strict=True):
        clock.stamp(message, ago, "created_at")
    latest = conversation.messages.aggregate(at=Max("created_at"))["at"]
    first = conversation.messages.order_by("created_at").first().created_at
    Conversation.objects.filter(pk=conversation.pk).update(created_at=first,
                                                           last_message_at=latest)
    seats = Participant.objects.filter(conversation=conversation)
    seats.update(joined_at=first, last_message_at=latest, last_read_at=latest)
    if not all_read:
        # Hanako read up to her own reply; the last message waits for her.
        before_last = messages[-2]
        before_last.refresh_from_db()
        seats.filter(member=hanako).update(last_read_at=before_last.created_at)
    else:
        Notification.objects.filter(
            recipient=hanako, kind=Notification.Kind.MESSAGE,
            target_id__in=[message.pk for message in messages],
        ).update(read_at=clock.now)
