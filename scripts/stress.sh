#!/usr/bin/env bash
# Load: many swop processes at once on one store.
#
#   1. N concurrent `swop exec P --wait` on one profile, each reading a counter,
#      sleeping and writing it back plus one: the counter must end at N.
#   2. N concurrent workers doing ROUNDS of `swop add` / `swop rm`, half on a
#      name of their own, half on one shared name, with `swop list` running
#      beside them: every failure must be a refusal with its exit code: exists
#      (73), in use (75) or not found (67); afterwards every profile is whole (swop show loads it, every
#      bound folder exists), there are no leftovers, and `swop list` names
#      exactly the profiles on disk.
#
# Prints the counts and the wall times; exits 1 on any violation.
#
#   scripts/stress.sh [N] [ROUNDS]     defaults: 64 8
#   SWOP=path/to/swop scripts/stress.sh   to test another build
set -euo pipefail
cd "$(dirname "$0")/.."

n="${1:-64}"
rounds="${2:-8}"
if [ -z "${SWOP:-}" ]; then
    cargo build --release --quiet
    SWOP="$PWD/target/release/swop"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SWOP_HOME="$work/store"
failed=0

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f s", b - a }'; }
# shellcheck source=scripts/store-checks.sh
. scripts/store-checks.sh

# ---------------------------------------------------------------- 1. exec --wait
"$SWOP" add counter 2>/dev/null
echo 0 >"$work/counter"
start="$(now)"
pids=()
for i in $(seq "$n"); do
    # shellcheck disable=SC2016 # expanded by the inner sh
    "$SWOP" exec counter --wait -- sh -c 'n=$(cat "$1"); sleep 0.01; echo $((n + 1)) >"$1"' \
        sh "$work/counter" 2>"$work/exec-$i.err" &
    pids+=("$!")
done
exec_failed=0
for pid in "${pids[@]}"; do
    wait "$pid" || exec_failed=$((exec_failed + 1))
done
counter="$(cat "$work/counter")"
echo "exec --wait: $n concurrent commands, $exec_failed failed, counter $counter (want $n), $(elapsed "$start")"
[ "$exec_failed" -eq 0 ] || violation "$exec_failed execs failed: $(cat "$work"/exec-*.err | grep -v 'waiting for' | head -3)"
[ "$counter" -eq "$n" ] || violation "$((n - counter)) updates lost"
"$SWOP" rm counter 2>/dev/null

# ---------------------------------------------------------------- 2. add / rm
worker() {
    local i="$1" name round cmd
    if [ $((i % 2)) -eq 0 ]; then name="own-$i"; else name="same"; fi
    for round in $(seq "$rounds"); do
        if [ $(((round + i) % 2)) -eq 0 ]; then cmd=(add "$name"); else cmd=(rm "$name"); fi
        code=0
        "$SWOP" "${cmd[@]}" 2>"$work/w-$i.err" || code=$?
        if [ "$code" -eq 0 ]; then
            echo "ok ${cmd[0]}"
        else
            echo "fail $code ${cmd[0]} $(tr '\n' ' ' <"$work/w-$i.err")"
        fi
    done >"$work/w-$i.log"
}
lister() {
    while [ ! -e "$work/stop" ]; do
        if ! "$SWOP" list >/dev/null 2>"$work/list.err"; then
            echo "list failed: $(cat "$work/list.err")" >>"$work/list.log"
        fi
    done
}
: >"$work/list.log"
lister &
lister_pid=$!
start="$(now)"
pids=()
for i in $(seq "$n"); do
    worker "$i" &
    pids+=("$!")
done
wait "${pids[@]}"
took="$(elapsed "$start")"
touch "$work/stop"
wait "$lister_pid"
cat "$work"/w-*.log >"$work/all.log"
total=$(wc -l <"$work/all.log")
ok_add=$(grep -c '^ok add' "$work/all.log" || true)
ok_rm=$(grep -c '^ok rm' "$work/all.log" || true)
# Refusals by exit code (see the README): 73 exists, 75 in use, 67 not found.
exists=$(grep -c '^fail 73 ' "$work/all.log" || true)
in_use=$(grep -c '^fail 75 ' "$work/all.log" || true)
not_found=$(grep -c '^fail 67 ' "$work/all.log" || true)
other=$(grep '^fail' "$work/all.log" | grep -v -e '^fail 73 ' -e '^fail 75 ' -e '^fail 67 ' || true)
echo "add/rm: $n workers x $rounds rounds = $total commands in $took:" \
    "$ok_add added, $ok_rm removed, refused: $exists exists, $in_use in use, $not_found not found"
[ -z "$other" ] || violation "unexpected failures: $(echo "$other" | head -5)"
[ -s "$work/list.log" ] && violation "$(head -3 "$work/list.log")"
check_store
listed=$("$SWOP" list --names | wc -l)
on_disk=$(find "$SWOP_HOME/profiles" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l)
echo "after: $whole whole profiles, $leftovers leftovers, swop list names $listed, $on_disk on disk"
[ "$leftovers" -eq 0 ] || violation "$leftovers leftovers of finished commands"
[ "$listed" -eq "$on_disk" ] || violation "swop list names $listed profiles, $on_disk on disk"
for name in $("$SWOP" list --names); do
    "$SWOP" exec "$name" -- true || violation "exec $name failed"
    "$SWOP" rm "$name" 2>/dev/null || violation "rm $name failed"
done

if [ "$failed" -ne 0 ]; then
    echo "stress: FAILED" >&2
    exit 1
fi
echo "stress: ok"
