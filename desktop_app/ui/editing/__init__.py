"""Editing events: the form, the undoable changes and the Edit menu."""
