# shellcheck shell=bash disable=SC2016
# (SC2016: swop's path is single-quoted on purpose, `$` and all.)
#
# swop's shell integration for bash. Add to ~/.bashrc:
#
#     eval "$(swop init bash)"
#
# It defines `swop`: `swop use NAME` switches this shell to a profile, `swop off`
# switches it back, and every other subcommand runs the swop binary.
#
# The switched shell has SWOP_PROFILE set; for a prompt segment, add:
#
#     PS1='${SWOP_PROFILE:+(swop:$SWOP_PROFILE) }'"$PS1"
#
# Builtins are called as `\builtin NAME` and commands as `\command NAME`, so
# that no alias of the user's, defined before or after this, can change them.

# The user's last status, restored at the end. Inside `eval "$(swop init bash)"`
# $? is already the command substitution's, but PIPESTATUS still holds the
# statuses of the user's last pipeline.
__swop_status=("$?" "${PIPESTATUS[@]}")

\builtin unalias swop >/dev/null 2>&1 || \builtin true

function swop {
    \builtin local __swop_env __swop_aliases
    case "${1-}" in
    use | off)
        # swop reads the words and prints the exports; this only runs them.
        __swop_env=$(SWOP_SHELL_FUNCTION=bash @SWOP_EXE@ "$@") || \builtin return
        # swop prints plain `export` and `unset`: an alias of either must not apply.
        __swop_aliases=$(\builtin shopt -p expand_aliases) || \builtin true
        \builtin shopt -u expand_aliases
        \builtin eval -- "${__swop_env}"
        \builtin eval -- "${__swop_aliases}"
        ;;
    *)
        @SWOP_EXE@ "$@"
        ;;
    esac
}

# @SWOP_WRAPPERS@

if [[ ${__swop_status[0]} == 0 ]]; then
    # Without pipefail a pipeline's status is its last command's, with it the
    # last failing one's.
    for __swop_s in "${__swop_status[@]:1}"; do
        if [[ ${__swop_s} != 0 || ! -o pipefail ]]; then
            __swop_status[0]=${__swop_s}
        fi
    done
    \builtin unset __swop_s
fi
# Under set -e a failing status would end the shell that runs this.
if [[ -o errexit ]]; then
    __swop_status[0]=0
fi
\builtin eval "\\builtin unset __swop_status; (\\builtin exit ${__swop_status[0]})"
