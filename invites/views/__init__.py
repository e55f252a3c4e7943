"""Invitation views: one module, ``invitations``."""
