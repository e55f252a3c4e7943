"""The site policy, a cross-app feature: the operator saves it (admin), members read and
accept its rules (views), moderators approve new members, the invitations are refilled
(services, tasks). Every page's reads of it are the kernel's ``sns.site_policy``."""
