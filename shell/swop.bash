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
        # (`shopt -q`, not a command substitution: no process.)
        __swop_aliases=
        if \builtin shopt -q expand_aliases; then
            __swop_aliases=1
            \builtin shopt -u expand_aliases
        fi
        \builtin eval -- "${__swop_env}"
        if [[ -n ${__swop_aliases} ]]; then
            \builtin shopt -s expand_aliases
        fi
        __swop_folder_choice "$1"
        ;;
    allow | deny)
        @SWOP_EXE@ "$@" || \builtin return
        # Look at the folder's .swop again at the next prompt.
        __swop_folder_again=1
        __swop_folder_pwd=
        ;;
    *)
        # Which integration runs swop, and how this shell chose its profile
        # (swop show and swop doctor say so).
        \builtin local __swop_choice=
        if [[ -n ${__swop_folder_pin} ]]; then
            __swop_choice=use
        elif [[ -n ${__swop_folder_auto} ]]; then
            __swop_choice=folder:${__swop_folder_file}
        fi
        SWOP_INTEGRATION=bash SWOP_CHOICE=${__swop_choice} @SWOP_EXE@ "$@"
        ;;
    esac
}

# @SWOP_WRAPPERS@

# ---- Folders that pick the profile: .swop ----------------------------------
#
# A file named .swop holding one line, a profile name, in the current folder
# or any folder above it switches this shell to that profile before the next
# prompt, once it is allowed (swop allow); leaving the folder switches back,
# exactly. The nearest .swop wins. An explicit `swop use` wins until `swop
# off`, and a profile this hook did not pick (switched to by hand with swop
# env, by `swop shell`, or inherited from a parent shell) is left alone.
#
# Cost: at a prompt where neither the folder nor SWOP_PROFILE changed, one
# comparison. Otherwise the walk up runs in the shell; swop runs only to
# switch, and it decides whether the .swop may. The file is read by the
# shell, at most 67 characters of it, and its name is handed to swop as one
# argument: nothing in it is ever evaluated. swop says why a .swop switches
# nothing once per file and shell: the files it spoke of are remembered.

__swop_folder_pwd=
__swop_folder_seen=
__swop_folder_auto=
__swop_folder_file=
__swop_folder_pin=
__swop_folder_again=
__swop_folder_told=()

function __swop_folder_hook {
    \builtin local __swop_last=$?
    if [[ ${PWD} != "${__swop_folder_pwd}" || ${SWOP_PROFILE+set:}${SWOP_PROFILE-} != "${__swop_folder_seen}" ]]; then
        __swop_folder_update
        __swop_folder_pwd=${PWD}
        __swop_folder_seen=${SWOP_PROFILE+set:}${SWOP_PROFILE-}
    fi
    \builtin return "${__swop_last}"
}

function __swop_folder_update {
    \builtin local __swop_dir __swop_file __swop_name __swop_told __swop_f
    \builtin local -a __swop_kept
    if [[ -n ${__swop_folder_pin} ]]; then
        \builtin return 0
    fi
    if [[ -n ${SWOP_PROFILE-} && ${SWOP_PROFILE} != "${__swop_folder_auto}" ]]; then
        __swop_folder_auto=
        __swop_folder_file=
        \builtin return 0
    fi
    if [[ -z ${SWOP_PROFILE-} ]]; then
        __swop_folder_auto=
        __swop_folder_file=
    fi
    __swop_dir=${PWD}
    while :; do
        __swop_file=${__swop_dir%/}/.swop
        if [[ -e ${__swop_file} || -L ${__swop_file} ]]; then
            break
        fi
        if [[ ${__swop_dir} == / || -z ${__swop_dir} ]]; then
            __swop_file=
            break
        fi
        __swop_dir=${__swop_dir%/*}
        __swop_dir=${__swop_dir:-/}
    done
    if [[ -n ${__swop_file} ]] && __swop_folder_read "${__swop_file}"; then
        if [[ ${__swop_name} == "${__swop_folder_auto}" && ${__swop_file} == "${__swop_folder_file}" && -z ${__swop_folder_again} ]]; then
            \builtin return 0
        fi
        __swop_folder_again=
        __swop_told=
        for __swop_f in ${__swop_folder_told[@]+"${__swop_folder_told[@]}"}; do
            if [[ ${__swop_f} == "${__swop_file}" ]]; then
                __swop_told=--told
            fi
        done
        if __swop_folder_switch "${__swop_name}" "${__swop_file}" "${__swop_told}"; then
            __swop_folder_auto=${__swop_name}
            __swop_folder_file=${__swop_file}
            if [[ -n ${__swop_told} ]]; then
                # Followed now: a later refusal (an edit) is worth saying again.
                __swop_kept=()
                for __swop_f in "${__swop_folder_told[@]}"; do
                    if [[ ${__swop_f} != "${__swop_file}" ]]; then
                        __swop_kept+=("${__swop_f}")
                    fi
                done
                __swop_folder_told=(${__swop_kept[@]+"${__swop_kept[@]}"})
            fi
            \builtin return 0
        fi
        if [[ -z ${__swop_told} ]]; then
            __swop_folder_told+=("${__swop_file}")
        fi
    fi
    __swop_folder_again=
    if [[ -n ${__swop_folder_auto} ]]; then
        __swop_folder_switch --off "${__swop_folder_file}"
        __swop_folder_auto=
        __swop_folder_file=
    fi
}

# Sets __swop_name from the file $1, or says why it cannot. A profile name
# and a line end are at most 66 characters: read stops with status 0 at a
# 67th, or at a NUL (-d ''), and both are junk; status 1 is the end of the file.
function __swop_folder_read {
    __swop_name=
    if [[ -f $1 && -r $1 ]] && ! IFS= \builtin read -r -d '' -n 67 __swop_name 2>/dev/null <"$1"; then
        __swop_name=${__swop_name%$'\n'}
        __swop_name=${__swop_name%$'\r'}
        if [[ -n ${__swop_name} && ${__swop_name} != -* && ${__swop_name} != *[$'\n\r']* ]]; then
            \builtin return 0
        fi
    fi
    \builtin printf 'swop: %q must hold one line, a profile name (see swop list): ignored\n' "$1" >&2
    \builtin return 1
}

# `swop env NAME` for the .swop $2 (told already if $3 is --told), or `swop
# env --off` on leaving the .swop $2, evaluated as the swop function does.
function __swop_folder_switch {
    \builtin local __swop_env __swop_aliases=
    if [[ $1 == --off ]]; then
        __swop_env=$(@SWOP_EXE@ env --off --shell bash --folder "$2") || \builtin return
    else
        __swop_env=$(@SWOP_EXE@ env --shell bash --folder "$2" ${3:+"$3"} "$1") || \builtin return
    fi
    if \builtin shopt -q expand_aliases; then
        __swop_aliases=1
        \builtin shopt -u expand_aliases
    fi
    \builtin eval -- "${__swop_env}"
    if [[ -n ${__swop_aliases} ]]; then
        \builtin shopt -s expand_aliases
    fi
}

# Called by `swop use` and `swop off`: the explicit choice, and a new look at
# the folder at the next prompt.
function __swop_folder_choice {
    if [[ $1 == use ]]; then
        __swop_folder_pin=1
    else
        __swop_folder_pin=
    fi
    __swop_folder_auto=
    __swop_folder_file=
    __swop_folder_pwd=
}

# First in PROMPT_COMMAND, a string or (bash 5.1+) an array, once.
if [[ ";${PROMPT_COMMAND[*]-};" != *";__swop_folder_hook;"* ]]; then
    if [[ $(\builtin declare -p PROMPT_COMMAND 2>/dev/null) == "declare -a"* ]]; then
        PROMPT_COMMAND=(__swop_folder_hook "${PROMPT_COMMAND[@]}")
    else
        # A string here: the array case is the branch above.
        # shellcheck disable=SC2128,SC2178
        PROMPT_COMMAND="__swop_folder_hook${PROMPT_COMMAND:+;${PROMPT_COMMAND}}"
    fi
fi
# ---- end of .swop ------------------------------------------------------------

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
