"""Leaving the site (退会), a cross-app feature: a member downloads their data (``export``)
and deletes their account (``services.member_leave``), which each app's own leaving service
carries out on its rows. What they wrote on others' pages stays, shown as by "deleted
member": the author column is NULL, and every reader shows ``sns.people.DELETED_MEMBER``.
"""
