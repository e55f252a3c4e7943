"""Community views, one module per part: communities (lists, a community's page, starting,
editing, closing), members (joining, leaving, inviting, join requests, roles), topics (and
their comments, "new in my communities")."""
