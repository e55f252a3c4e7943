"""Off-kai URLs: /offkai/…"""

from django.urls import path

from .views import attendance, calendar, events, lists

app_name = "offkai"

urlpatterns: list = [
    # finding events (views/lists.py)
    path("offkai/", lists.upcoming, name="list"),
    path("offkai/past/", lists.past, name="past"),
    path("offkai/month/<int:year>/<int:month>/", lists.month, name="month"),
    path("communities/<int:pk>/events/", lists.community_events, name="community"),
    # one event, its answers and comments (views/events.py)
    path("offkai/new/", events.event_new, name="new"),
    path("offkai/<int:pk>/", events.detail, name="detail"),
    path("offkai/<int:pk>/edit/", events.event_edit, name="edit"),
    path("offkai/<int:pk>/cancel/", events.event_cancel, name="cancel"),
    path("offkai/<int:pk>/rsvp/", events.rsvp, name="rsvp"),
    path("offkai/<int:pk>/answers/", events.answers, name="answers"),
    path("offkai/<int:pk>/answers.csv", events.answers_csv, name="answers_csv"),
    path("offkai/<int:pk>/comments/", events.comment_create, name="comment"),
    path("offkai/<int:pk>/comments/<int:comment_id>/delete/", events.comment_delete,
         name="comment_delete"),
    # calendars (views/calendar.py)
    path("offkai/<int:pk>.ics", calendar.event_ics, name="ics"),
    path("offkai/feed/<str:token>.ics", calendar.feed, name="feed"),
    path("offkai/calendar/", calendar.feed_settings, name="calendar"),
    # after the event (views/attendance.py)
    path("offkai/<int:pk>/attendance/", attendance.attendance, name="attendance"),
    path("offkai/<int:pk>/guests/", attendance.guest_add, name="guest_add"),
    path("offkai/<int:pk>/guests/<int:guest_id>/invite/", attendance.guest_invite,
         name="guest_invite"),
]
