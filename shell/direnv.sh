# shellcheck shell=bash
#
# swop's library for direnv: `use swop NAME` in an .envrc switches to a swop
# profile for as long as direnv has the folder loaded. Save it where direnv
# looks for libraries:
#
#     mkdir -p ~/.config/direnv/lib && swop init direnv > ~/.config/direnv/lib/swop.sh
#
# then write `use swop work` in a project's .envrc and run `direnv allow`.
#
# direnv evaluates the .envrc in bash, records every variable it changed, and
# puts each back as it was when the shell leaves the folder: SWOP_PROFILE,
# SWOP_SAVED and SWOP_HOME among them, so nothing of swop outlives the folder.
# A shell that was on another profile comes back to it. swop's output is
# bash, quoted for any byte, and is evaluated as it is; direnv keeps values as
# UTF-8 text, so a value that is not (rare in a path) does not survive direnv.

use_swop() {
    if [[ $# -ne 1 || -z $1 || $1 == -* ]]; then
        log_error "usage: use swop NAME (the profiles: swop list)"
        return 2
    fi
    local __swop_exe=@SWOP_EXE@ __swop_env
    # The swop that printed this library; if it has moved since (an upgrade
    # to another folder), the one on PATH.
    if [[ ! -x ${__swop_exe} ]]; then
        __swop_exe=swop
    fi
    if ! __swop_env=$("${__swop_exe}" env --shell bash "$1"); then
        log_error "use swop: not switched (see above)"
        return 1
    fi
    eval -- "${__swop_env}"
}
