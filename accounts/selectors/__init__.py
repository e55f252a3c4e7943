"""The accounts app's reads that are more than a QuerySet method, by sub-domain: the friend
graph (``graph``), what a profile shows of it (``connections``), the circle picture
(``circle``), blocks, footprints and known devices. Import the module you read from:
``from accounts.selectors import graph``."""
