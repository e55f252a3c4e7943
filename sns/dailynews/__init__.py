"""The daily news (デイリーニュース): one mail a day, at the hour the operator sets (admin ›
Site policy › daily news hour, site time), to the members who chose it on their settings
page, in each one's language: what is new for them since their last news (at most a day):
friends' new diary entries, new topics in their communities, off-kai of the week, friends'
birthdays of the week, and counts of new comments, likes and footprints.

``selectors`` (what one member's news holds), ``services`` (claim a batch, send one member's
news), ``tasks`` (the batches), ``views`` and ``urls`` (the unsubscribe page, no login), the
cron entry point ``manage.py send_daily_news`` (hourly).
"""
