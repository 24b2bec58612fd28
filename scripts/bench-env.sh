#!/usr/bin/env bash
# How fast are the commands that run on every shell switch?
#
#   swop env A            against true                  (target: <= 1.5x)
#   swop env A            against direnv export bash    (target: <= 0.4x; no .envrc)
#   swop exec A -- true   against env HOME=... true     (target: <= 1.2x)
#
# and, with 1,000 extra processes on the machine (sleeps started here and
# killed at the end), the one command that reads every process:
#
#   swop ps               against ps -e                 (target: <= 1.0x)
#   swop exec A -- true   against env HOME=... true     (target: <= 1.2x: exec
#                         never looks at other processes)
#
# Needs hyperfine and direnv (apt-get install hyperfine direnv). All figures
# come from one hyperfine run each, so they share the machine's noise.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
swop="$PWD/target/release/swop"
# The same code linked statically (glibc's crt-static): no dynamic loader at
# start, which is most of a Rust binary's start-up cost here.
triple="$(rustc -vV | sed -n 's/^host: //p')"
RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --quiet \
    --target "$triple" --target-dir target/static
static="$PWD/target/static/$triple/release/swop"
work="$(mktemp -d)"
sleepers=()
trap 'if [ "${#sleepers[@]}" -gt 0 ]; then kill "${sleepers[@]}" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
export SWOP_HOME="$work/store"
"$swop" add A 2>/dev/null
mkdir -p "$work/empty"
cd "$work/empty"
export DIRENV_CONFIG="$work/direnv-config"

json="$work/env.json"
hyperfine -N --warmup 50 --min-runs 300 --export-json "$json" \
    -n true "true" \
    -n "swop env A" "$swop env A --shell bash" \
    -n "swop env A (static)" "$static env A --shell bash" \
    -n "direnv export bash" "direnv export bash" \
    -n "env HOME=... true" "env HOME=$work/store/profiles/A/HOME true" \
    -n "swop exec A -- true" "$swop exec A -- true" \
    -n "swop exec A -- true (static)" "$static exec A -- true" >&2

for _ in $(seq 1000); do
    sleep 3600 &
    sleepers+=("$!")
done
crowd="$work/crowd.json"
hyperfine -N --warmup 20 --min-runs 100 --export-json "$crowd" \
    -n "ps -e" "ps -e" \
    -n "swop ps" "$swop ps" \
    -n "env HOME=... true" "env HOME=$work/store/profiles/A/HOME true" \
    -n "swop exec A -- true" "$swop exec A -- true" >&2
kill "${sleepers[@]}" 2>/dev/null || true
sleepers=()

python3 - "$json" "$crowd" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
def ratio(a, b, target, cmp):
    v = r[a] / r[b]
    ok = v <= target
    print(f"{a:>20} / {b:<20} = {v:5.2f}x  (target <= {target}x: {'ok' if ok else 'MISSED'})")
print(f"means: " + ", ".join(f"{k} {v*1e3:.3f} ms" for k, v in r.items()))
ratio("swop env A", "true", 1.5, None)
ratio("swop env A", "direnv export bash", 0.4, None)
ratio("swop exec A -- true", "env HOME=... true", 1.2, None)
print("linked statically:")
ratio("swop env A (static)", "true", 1.5, None)
ratio("swop env A (static)", "direnv export bash", 0.4, None)
ratio("swop exec A -- true (static)", "env HOME=... true", 1.2, None)
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[2]))["results"]}
print("with 1,000 extra processes:")
print(f"means: " + ", ".join(f"{k} {v*1e3:.3f} ms" for k, v in r.items()))
ratio("swop ps", "ps -e", 1.0, None)
ratio("swop exec A -- true", "env HOME=... true", 1.2, None)
PY
