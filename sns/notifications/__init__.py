"""Notifications and announcements, a cross-app feature: what a member was told (recorded
by every app through the kernel's ``sns.notify``), its pages, its batched mail, the
announcements staff send, and the per-kind preferences."""
