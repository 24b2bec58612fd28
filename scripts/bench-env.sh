#!/usr/bin/env bash
# How fast are the commands that run on every shell switch?
#
#   swop env A            against true                  (target: <= 1.5x)
#   swop env A            against direnv export bash    (target: <= 0.4x; no .envrc)
#   swop exec A -- true   against env HOME=... true     (target: <= 1.2x)
#   swop exec --seal A -- true  against swop exec A -- true  (target: <= 1.3x)
#
# The seal's cost grows with the entries beside each place it hides (a rule
# for each, see src/seal/linux.rs): the store of this run sits in /tmp, whose
# entries this machine's history decides. So the seal is measured twice: as
# is, with the count of /tmp's entries, and with the store in a folder of
# its own (under /var/tmp), as a user's store in ~/.local/share is.
#
# the two commands of several agent accounts, with 50 codex session files
# in each profile and 10 profiles asked for their status:
#
#   swop exec --pick A,B -- true   against swop exec A -- true   (target: <= 1.5x)
#   swop status (10 git profiles, no usage) against the same command of a
#                         baseline build given as BASELINE=/path/to/swop
#                         (target: < 1.2x; the row is left out without it)
#
# and, with 1,000 extra processes on the machine (sleeps started here and
# killed at the end), the one command that reads every process:
#
#   swop ps               against ps -e                 (target: <= 1.0x)
#   swop exec A -- true   against env HOME=... true     (target: <= 1.2x: exec
#                         never looks at other processes)
#
# and what the .swop hook of `swop init` adds to each prompt of an
# interactive bash, zsh and fish, against the same shell without it:
#
#   a prompt in the folder of the last prompt      (target: < 0.1 ms)
#   a prompt after a cd, walking up to / and finding no .swop (no target:
#                         it runs no process, see tests/integration/folders.rs)
#
# Each shell reads its lines from a file: bash and zsh run their prompt hooks
# for each, fish is sent `emit fish_prompt` (it draws no prompt without a
# terminal). The cost per prompt is the slope between 2,000 and 12,000 lines,
# so starting the shell and loading the integration cancel out.
#
# The environment is this machine's as it is: a variable exported into the
# home (TF_CLI_CONFIG_FILE=~/.terraformrc, say) costs `swop env A` a notice,
# said once per shell, and the look-up of whether it was said.
#
# Needs hyperfine and direnv (apt-get install hyperfine direnv), and zsh and
# fish for their rows. All figures of one table come from one hyperfine run,
# so they share the machine's noise.
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
    -n "swop exec --seal A -- true" "$swop exec --seal A -- true" \
    -n "swop exec A -- true (static)" "$static exec A -- true" >&2

own="$(mktemp -d -p /var/tmp)"
trap 'if [ "${#sleepers[@]}" -gt 0 ]; then kill "${sleepers[@]}" 2>/dev/null || true; fi; rm -rf "$work" "$own"' EXIT
SWOP_HOME="$own/store" "$swop" add A 2>/dev/null
tmp_entries=$(find /tmp -mindepth 1 -maxdepth 1 | wc -l)
sealed="$work/sealed.json"
hyperfine -N --warmup 50 --min-runs 300 --export-json "$sealed" \
    -n "swop exec A -- true" "env SWOP_HOME=$own/store $swop exec A -- true" \
    -n "swop exec --seal A -- true" "env SWOP_HOME=$own/store $swop exec --seal A -- true" >&2

# Several agent accounts: two codex profiles with 50 sessions each (one
# rate-limit snapshot per session, in codex's shape), and ten git profiles,
# whose status swop asks of git and which record no usage.
agents="$work/agents"
mkdir -p "$agents"
SWOP_HOME="$agents" "$swop" add P1 --tool codex 2>/dev/null
SWOP_HOME="$agents" "$swop" add P2 --tool codex 2>/dev/null
now=$(date +%s)
for p in P1 P2; do
    for i in $(seq 50); do
        at=$((now - i * 3600))
        day="$agents/profiles/$p/CODEX_HOME/sessions/$(date -u -d "@$at" +%Y/%m/%d)"
        mkdir -p "$day"
        stamp=$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%S.000Z)
        {
            printf '{"timestamp":"%s","type":"session_meta","payload":{"id":"s%s","cwd":"/tmp","cli_version":"0.171.0"}}\n' "$stamp" "$i"
            for _ in $(seq 20); do
                printf '{"timestamp":"%s","type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"%s"}]}}\n' "$stamp" "$(head -c 2000 /dev/zero | tr '\0' x)"
            done
            printf '{"timestamp":"%s","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":{"limit_id":"codex","primary":{"used_percent":%d.0,"window_minutes":300,"resets_at":%d},"secondary":{"used_percent":20.0,"window_minutes":10080,"resets_at":%d}}}}\n' "$stamp" "$((i % 90))" "$((now + 3600))" "$((now + 86400))"
        } > "$day/rollout-$(date -u -d "@$at" +%Y-%m-%dT%H-%M-%S)-$p-$i.jsonl"
    done
done
statuses="$work/statuses"
for i in $(seq 10); do
    SWOP_HOME="$statuses" "$swop" add "S$i" --tool git 2>/dev/null
done
accounts="$work/accounts.json"
status_runs=(-n "swop status" "env SWOP_HOME=$statuses $swop status")
if [ -n "${BASELINE:-}" ]; then
    status_runs+=(-n "swop status (baseline)" "env SWOP_HOME=$statuses $BASELINE status")
fi
hyperfine -N --warmup 20 --min-runs 200 --export-json "$accounts" \
    -n "swop exec A -- true (agents)" "env SWOP_HOME=$agents $swop exec P1 -- true" \
    -n "swop exec --pick A,B -- true" "env SWOP_HOME=$agents $swop exec --pick P1,P2 -- true" \
    "${status_runs[@]}" >&2

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

# The .swop hook's cost per prompt.
"$swop" init bash > "$work/init.bash"
"$swop" init zsh > "$work/init.zsh"
"$swop" init fish > "$work/init.fish"
mkdir -p "$work/proj/deep" "$work/walk/1/2/3/4/5/6/a" "$work/walk/1/2/3/4/5/6/b"
printf 'A\n' > "$work/proj/.swop"
prompts=(2000 12000)
prompt_runs=()
for shell in bash zsh fish; do
    command -v "$shell" >/dev/null 2>&1 || continue
    case "$shell" in
    bash) run="bash --norc --noprofile -i"; empty=""; load="source $work/init.bash" ;;
    zsh) run="zsh -f -i"; empty=""; load="source $work/init.zsh" ;;
    fish) run="fish --no-config -i"; empty="emit fish_prompt"; load="source $work/init.fish" ;;
    esac
    for n in "${prompts[@]}"; do
        for with in bare hook; do
            first="true"
            [ "$with" = hook ] && first="$load"
            {
                echo "$first"
                echo "cd $work/proj/deep"
                for _ in $(seq "$n"); do echo "$empty"; done
            } > "$work/idle-$shell-$with-$n"
            {
                echo "$first"
                for _ in $(seq $((n / 2))); do
                    echo "cd $work/walk/1/2/3/4/5/6/a"
                    [ -n "$empty" ] && echo "$empty"
                    echo "cd $work/walk/1/2/3/4/5/6/b"
                    [ -n "$empty" ] && echo "$empty"
                done
            } > "$work/walk-$shell-$with-$n"
            for kind in idle walk; do
                prompt_runs+=(-n "$kind $shell $with $n" "$run < $work/$kind-$shell-$with-$n")
            done
        done
    done
done
prompt="$work/prompt.json"
hyperfine --warmup 2 --min-runs 10 --export-json "$prompt" "${prompt_runs[@]}" >&2

python3 - "$json" "$crowd" "$prompt" "$accounts" "$sealed" "$tmp_entries" <<'PY'
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
print(f"the seal with the store in /tmp, beside {sys.argv[6]} other entries:")
ratio("swop exec --seal A -- true", "swop exec A -- true", 1.3, None)
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[5]))["results"]}
print("the seal with the store in a folder of its own:")
print(f"means: " + ", ".join(f"{k} {v*1e3:.3f} ms" for k, v in r.items()))
ratio("swop exec --seal A -- true", "swop exec A -- true", 1.3, None)
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print("linked statically:")
ratio("swop env A (static)", "true", 1.5, None)
ratio("swop env A (static)", "direnv export bash", 0.4, None)
ratio("swop exec A -- true (static)", "env HOME=... true", 1.2, None)
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[2]))["results"]}
print("with 1,000 extra processes:")
print(f"means: " + ", ".join(f"{k} {v*1e3:.3f} ms" for k, v in r.items()))
ratio("swop ps", "ps -e", 1.0, None)
ratio("swop exec A -- true", "env HOME=... true", 1.2, None)
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[4]))["results"]}
print("several agent accounts (50 sessions per profile; 10 profiles for status):")
print(f"means: " + ", ".join(f"{k} {v*1e3:.3f} ms" for k, v in r.items()))
ratio("swop exec --pick A,B -- true", "swop exec A -- true (agents)", 1.5, None)
if "swop status (baseline)" in r:
    ratio("swop status", "swop status (baseline)", 1.2, None)
else:
    print("swop status against a baseline: set BASELINE=/path/to/an/older/swop")
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[3]))["results"]}
print("the .swop hook, per prompt (slope from 2,000 to 12,000 prompts):")
for shell in ("bash", "zsh", "fish"):
    for kind, what, target in (("idle", "same folder", 0.1), ("walk", "after a cd, walk to /", None)):
        try:
            slope = {w: (r[f"{kind} {shell} {w} 12000"] - r[f"{kind} {shell} {w} 2000"]) / 10000 for w in ("bare", "hook")}
        except KeyError:
            continue
        added = (slope["hook"] - slope["bare"]) * 1e3
        verdict = "" if target is None else f"  (target < {target} ms: {'ok' if added < target else 'MISSED'})"
        print(f"{shell:>5} {what:<22}: bare prompt {slope['bare']*1e3:.4f} ms, the hook adds {added:.4f} ms{verdict}")
PY
