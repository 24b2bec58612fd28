#
# swop's shell integration for fish. Add to ~/.config/fish/config.fish:
#
#     swop init fish | source
#
# It defines `swop`: `swop use NAME` switches this shell to a profile, `swop off`
# switches it back, and every other subcommand runs the swop binary.
#
# The switched shell has SWOP_PROFILE set; for a prompt segment, add:
#
#     function fish_right_prompt; set -q SWOP_PROFILE; and builtin printf '(swop:%s)' $SWOP_PROFILE; end
#
# fish does not let functions take the names of `builtin`, `command`, `set`,
# `test` or `string`; the other builtins are called through `builtin`.

# The user's last status, restored at the end.
set -l __swop_status $status

function swop --description 'Run swop; `swop use NAME` and `swop off` switch this shell'
    switch "$argv[1]"
        case use off
            # Piped, not captured: fish 3 sends a command substitution's stderr
            # past the function's redirections. On error swop prints nothing to
            # source, so a failed switch changes nothing.
            if test "$argv[1]" = use; and set -q argv[2]; and not set -q argv[3]
                and not string match -q -- '-*' $argv[2]
                @SWOP_EXE@ env --shell fish $argv[2] | builtin source
            else if test "$argv[1]" = off; and not set -q argv[2]
                @SWOP_EXE@ env --off --shell fish | builtin source
            else
                builtin printf '%s\n' 'swop: usage: swop use NAME, or swop off (profiles: swop list)' >&2
                builtin return 2
            end
            for __swop_s in $pipestatus
                test $__swop_s = 0; or builtin return $__swop_s
            end
        case '*'
            @SWOP_EXE@ $argv
    end
end

# @SWOP_WRAPPERS@

builtin return $__swop_status
