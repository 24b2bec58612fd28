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
        let changes = ($run.stdout | from json | transpose name value)
        load-env ($changes | where value != null | reduce --fold {} {|it, acc| $acc | insert $it.name $it.value })
        hide-env --ignore-errors ...($changes | where value == null | get name)
    } else {
        ^@SWOP_EXE@ ...$args
    }
}

# @SWOP_WRAPPERS@
