"""The event table: its model over the store (the dock itself is in ui/panels/table.py)."""
