"""The accounts app's pages, by sub-domain: profiles and settings, friends (lists, requests,
the circle), introductions, blocks, footprints, people you may know. Leaving the site and
downloading one's data are ``sns.leaving.views``."""
