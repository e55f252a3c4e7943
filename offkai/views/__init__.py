"""Off-kai views, one module per part: lists, events (and answers, comments), calendar,
attendance."""
