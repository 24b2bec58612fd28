# shellcheck shell=bash disable=SC2034,SC2154 # sourced: $failed is read, $work set, by the caller
# Shared by stress.sh and faults.sh (sourced, not run): reporting a violation,
# and checking that every entry of a store is whole or a hidden leftover.
# Needs $SWOP, $SWOP_HOME and $work; sets $failed.

violation() {
    echo "VIOLATION: $*" >&2
    failed=1
}

# Every entry of profiles/ is a whole profile or a hidden leftover; sets
# $whole and $leftovers.
check_store() {
    local dir name folder
    whole=0
    leftovers=0
    for dir in "$SWOP_HOME"/profiles/* "$SWOP_HOME"/profiles/.[!.]*; do
        [ -e "$dir" ] || [ -L "$dir" ] || continue
        name="${dir##*/}"
        case "$name" in
        .new-* | .trash-*)
            leftovers=$((leftovers + 1))
            continue
            ;;
        esac
        if ! "$SWOP" show "$name" >/dev/null 2>"$work/show.err"; then
            violation "half profile $name: $(cat "$work/show.err")"
            continue
        fi
        while IFS= read -r folder; do
            [ -d "$dir/$folder" ] || violation "profile $name lacks its folder $folder"
        done < <(sed -n '/^\[bindings\]/,$ s/^[A-Za-z_][A-Za-z0-9_]* = "\(.*\)"$/\1/p' "$dir/profile.toml")
        whole=$((whole + 1))
    done
}
