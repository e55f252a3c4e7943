"""Leaving the site (退会): a member downloads their data (``export``) and deletes their
account (``services.member_leave``). What they wrote on others' pages stays, shown as by
"deleted member": the author column is NULL, and every reader shows ``sns.people.DELETED_MEMBER``.
"""
