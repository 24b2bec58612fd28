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
            # swop reads the words and prints the exports; this only runs them.
            SWOP_SHELL_FUNCTION=fish @SWOP_EXE@ $argv | builtin source
            for __swop_s in $pipestatus
                test $__swop_s = 0; or builtin return $__swop_s
            end
        case '*'
            @SWOP_EXE@ $argv
    end
end

# @SWOP_WRAPPERS@

builtin return $__swop_status
