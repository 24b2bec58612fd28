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
            __swop_folder_choice $argv[1]
        case allow deny
            @SWOP_EXE@ $argv; or builtin return
            # Look at the folder's .swop again at the next prompt.
            set -g __swop_folder_again 1
            set -g __swop_folder_pwd
        case '*'
            # Which integration runs swop, and how this shell chose its
            # profile (swop show and swop doctor say so).
            set -l __swop_choice
            if test -n "$__swop_folder_pin"
                set __swop_choice use
            else if test -n "$__swop_folder_auto"
                set __swop_choice "folder:$__swop_folder_file"
            end
            SWOP_INTEGRATION=fish SWOP_CHOICE="$__swop_choice" @SWOP_EXE@ $argv
    end
end

# @SWOP_WRAPPERS@

# ---- Folders that pick the profile: .swop ------------------------------------
#
# A file named .swop holding one line, a profile name, in the current folder
# or any folder above it switches this shell to that profile as soon as the
# shell enters the folder (PWD changes), once it is allowed (swop allow);
# leaving the folder switches back, exactly. The nearest .swop wins. An
# explicit `swop use` wins until `swop off`, and a profile this hook did not
# pick (switched to by hand with swop env, by `swop shell`, or inherited from a
# parent shell) is left alone. Only interactive shells watch folders.
#
# Cost: at a prompt where neither the folder nor SWOP_PROFILE changed, one
# comparison. Otherwise the walk up runs in the shell; swop runs only to
# switch, and it decides whether the .swop may. The file is read by the shell,
# at most 67 characters of it, and its name is handed to swop as one
# argument: nothing in it is ever evaluated. swop says why a .swop switches
# nothing once per file and shell: the files it spoke of are remembered.

set -g __swop_folder_pwd
set -g __swop_folder_seen
set -g __swop_folder_auto
set -g __swop_folder_file
set -g __swop_folder_pin
set -g __swop_folder_again
set -g __swop_folder_told

function __swop_folder_update
    if test -n "$__swop_folder_pin"
        return 0
    end
    if set -q SWOP_PROFILE; and test -n "$SWOP_PROFILE" -a "$SWOP_PROFILE" != "$__swop_folder_auto"
        set -g __swop_folder_auto
        set -g __swop_folder_file
        return 0
    end
    if not set -q SWOP_PROFILE; or test -z "$SWOP_PROFILE"
        set -g __swop_folder_auto
        set -g __swop_folder_file
    end
    set -l dir $PWD
    set -l file
    # A newline in a folder's name would split a command substitution: then
    # path -Z ends each name with a NUL instead (fish 3.5 or later).
    set -l newline
    string match -qr '\n' -- $PWD; and set newline 1
    while true
        set file $dir/.swop
        test "$dir" = /; and set file /.swop
        if test -e $file; or test -L $file
            break
        end
        if test "$dir" = /; or test -z "$dir"
            set file
            break
        end
        if test -n "$newline"
            set dir (path dirname -Z -- $dir | string split0)
        else
            set dir (path dirname -- $dir)
        end
    end
    if test -n "$file"; and set -l name (__swop_folder_read $file)
        if test "$name" = "$__swop_folder_auto" -a "$file" = "$__swop_folder_file" -a -z "$__swop_folder_again"
            return 0
        end
        set -g __swop_folder_again
        set -l told
        contains -- $file $__swop_folder_told; and set told --told
        if __swop_folder_switch $name $file $told
            set -g __swop_folder_auto $name
            set -g __swop_folder_file $file
            # Followed now: a later refusal (an edit) is worth saying again.
            if set -l i (contains -i -- $file $__swop_folder_told)
                set -e __swop_folder_told[$i]
            end
            return 0
        end
        test -n "$told"; or set -ga __swop_folder_told $file
    end
    set -g __swop_folder_again
    if test -n "$__swop_folder_auto"
        __swop_folder_switch --off $__swop_folder_file
        set -g __swop_folder_auto
        set -g __swop_folder_file
    end
end

# Prints the name in the file $argv[1], or says why it cannot. A profile name
# and a line end are at most 66 characters; a second read finds a 67th, or
# what follows a NUL, which the first read stops at (-z). A NUL that is the
# file's last byte goes unseen: fish reads it as the end.
function __swop_folder_read --argument-names file
    set -l name
    set -l rest
    if test -f $file; and test -r $file
        begin
            read -z --nchars 67 name
            read -z --nchars 1 rest
        end <$file 2>/dev/null
        set name (string replace -r '\r?\n$' '' -- "$name" | string collect)
        if test -z "$rest"; and test -n "$name"
            and not string match -q -- '-*' "$name"
            and not string match -qr '[\n\r]' -- "$name"
            builtin printf '%s\n' $name
            return 0
        end
    end
    builtin printf 'swop: %s must hold one line, a profile name (see swop list): ignored\n' (string escape -- $file) >&2
    return 1
end

# `swop env NAME` for the .swop $argv[2] (told already if $argv[3] is
# --told), or `swop env --off` on leaving the .swop $argv[2], sourced as the
# swop function does.
function __swop_folder_switch
    set -l how --shell fish --folder $argv[2] $argv[3..] $argv[1]
    if test "$argv[1]" = --off
        set how --off --shell fish --folder $argv[2]
    end
    # fish's set keeps the status it finds, and so does a source of sets:
    # start from 0, or the status of the test above would be the switch's.
    builtin true
    @SWOP_EXE@ env $how | builtin source
    for __swop_s in $pipestatus
        test $__swop_s = 0; or return $__swop_s
    end
end

# Called by `swop use` and `swop off`: the explicit choice, and a new look at
# the folder at the next prompt.
function __swop_folder_choice
    if test "$argv[1]" = use
        set -g __swop_folder_pin 1
    else
        set -g __swop_folder_pin
    end
    set -g __swop_folder_auto
    set -g __swop_folder_file
    set -g __swop_folder_pwd
    return 0
end

if status is-interactive
    function __swop_folder_hook --on-variable PWD --on-event fish_prompt
        set -l seen
        set -q SWOP_PROFILE; and set seen "set:$SWOP_PROFILE"
        if test "$PWD" != "$__swop_folder_pwd" -o "$seen" != "$__swop_folder_seen"
            __swop_folder_update
            set -g __swop_folder_pwd $PWD
            set -g __swop_folder_seen
            set -q SWOP_PROFILE; and set -g __swop_folder_seen "set:$SWOP_PROFILE"
        end
    end
end
# ---- end of .swop --------------------------------------------------------------

builtin return $__swop_status
