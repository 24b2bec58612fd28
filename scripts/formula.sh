#!/bin/sh
# Fills in the Homebrew formula template (scripts/swop.rb.in) for one release,
# from the checksum files that scripts/package.sh wrote:
#
#   scripts/formula.sh VERSION URL HOMEPAGE DIST > swop.rb
#
# URL is where the release's files are downloaded from, DIST the folder that
# holds swop-TARGET.tar.gz.sha256 for every target the template names. A
# target without its checksum file stops it: a formula must not name a
# tarball that was not built.
set -eu

if [ "$#" -ne 4 ]; then
    echo "usage: scripts/formula.sh VERSION URL HOMEPAGE DIST > swop.rb" >&2
    exit 2
fi
version=$1
url=${2%/}
homepage=$3
dist=$4
template="$(cd "$(dirname "$0")" && pwd)/swop.rb.in"

# sed replacement text: escape the characters sed gives a meaning there.
escape() { printf '%s\n' "$1" | sed 's/[\\&|]/\\&/g'; }

version=$(escape "$version")
url=$(escape "$url")
homepage=$(escape "$homepage")
script="s|@VERSION@|$version|g
s|@URL@|$url|g
s|@HOMEPAGE@|$homepage|g"
# Target triples are single words.
# shellcheck disable=SC2013
for target in $(sed -n 's/.*@SHA256_\([^@]*\)@.*/\1/p' "$template"); do
    sum="$dist/swop-$target.tar.gz.sha256"
    [ -f "$sum" ] || {
        echo "formula.sh: $sum is missing: was swop built for $target?" >&2
        exit 1
    }
    hash=$(sed -n '1s/[[:space:]].*//p' "$sum")
    case $hash in
    *[!0-9a-f]* | '') echo "formula.sh: $sum holds no SHA-256" >&2 && exit 1 ;;
    *) ;;
    esac
    script="$script
s|@SHA256_$target@|$hash|g"
done
sed "$script" "$template"
