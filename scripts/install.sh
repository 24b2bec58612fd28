#!/bin/sh
# Installs a released swop without a Rust toolchain: downloads the tarball for
# this machine, checks it against its published SHA-256, and puts the binary in
# ~/.local/bin (or PREFIX/bin) and the man pages beside it. POSIX sh, so that
# `curl -fsSL URL/install.sh | sh` works on Linux and macOS alike.
#
#   sh install.sh [--prefix DIR] [--from URL|DIR] [--target TRIPLE]
#
#   --prefix DIR    install DIR/bin/swop and DIR/share/man/man1/swop*.1
#                   (default: ~/.local, so ~/.local/bin/swop)
#   --from URL|DIR  where the release files are: the release's download URL
#                   (the copy of this script attached to a release knows it),
#                   or a folder that holds them
#   --target TRIPLE the build to install (default: this machine's)
#
# Every release file comes with FILE.sha256; nothing is installed unless the
# tarball's hash matches it.
set -eu

# The release this copy belongs to; the release workflow fills it in.
default_from=''

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}

prefix=${HOME:?HOME is not set}/.local
from=$default_from
target=''
# The value after an option, or why it is missing.
value() { [ "$#" -ge 2 ] || die "$1 needs a value (see the top of this script)"; }
while [ "$#" -gt 0 ]; do
    case $1 in
    --prefix)
        value "$@"
        prefix=$2
        shift 2
        ;;
    --from)
        value "$@"
        from=$2
        shift 2
        ;;
    --target)
        value "$@"
        target=$2
        shift 2
        ;;
    -h | --help)
        sed -n '2,17s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *) die "unknown argument: $1 (see the top of this script)" ;;
    esac
done
[ -n "$from" ] || die "no release to install from: give --from URL or --from DIR (the copy of install.sh attached to a release knows its URL)"

if [ -z "$target" ]; then
    os=$(uname -s)
    arch=$(uname -m)
    # An x86_64 shell on an Apple silicon Mac runs under Rosetta: take the native build.
    if [ "$os" = Darwin ] && [ "$arch" = x86_64 ] &&
        [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
        arch=arm64
    fi
    case "$os/$arch" in
    Linux/x86_64 | Linux/amd64) target=x86_64-unknown-linux-musl ;;
    Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
    Darwin/x86_64) target=x86_64-apple-darwin ;;
    Darwin/arm64 | Darwin/aarch64) target=aarch64-apple-darwin ;;
    *) die "no release build for $os on $arch; build from source: cargo install --locked --path ." ;;
    esac
fi
name="swop-$target"
archive="$name.tar.gz"

work=$(mktemp -d "${TMPDIR:-/tmp}/swop-install.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# Copy or download FILE from the release into the work folder.
fetch() {
    case $from in
    http://* | https://* | file://*)
        if command -v curl >/dev/null 2>&1; then
            curl --proto '=https,file' --tlsv1.2 -fsSL -o "$work/$1" "${from%/}/$1" ||
                die "cannot download ${from%/}/$1"
        elif command -v wget >/dev/null 2>&1; then
            wget -q -O "$work/$1" "${from%/}/$1" || die "cannot download ${from%/}/$1"
        else
            die "neither curl nor wget is installed: install one, or download $1 and give --from FOLDER"
        fi
        ;;
    *)
        [ -f "$from/$1" ] || die "$from/$1 does not exist"
        cp "$from/$1" "$work/$1"
        ;;
    esac
}

fetch "$archive"
fetch "$archive.sha256"

want=$(sed -n '1s/[[:space:]].*//p' "$work/$archive.sha256")
if command -v sha256sum >/dev/null 2>&1; then
    got=$(sha256sum "$work/$archive")
elif command -v shasum >/dev/null 2>&1; then
    got=$(shasum -a 256 "$work/$archive")
else
    die "neither sha256sum nor shasum is installed: cannot check $archive"
fi
got=${got%% *}
case $want in
'' | *[!0-9a-f]*) die "$archive.sha256 holds no SHA-256: nothing installed" ;;
*) ;;
esac
[ "${#want}" -eq 64 ] || die "$archive.sha256 holds no SHA-256: nothing installed"
[ "$got" = "$want" ] || die "$archive does not match its SHA-256 (expected $want, got $got): nothing installed"

(cd "$work" && gzip -dc "$archive" | tar -xf -) || die "cannot unpack $archive"
[ -f "$work/$name/swop" ] || die "$archive holds no $name/swop"

bin="$prefix/bin"
man="$prefix/share/man/man1"
mkdir -p "$bin" "$man" || die "cannot create $bin or $man"
# Copied beside its place and renamed over it: a running swop is never
# half-written.
if ! { cp "$work/$name/swop" "$bin/.swop.new" && chmod 755 "$bin/.swop.new" &&
    mv -f "$bin/.swop.new" "$bin/swop"; }; then
    rm -f "$bin/.swop.new"
    die "cannot write $bin/swop"
fi
for page in "$work/$name/man/"*.1; do
    [ -f "$page" ] && cp "$page" "$man/"
done

version=$("$bin/swop" --version) || die "$bin/swop does not run on this machine"
say "installed $bin/swop ($version)"
case ":${PATH-}:" in
*":$bin:"*) ;;
*) say "$bin is not on your PATH: add  export PATH=\"$bin:\$PATH\"  to your shell's rc file" ;;
esac
say "completion scripts: swop completions SHELL; shell integration: swop init SHELL (README)"
