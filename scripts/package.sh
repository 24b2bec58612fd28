#!/bin/sh
# Packs one release binary the way the install script, the Homebrew formula
# and cargo binstall expect it, for the release workflow and for the test that
# installs a locally built one:
#
#   scripts/package.sh TARGET BINARY OUTDIR
#
# writes OUTDIR/swop-TARGET.tar.gz, holding the folder swop-TARGET/ with the
# binary, README.md, the man pages (man/) and the completion scripts
# (completions/), and OUTDIR/swop-TARGET.tar.gz.sha256, one line as sha256sum
# prints it.
set -eu

if [ "$#" -ne 3 ]; then
    echo "usage: scripts/package.sh TARGET BINARY OUTDIR" >&2
    exit 2
fi
target=$1
binary=$2
outdir=$3
repo=$(cd "$(dirname "$0")/.." && pwd)
name="swop-$target"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/man" "$stage/$name/completions" "$outdir"
cp "$binary" "$stage/$name/swop"
chmod 755 "$stage/$name/swop"
cp "$repo/README.md" "$stage/$name/"
cp "$repo"/completions/*.1 "$stage/$name/man/"
for file in swop.bash _swop swop.fish swop.elv _swop.ps1; do
    cp "$repo/completions/$file" "$stage/$name/completions/"
done

# Sorted names; with GNU tar also no owner and a fixed time, so that the same
# inputs give the same bytes (macOS's bsdtar has no such options).
(cd "$stage" && find "$name" -print | LC_ALL=C sort > list)
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
    set -- --no-recursion --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00:00Z'
else
    set -- -n
fi
(cd "$stage" && tar -cf - "$@" -T list) | gzip -n > "$outdir/$name.tar.gz"

if command -v sha256sum >/dev/null 2>&1; then
    hash=$(sha256sum "$outdir/$name.tar.gz")
else
    hash=$(shasum -a 256 "$outdir/$name.tar.gz")
fi
printf '%s  %s\n' "${hash%% *}" "$name.tar.gz" > "$outdir/$name.tar.gz.sha256"
