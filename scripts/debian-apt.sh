# Debian packages downloaded without installing them (sourced by scripts/fetch-cpython-headers and
# scripts/fetch-python-interpreters): a private apt configuration per suite under $APTDIR (lists, cache, an
# empty status file), `apt-get download`, then `dpkg -x`. apt checks the archive signature with
# /usr/share/keyrings/debian-archive-keyring.gpg. Needs APTDIR set.

# The Debian mirror apt already uses on this machine (deb822 or one-line sources), else the default.
debian_mirror() {
  local m
  m=$(grep -hoE '(URIs:|deb) +https?://[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
      | grep -oE 'https?://[^ ]*' | grep -v security | head -n1 || true)
  echo "${m:-http://deb.debian.org/debian}"
}

# Suites that carry libpython3.X-dev, newest last (the first suite that has it wins).
suites_for() {
  case "$1" in
    3.9) echo "bullseye" ;;
    3.11) echo "bookworm" ;;
    3.13) echo "sid trixie" ;;
    3.14|3.15) echo "sid" ;;
    *) echo "" ;;
  esac
}

APT_READY=""
apt_opts() {
  local suite="$1"
  echo "-o Dir::Etc::SourceList=$APTDIR/$suite/sources.list -o Dir::Etc::SourceParts=/dev/null \
-o Dir::State::Lists=$APTDIR/$suite/lists -o Dir::Cache=$APTDIR/$suite/cache -o Dir::State::status=$APTDIR/status \
-o APT::Get::List-Cleanup=0 -o Debug::NoLocking=1 -q=2"
}
apt_prepare() {
  local suite="$1"
  case " $APT_READY " in *" $suite "*) return 0 ;; esac
  mkdir -p "$APTDIR/$suite/lists/partial" "$APTDIR/$suite/cache/archives/partial"
  : > "$APTDIR/status"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) $suite main" > "$APTDIR/$suite/sources.list"
  # shellcheck disable=SC2046
  if ! apt-get $(apt_opts "$suite") update >"$APTDIR/$suite/update.log" 2>&1; then
    echo "  apt-get update for $suite failed (see $APTDIR/$suite/update.log)" >&2
    return 1
  fi
  APT_READY="$APT_READY $suite"
}
# Download one package from a suite and unpack it into a folder. Prints the .deb's name.
apt_fetch() {
  local suite="$1" pkg="$2" dest="$3"
  apt_prepare "$suite" || return 1
  local tmp; tmp=$(mktemp -d)
  # shellcheck disable=SC2046
  if ! (cd "$tmp" && apt-get $(apt_opts "$suite") download "$pkg" >/dev/null 2>"$tmp/err"); then
    rm -rf "$tmp"; return 1
  fi
  local deb; deb=$(ls "$tmp"/*.deb)
  mkdir -p "$dest"
  dpkg -x "$deb" "$dest"
  basename "$deb"
  rm -rf "$tmp"
}

