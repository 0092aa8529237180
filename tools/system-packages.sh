#!/usr/bin/env bash
# Installs the Debian packages Doorstep's app and tests need, when any is missing.
# Qt (offscreen and on a desktop) and QtWebEngine libraries, a CJK TrueType font for PDFs,
# poppler (PDF → PNG in tests), PostgreSQL server binaries (head-office tests).
# Uses apt-get as root, or sudo; otherwise prints what to install and fails.
set -euo pipefail

wanted=(
  libegl1 libgl1 libopengl0 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3
  libxkbcommon0 libxkbcommon-x11-0 libnss3 libnspr4 libxcomposite1 libxdamage1 libxrandr2 libxtst6
  libxkbfile1 libxshmfence1 libgbm1 libx11-xcb1 libxi6 libsm6 libice6 libxcb-cursor0 libxcb-icccm4
  libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  fonts-wqy-microhei poppler-utils postgresql
)
# Renamed in Debian 13 (t64 transition): first name that exists wins.
alternatives=("libasound2t64|libasound2")

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
for alt in "${alternatives[@]}"; do
  IFS='|' read -r -a names <<<"$alt"
  have=""
  for n in "${names[@]}"; do
    dpkg-query -W -f='${Status}' "$n" 2>/dev/null | grep -q "install ok installed" && have=1
  done
  [ -n "$have" ] || missing+=("$alt")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "Doorstep needs these Debian packages: ${missing[*]}" >&2
  echo "Install them as root: apt-get install ${missing[*]//|/ or }" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
resolved=()
for pkg in "${missing[@]}"; do
  if [[ "$pkg" == *"|"* ]]; then
    IFS='|' read -r -a names <<<"$pkg"
    for n in "${names[@]}"; do
      if apt-cache show "$n" >/dev/null 2>&1; then resolved+=("$n"); break; fi
    done
  else
    resolved+=("$pkg")
  fi
done
$SUDO apt-get install -y -qq --no-install-recommends "${resolved[@]}"
