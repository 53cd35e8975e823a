#!/bin/sh
# trunk post_build hook (trunk.toml): writes sw.js, the service worker that keeps the page for
# offline use, into the build. It lists every file of the build (paths relative to the page) and
# is versioned by a hash of their contents, so each new deployment is cached afresh.
set -eu
template="$(pwd)/web/offline/service_worker.js"
cd "$TRUNK_STAGING_DIR"
if command -v sha256sum >/dev/null 2>&1; then hash="sha256sum"; else hash="shasum -a 256"; fi
files=$(find . -type f ! -name sw.js | sed 's|^\./||' | LC_ALL=C sort)
[ -n "$files" ] || { echo "write_service_worker.sh: $TRUNK_STAGING_DIR is empty" >&2; exit 1; }
version=$(echo "$files" | while IFS= read -r f; do $hash "$f"; done | $hash | cut -c1-16)
list=$(echo "$files" | sed 's|.*|"&"|' | paste -sd, -)
sed -e "s|__VERSION__|$version|" -e "s|__FILES__|[$list]|" "$template" > sw.js
echo "write_service_worker.sh: sw.js keeps $(echo "$files" | wc -l) files (version $version)"
