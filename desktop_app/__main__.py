"""``python -m desktop_app`` runs the ``event-atlas`` command."""

from desktop_app.cli import main

main()
