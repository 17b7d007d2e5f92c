#!/usr/bin/env sh
# Installs the launcher and icon for the current user (after `pip install`).
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
install -Dm644 "$here/event-atlas.desktop" "$data/applications/event-atlas.desktop"
install -Dm644 "$here/../../resources/icons/event-atlas.svg" \
  "$data/icons/hicolor/scalable/apps/event-atlas.svg"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$data/applications" || true
echo "installed Event Atlas launcher in $data/applications"
