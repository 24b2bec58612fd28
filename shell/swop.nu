# swop's shell integration for nushell. nushell reads sourced files before it
# runs anything, so save the script once and source it from config.nu:
#
#     swop init nu | save -f ($nu.default-config-dir | path join swop.nu)
#     source swop.nu      # in config.nu
#
# It defines `swop`: `swop use NAME` switches this shell to a profile, `swop off`
# switches it back, and every other subcommand runs the swop binary.
#
# The switched shell has SWOP_PROFILE set, for a prompt segment.

# swop's own completions, profile names included, for the words before the cursor.
def "nu-complete swop" [context: string] {
    let words = ($context | str trim --left | split row --regex '\s+')
    with-env {COMPLETE: fish} { ^@SWOP_EXE@ -- ...$words }
    | lines
    | parse --regex '^(?<value>[^\t]*)(?:\t(?<description>.*))?$'
}

def --env --wrapped swop [...args: string@"nu-complete swop"] {
    if ($args | is-not-empty) and ($args.0 in [use off]) {
        # swop reads the words and prints a JSON record of the changes (null:
        # unset); nushell cannot evaluate text, so this loads the record.
        let run = (with-env {SWOP_SHELL_FUNCTION: nu} { ^@SWOP_EXE@ ...$args | complete })
        if $run.exit_code != 0 {
            error make --unspanned {msg: ($run.stderr | str trim)}
        }
        if ($run.stderr | is-not-empty) {
            print --stderr --no-newline $run.stderr
        }
        # A variable to unset becomes null: nushell passes no null to any
        # program, and `hide-env` in a `def --env` is lost when the same
        # line set the variable after an earlier hide (`swop use A; swop
        # off`, nushell 0.108). The prompt hook below then hides the nulls.
        let changes = ($run.stdout | from json | transpose name value)
        load-env ($changes | reduce --fold {} {|it, acc| $acc | upsert $it.name $it.value })
    } else {
        # Which integration runs swop (swop doctor says so).
        with-env {SWOP_INTEGRATION: nu} { ^@SWOP_EXE@ ...$args }
    }
}

# Before each prompt, the variables `swop off` set to null are hidden, so
# that the shell has exactly the variables it had.
$env.config.hooks.pre_prompt = ($env.config.hooks.pre_prompt? | default [] | append {||
    for name in ($env | transpose name value | where value == null | get name) {
        hide-env --ignore-errors $name
    }
})

# @SWOP_WRAPPERS@
