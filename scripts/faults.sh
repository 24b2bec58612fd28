#!/usr/bin/env bash
# Faults: kill -9 at random points, a full disk, a read-only store.
#
#   1. K kills each of `swop add`, `swop rm` and `swop discover --record`
#      (the last needs strace), each after a random delay within the command's
#      own run time. After every kill: each profile is whole (swop show loads
#      it, every bound folder exists) or absent, and the recorded recipe is
#      whole (swop add --tool uses it) or absent.
#   2. Afterwards swop works without repair: list, add (which sweeps the
#      hidden leftovers), exec and rm.
#   3. On a 64k tmpfs filled up, and on a tmpfs remounted read-only: add, rm
#      and discover --record fail with exit 1 and a message that names the path
#      and what to do; exec, env and list keep working; no file changes.
#      Skipped, saying why, where mount(8) is not permitted.
#
# swop writes no configuration file (config.toml is only read), so there is no
# config write to interrupt; recipes are its only file written in place.
#
#   scripts/faults.sh [K]     default 200
#   SWOP=path/to/swop scripts/faults.sh   to test another build
set -euo pipefail
cd "$(dirname "$0")/.."

kills="${1:-200}"
if [ -z "${SWOP:-}" ]; then
    cargo build --release --quiet
    SWOP="$PWD/target/release/swop"
fi
work="$(mktemp -d)"
mounted=""
cleanup() {
    [ -z "$mounted" ] || umount -l "$mounted" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/tools" "$work/tmp" "$work/home"
export SWOP_HOME="$work/store" TMPDIR="$work/tmp" HOME="$work/home"
export PATH="$work/tools:$PATH"
failed=0
started="$(date +%s.%N)"

# shellcheck source=scripts/store-checks.sh
. scripts/store-checks.sh

# The recorded recipe is whole (swop can make a profile from it) or absent.
check_recipe() {
    [ -e "$SWOP_HOME/recipes/rtool.toml" ] || return 0
    if "$SWOP" add recipe-check --tool rtool 2>"$work/recipe.err"; then
        "$SWOP" rm recipe-check 2>/dev/null
    else
        violation "damaged recipe: $(cat "$work/recipe.err")"
    fi
}

# Mean wall time of a command in microseconds, over 10 runs.
mean_us() {
    local start end
    start=$(date +%s%N)
    for _ in 1 2 3 4 5 6 7 8 9 10; do "$@" >/dev/null 2>&1 || true; done
    end=$(date +%s%N)
    echo $(((end - start) / 10000))
}

# Delays are spun, not slept: sleep(1) alone takes longer than a whole add.
spins_per_ms=$(
    start=$(date +%s%N)
    for ((j = 0; j < 100000; j++)); do :; done
    end=$(date +%s%N)
    echo $((100000 * 1000000 / (end - start + 1)))
)

# Run a command in the background and kill -9 it after a random delay below
# $range microseconds; counts the kills that landed before the command ended.
# The range adapts so that about half the kills land: the delays then cover
# the command's whole run, start to end.
landed=0
range=1000
kill_after_random() {
    local spins pid status j
    spins=$(((RANDOM * 32768 + RANDOM) % (range + 1) * spins_per_ms / 1000))
    "$@" >/dev/null 2>&1 &
    pid=$!
    for ((j = 0; j < spins; j++)); do :; done
    kill -9 "$pid" 2>/dev/null || true
    status=0
    wait "$pid" 2>/dev/null || status=$?
    if [ "$status" -eq 137 ]; then
        landed=$((landed + 1))
        range=$((range * 11 / 10 + 1))
    else
        range=$((range * 9 / 10 + 1))
    fi
}

# ---------------------------------------------------------------- 1. kill -9
"$SWOP" add keep 2>/dev/null
max_left=0
before=0
for op in add add-bind rm; do
    landed=0
    midway=0
    range=1000
    for i in $(seq "$kills"); do
        name="p$((i % 4))"
        case "$op" in
        add)
            "$SWOP" rm "$name" >/dev/null 2>&1 || true
            kill_after_random "$SWOP" add "$name"
            ;;
        add-bind)
            "$SWOP" rm "$name" >/dev/null 2>&1 || true
            kill_after_random "$SWOP" add "$name" --bind CODEX_HOME --bind GH_CONFIG_DIR
            ;;
        rm)
            "$SWOP" add "$name" >/dev/null 2>&1 || true
            kill_after_random "$SWOP" rm "$name"
            ;;
        esac
        check_store
        [ "$leftovers" -le "$max_left" ] || max_left=$leftovers
        [ "$leftovers" -le "$before" ] || midway=$((midway + 1))
        before=$leftovers
    done
    echo "kill -9 during $op: $kills runs, $landed killed before they ended" \
        "($midway mid-way, leaving a hidden leftover), store whole after each"
done

if command -v strace >/dev/null; then
    cat >"$work/tools/rtool" <<'EOF'
#!/bin/sh
d="${RT_HOME:-$HOME/.rt}"; mkdir -p "$d"; echo t >"$d/token"
EOF
    chmod +x "$work/tools/rtool"
    record=("$SWOP" discover --record rtool --json -- rtool)
    "${record[@]}" >/dev/null 2>&1 || violation "discover --record failed"
    record_us=$(mean_us "${record[@]}")
    landed=0
    range=$record_us
    for i in $(seq "$kills"); do
        # Now and then start again without a recipe, so both a first write and
        # a replacement are interrupted.
        [ $((i % 4)) -ne 0 ] || rm -f "$SWOP_HOME/recipes/rtool.toml"
        kill_after_random "${record[@]}"
        check_recipe
    done
    scratch=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'swop-*' | wc -l)
    tmp_files=$(find "$SWOP_HOME/recipes" -name '.tmp-*' | wc -l)
    echo "kill -9 during discover --record: $kills runs (a run takes $((record_us / 1000)) ms)," \
        "$landed killed before they ended, recipe whole after each;" \
        "left behind: $scratch scratch folders in TMPDIR, $tmp_files .tmp- files in recipes/"
    rm -rf "${TMPDIR:?}"/swop-*
else
    echo "skipped kill -9 during discover --record: strace not found"
fi

# ---------------------------------------------------------------- 2. no repair needed
check_store
echo "after the kills: $whole whole profiles, $leftovers leftovers (at most $max_left at once)"
listed=$("$SWOP" list --names | wc -l)
[ "$listed" -eq "$whole" ] || violation "swop list names $listed profiles, $whole are whole"
"$SWOP" add after 2>/dev/null || violation "add after the kills failed"
check_store
[ "$leftovers" -eq 0 ] || violation "add did not sweep $leftovers leftovers"
for name in $("$SWOP" list --names); do
    "$SWOP" exec "$name" -- true || violation "exec $name failed"
    "$SWOP" rm "$name" 2>/dev/null || violation "rm $name failed"
done
echo "swop list, add (swept the leftovers), exec and rm work without repair"

# ---------------------------------------------------------------- 3. full and read-only disks
snapshot() { (cd "$1" && find . -type f ! -name lock -exec sha256sum {} + | sort); }

# Run swop, which must fail with exit 1 and a message holding every needle.
refused() {
    local what="$1" needles="$2" status=0 needle
    shift 2
    "$@" >/dev/null 2>"$work/err" || status=$?
    [ "$status" -eq 1 ] || violation "$what: exit $status, want 1: $(cat "$work/err")"
    while IFS= read -r needle; do
        grep -qF -- "$needle" "$work/err" || violation "$what: no \"$needle\" in: $(cat "$work/err")"
    done <<<"$needles"
    echo "  $what: $(tail -1 "$work/err")"
}

disk_test() {
    local kind="$1" size="$2" disk="$work/disk-$1" before
    mkdir -p "$disk"
    if ! mount -t tmpfs -o "size=$size,mode=0700" tmpfs "$disk" 2>"$work/mount.err"; then
        echo "skipped the $kind test: cannot mount a tmpfs here ($(cat "$work/mount.err"))"
        return
    fi
    mounted="$disk"
    SWOP_HOME="$disk/store"
    "$SWOP" add A 2>/dev/null
    echo precious >"$SWOP_HOME/profiles/A/HOME/data"
    local strace=""
    if command -v strace >/dev/null; then
        strace=1
        "${record[@]}" >/dev/null 2>&1
    fi
    before=$(snapshot "$SWOP_HOME")
    if [ "$kind" = full ]; then
        dd if=/dev/zero of="$disk/fill" bs=4k 2>/dev/null || true
        refused "add on a full disk" $'No space left\nfree some space\n'"$SWOP_HOME/profiles" "$SWOP" add B
        [ -z "$strace" ] || refused "discover --record on a full disk" \
            $'free some space\n'"$SWOP_HOME/recipes/rtool.toml" "${record[@]}"
    else
        mount -o remount,ro "$disk"
        refused "add on a read-only store" $'read-only\nremount\n'"$SWOP_HOME/profiles" "$SWOP" add B
        refused "rm on a read-only store" $'read-only\nremount\n'"$SWOP_HOME/profiles/A" "$SWOP" rm A
        [ -z "$strace" ] || refused "discover --record on a read-only store" \
            $'read-only\n'"$SWOP_HOME/recipes/rtool.toml" "${record[@]}"
    fi
    [ "$("$SWOP" exec A -- cat "$SWOP_HOME/profiles/A/HOME/data")" = precious ] ||
        violation "$kind: exec A cannot read its data"
    "$SWOP" env A >/dev/null || violation "$kind: env A failed"
    [ "$("$SWOP" list --names)" = A ] || violation "$kind: list changed"
    [ "$(snapshot "$SWOP_HOME")" = "$before" ] || violation "$kind: files changed"
    if [ "$kind" = full ]; then rm -f "$disk/fill"; else mount -o remount,rw "$disk"; fi
    "$SWOP" add B 2>/dev/null || violation "$kind: add after the repair failed"
    "$SWOP" rm A 2>/dev/null || violation "$kind: rm after the repair failed"
    umount "$disk"
    mounted=""
    SWOP_HOME="$work/store"
    echo "$kind disk: clear errors, nothing lost, works again once repaired"
}
disk_test full 64k
disk_test read-only 1m

echo "faults: $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }') in all"
if [ "$failed" -ne 0 ]; then
    echo "faults: FAILED" >&2
    exit 1
fi
echo "faults: ok"
