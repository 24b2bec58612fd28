#!/usr/bin/env bash
# swop discover end to end on real tools, against a baseline build of swop,
# measured in one hyperfine run each:
#
#   codex:  sh -c 'printf KEY | codex login --with-api-key'  (codex from npm)
#   cargo:  cargo login against a local file registry
#
# Each run of a discovery sees the real file system through a copy-on-write
# view (namespaces, overlays, Landlock). Targets: the codex proof under 3 s,
# and the view at most 1.2x the baseline's runs. The same build with the
# stand-in world (SWOP_DISCOVER_WORLD=stand-in) is timed too, to show what
# the view itself costs. Give the baseline binary as
# BASELINE=/path/to/swop (for example a build of an earlier commit:
# git worktree add /tmp/base <rev> && cargo build --release --manifest-path /tmp/base/Cargo.toml).
# Without it, only this build's times are printed.
#
# Needs strace, hyperfine, git, cargo, and codex (SWOP_TEST_CODEX_DIR, as in .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
swop="$PWD/target/release/swop"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
codex_dir="${SWOP_TEST_CODEX_DIR:-/opt/swop-test/codex}"

# A throwaway home and store: nothing here touches the real ones.
mkdir -p "$work/home" "$work/index"
export HOME="$work/home" SWOP_HOME="$work/store"
export PATH="$codex_dir/node_modules/.bin:$PATH"
if [ -z "${RUSTUP_HOME:-}" ] && command -v rustup >/dev/null 2>&1; then
    RUSTUP_HOME="$(env HOME="$(getent passwd "$(id -u)" | cut -d: -f6)" rustup show home)"
    export RUSTUP_HOME
fi
(
    cd "$work/index"
    echo '{"dl":"http://127.0.0.1:9/dl","api":"http://127.0.0.1:9"}' >config.json
    git init -q . && git add config.json
    git -c user.name=b -c user.email=b@example.org commit -qm index
)
export CARGO_REGISTRIES_LOCAL_INDEX="file://$work/index"

codex_cmd="discover --json -- sh -c 'printf \"sk-bench-0000000000\\n\" | codex login --with-api-key'"
cargo_cmd="discover --json -- cargo login --registry local bench-token"

run() { # name, swop arguments
    local name=$1 args=$2
    local cmds=(-n "this build" "$swop $args >/dev/null 2>&1"
        -n "stand-in" "SWOP_DISCOVER_WORLD=stand-in $swop $args >/dev/null 2>&1")
    if [ -n "${BASELINE:-}" ]; then
        cmds+=(-n baseline "$BASELINE $args >/dev/null 2>&1")
    fi
    hyperfine --warmup 1 --runs 5 --export-json "$work/$name.json" "${cmds[@]}" >&2
}
run codex "$codex_cmd"
run cargo "$cargo_cmd"

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
for name in ("codex", "cargo"):
    means = {x["command"]: x["mean"] for x in json.load(open(f"{work}/{name}.json"))["results"]}
    this, stand_in = means["this build"], means["stand-in"]
    line = f"discover on {name}: {this:.2f} s; stand-in world {stand_in:.2f} s ({this / stand_in:.2f}x)"
    if name == "codex":
        line += f"; target < 3 s: {'ok' if this < 3 else 'MISSED'}"
    if "baseline" in means:
        r = this / means["baseline"]
        line += (f"; baseline {means['baseline']:.2f} s: {r:.2f}x "
                 f"(target <= 1.2: {'ok' if r <= 1.2 else 'MISSED'})")
    else:
        line += " (set BASELINE=/path/to/swop to compare)"
    print(line)
PY
