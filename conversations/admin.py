"""Messages in the admin: nothing of a conversation. Staff read a message only when a member
reports it (the report queue shows that message and who it was written among); a moderator
hides it from there. A member's choices for messages are theirs, not the operator's."""
