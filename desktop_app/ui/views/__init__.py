"""Saved views in the window: the Views menu and dock, and recalling a view."""
