"""People you may know (知り合いかも): the friends of a member's friends and the members they
met at an off-kai, ranked ahead (``services.suggestions_refresh``, stored as
``accounts.Suggestion``) and read back (``selectors.people_you_may_know``). A feature of its own
because it reads two apps: the friend graph (accounts) and who came to an off-kai (offkai)."""
