# swop's shell integration for elvish. Add to ~/.config/elvish/rc.elv:
#
#     eval (swop init elvish | slurp)
#
# It defines `swop`: `swop use NAME` switches this shell to a profile, `swop off`
# switches it back, and every other subcommand runs the swop binary.
#
# The line editor makes the functions commands of the prompt. A script has no
# line editor; it takes them from the namespace itself:
#
#     var swop~
#     eval (e:swop init elvish | slurp) &on-end={|ns| set swop~ = $ns[swop~] }
#
# The switched shell has SWOP_PROFILE set, for a prompt segment.

# A command of the prompt, when there is one to add it to.
fn __swop_add {|name f|
    try {
        eval 'edit:add-var '$name'~ $f' &ns=(ns [&f=$f])
    } catch {
        # No line editor: a script, which takes the functions itself.
    }
}

fn swop {|@args|
    if (and (> (count $args) 0) (has-value [use off] $args[0])) {
        # swop reads the words and prints the exports; this only runs them.
        # On error swop prints nothing and the exception stops the switch.
        tmp E:SWOP_SHELL_FUNCTION = elvish
        var exports = (@SWOP_EXE@ $@args | slurp)
        eval $exports
    } else {
        # Which integration runs swop (swop doctor says so).
        tmp E:SWOP_INTEGRATION = elvish
        @SWOP_EXE@ $@args
    }
}
__swop_add swop $swop~

# @SWOP_WRAPPERS@
