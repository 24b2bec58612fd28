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
            ;;
        *)
            @SWOP_EXE@ "$@"
            ;;
        esac
    }

    # @SWOP_WRAPPERS@

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
