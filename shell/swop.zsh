#
# swop's shell integration for zsh. Add to ~/.zshrc:
#
#     eval "$(swop init zsh)"
#
# It defines `swop`: `swop use NAME` switches this shell to a profile, `swop off`
# switches it back, and every other subcommand runs the swop binary.
#
# The switched shell has SWOP_PROFILE set; for a prompt segment, add:
#
#     setopt prompt_subst; PROMPT='${SWOP_PROFILE:+(swop:$SWOP_PROFILE) }'"$PROMPT"
#
# Builtins are called as `\builtin NAME` and commands as `\command NAME`, so
# that no alias of the user's, defined before or after this, can change them,
# and every function runs with zsh's default options (emulate -L zsh).

# The arguments are the user's last status and its pipeline's statuses, restored
# at the end: inside `eval "$(swop init zsh)"`, $? is already the command
# substitution's, but pipestatus still holds the user's last pipeline.
() {
    \builtin local -i __swop_errexit=0 __swop_pipefail=0 __swop_status=$1 __swop_s
    if [[ -o err_exit ]]; then __swop_errexit=1; fi
    if [[ -o pipe_fail ]]; then __swop_pipefail=1; fi
    \builtin emulate -L zsh
    \builtin shift

    if (( ${+aliases[swop]} )); then \builtin unalias swop; fi

    function swop {
        \builtin emulate -L zsh
        \builtin setopt no_aliases
        \builtin local __swop_env
        case "${1-}" in
        use | off)
            # swop reads the words and prints the exports; this only runs them.
            __swop_env=$(SWOP_SHELL_FUNCTION=zsh @SWOP_EXE@ "$@") || \builtin return
            # no_aliases (above) keeps aliases of export or unset out of this.
            \builtin eval -- "${__swop_env}"
            __swop_folder_choice "$1"
            ;;
        allow | deny)
            @SWOP_EXE@ "$@" || \builtin return
            # Look at the folder's .swop again at the next prompt.
            __swop_folder_again=1
            __swop_folder_pwd=
            ;;
        *)
            # Which integration runs swop, and how this shell chose its
            # profile (swop show and swop doctor say so).
            \builtin local __swop_choice=
            if [[ -n ${__swop_folder_pin} ]]; then
                __swop_choice=use
            elif [[ -n ${__swop_folder_auto} ]]; then
                __swop_choice=folder:${__swop_folder_file}
            fi
            SWOP_INTEGRATION=zsh SWOP_CHOICE=${__swop_choice} @SWOP_EXE@ "$@"
            ;;
        esac
    }

    # @SWOP_WRAPPERS@

    # ---- Folders that pick the profile: .swop ------------------------------
    #
    # A file named .swop holding one line, a profile name, in the current
    # folder or any folder above it switches this shell to that profile as
    # soon as the shell enters the folder (chpwd), once it is allowed (swop
    # allow); leaving the folder switches back, exactly. The nearest .swop
    # wins. An explicit `swop use` wins until `swop off`, and a profile this
    # hook did not pick (switched to by hand with swop env, by `swop shell`,
    # or inherited from a parent shell) is left alone.
    #
    # Cost: at a prompt (precmd) where neither the folder nor SWOP_PROFILE
    # changed, one comparison. Otherwise the walk up runs in the shell; swop
    # runs only to switch, and it decides whether the .swop may. The file is
    # read by the shell, at most 67 characters of it, and its name is handed
    # to swop as one argument: nothing in it is ever evaluated. swop says why
    # a .swop switches nothing once per file and shell: the files it spoke
    # of are remembered.

    \builtin typeset -g __swop_folder_pwd= __swop_folder_seen= __swop_folder_auto= __swop_folder_pin=
    \builtin typeset -g __swop_folder_file= __swop_folder_again=
    \builtin typeset -ga __swop_folder_told
    __swop_folder_told=()

    function __swop_folder_hook {
        if [[ ${PWD} != "${__swop_folder_pwd}" || ${SWOP_PROFILE+set:}${SWOP_PROFILE-} != "${__swop_folder_seen}" ]]; then
            __swop_folder_update
            __swop_folder_pwd=${PWD}
            __swop_folder_seen=${SWOP_PROFILE+set:}${SWOP_PROFILE-}
        fi
    }

    function __swop_folder_update {
        \builtin emulate -L zsh
        \builtin local __swop_dir __swop_file __swop_name __swop_told
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
            if (( ${__swop_folder_told[(Ie)${__swop_file}]} )); then
                __swop_told=--told
            fi
            if __swop_folder_switch "${__swop_name}" "${__swop_file}" "${__swop_told}"; then
                __swop_folder_auto=${__swop_name}
                __swop_folder_file=${__swop_file}
                # Followed now: a later refusal (an edit) is worth saying again.
                __swop_folder_told=("${(@)__swop_folder_told:#${(b)__swop_file}}")
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

    # Sets __swop_name (the caller's local) from the file $1, or says why it
    # cannot. A profile name and a line end are at most 66 characters: read
    # -k stops with status 0 at a 67th, and status 1 is the end of the file.
    function __swop_folder_read {
        \builtin emulate -L zsh
        __swop_name=
        if [[ -f $1 && -r $1 ]] && ! IFS= \builtin read -r -k 67 -u 0 __swop_name 2>/dev/null <"$1"; then
            __swop_name=${__swop_name%$'\n'}
            __swop_name=${__swop_name%$'\r'}
            if [[ -n ${__swop_name} && ${__swop_name} != -* && ${__swop_name} != *[$'\n\r\0']* ]]; then
                \builtin return 0
            fi
        fi
        \builtin print -ru2 -- "swop: ${(q+)1} must hold one line, a profile name (see swop list): ignored"
        \builtin return 1
    }

    # `swop env NAME` for the .swop $2 (told already if $3 is --told), or
    # `swop env --off` on leaving the .swop $2, evaluated as the swop
    # function does.
    function __swop_folder_switch {
        \builtin emulate -L zsh
        \builtin setopt no_aliases
        \builtin local __swop_env
        if [[ $1 == --off ]]; then
            __swop_env=$(@SWOP_EXE@ env --off --shell zsh --folder "$2") || \builtin return
        else
            __swop_env=$(@SWOP_EXE@ env --shell zsh --folder "$2" ${3:+"$3"} "$1") || \builtin return
        fi
        \builtin eval -- "${__swop_env}"
    }

    # Called by `swop use` and `swop off`: the explicit choice, and a new look
    # at the folder at the next prompt.
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

    \builtin typeset -ga chpwd_functions precmd_functions
    if (( ! ${chpwd_functions[(Ie)__swop_folder_hook]} )); then
        chpwd_functions=(__swop_folder_hook "${chpwd_functions[@]}")
    fi
    if (( ! ${precmd_functions[(Ie)__swop_folder_hook]} )); then
        precmd_functions=(__swop_folder_hook "${precmd_functions[@]}")
    fi
    # ---- end of .swop --------------------------------------------------------

    if (( __swop_status == 0 )); then
        # Without pipe_fail a pipeline's status is its last command's, with it
        # the last failing one's.
        for __swop_s in "$@"; do
            if (( __swop_s != 0 || ! __swop_pipefail )); then __swop_status=__swop_s; fi
        done
    fi
    # Under err_exit a failing status would end the shell that runs this.
    if (( __swop_errexit )); then __swop_status=0; fi
    \builtin return __swop_status
} "$?" "${pipestatus[@]}"
