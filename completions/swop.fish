# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_swop_global_optspecs
    string join \n h/help V/version
end

function __fish_swop_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_swop_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_swop_using_subcommand
    set -l cmd (__fish_swop_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c swop -n "__fish_swop_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c swop -n "__fish_swop_needs_command" -s V -l version -d 'Print version'
complete -c swop -n "__fish_swop_needs_command" -f -a "add" -d 'Create a profile'
complete -c swop -n "__fish_swop_needs_command" -f -a "list" -d 'List profiles, their bindings, and whether they are in use'
complete -c swop -n "__fish_swop_needs_command" -f -a "ls" -d 'List profiles, their bindings, and whether they are in use'
complete -c swop -n "__fish_swop_needs_command" -f -a "show" -d 'Show one profile'
complete -c swop -n "__fish_swop_needs_command" -f -a "set" -d 'Set or remove a profile\'s values (VAR=VALUE: AWS_PROFILE, GH_HOST, ...)'
complete -c swop -n "__fish_swop_needs_command" -f -a "rm" -d 'Delete a profile (refused while it is in use)'
complete -c swop -n "__fish_swop_needs_command" -f -a "remove" -d 'Delete a profile (refused while it is in use)'
complete -c swop -n "__fish_swop_needs_command" -f -a "env" -d 'Print the exports that switch a shell to a profile (eval "$(swop env NAME)")'
complete -c swop -n "__fish_swop_needs_command" -f -a "use" -d 'Switch this shell to a profile (needs the shell integration: swop init)'
complete -c swop -n "__fish_swop_needs_command" -f -a "off" -d 'Switch this shell back to how it was (needs the shell integration: swop init)'
complete -c swop -n "__fish_swop_needs_command" -f -a "exec" -d 'Run one command as a profile, under the profile\'s lock'
complete -c swop -n "__fish_swop_needs_command" -f -a "shell" -d 'Start an interactive $SHELL inside a profile, holding its lock until the shell exits'
complete -c swop -n "__fish_swop_needs_command" -f -a "ps" -d 'List the processes running in a profile (or in all), lock or no lock'
complete -c swop -n "__fish_swop_needs_command" -f -a "stop" -d 'End the processes running in a profile: SIGTERM, then SIGKILL after a timeout'
complete -c swop -n "__fish_swop_needs_command" -f -a "init" -d 'Print the shell integration (swop use / swop off) for your shell rc file'
complete -c swop -n "__fish_swop_needs_command" -f -a "completions" -d 'Print a completion script'
complete -c swop -n "__fish_swop_needs_command" -f -a "recipes" -d 'List the recipes: the tools `swop add --tool` knows, verified here or not'
complete -c swop -n "__fish_swop_needs_command" -f -a "status" -d 'Show who each profile\'s tools are logged in as'
complete -c swop -n "__fish_swop_needs_command" -f -a "discover" -d 'Trace a tool, find and prove the smallest set of variables that isolates it'
complete -c swop -n "__fish_swop_needs_command" -f -a "doctor" -d 'Show what works on this machine and what does not'
complete -c swop -n "__fish_swop_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c swop -n "__fish_swop_using_subcommand add" -l tool -d 'Bind the variables of this tool\'s recipe (repeatable): codex, claude, gemini, copilot, gh, glab, git, ssh, aws, gcloud, az, kubectl, docker, terraform, npm, pip, cargo, huggingface, fly, vercel, netlify, wrangler, gpg, rclone, or one recorded with swop discover --record (swop recipes lists them)' -r
complete -c swop -n "__fish_swop_using_subcommand add" -l bind -d 'Bind this variable to a folder of the profile (repeatable)' -r
complete -c swop -n "__fish_swop_using_subcommand add" -l bind-file -d 'Bind this variable to a file of the profile (repeatable), for tools whose knob names a file: AWS_SHARED_CREDENTIALS_FILE, KUBECONFIG, ...' -r
complete -c swop -n "__fish_swop_using_subcommand add" -l set -d 'Set this variable to a plain value in the profile (repeatable): AWS_PROFILE=work, GH_HOST=github.example.com. Values are stored in the clear: not for secrets' -r
complete -c swop -n "__fish_swop_using_subcommand add" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand list" -l json -d 'Print JSON: an array of profiles'
complete -c swop -n "__fish_swop_using_subcommand list" -l names -d 'Print only the names, one a line'
complete -c swop -n "__fish_swop_using_subcommand list" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand ls" -l json -d 'Print JSON: an array of profiles'
complete -c swop -n "__fish_swop_using_subcommand ls" -l names -d 'Print only the names, one a line'
complete -c swop -n "__fish_swop_using_subcommand ls" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand show" -l json -d 'Print JSON'
complete -c swop -n "__fish_swop_using_subcommand show" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand set" -l unset-value -d 'Stop setting this variable (repeatable)' -r
complete -c swop -n "__fish_swop_using_subcommand set" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand rm" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand remove" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand env" -l shell -d 'Shell syntax to print (default: the shell that runs swop, else $SHELL\'s, else sh)' -r -f -a "bash\t''
zsh\t''
fish\t''
sh\t''
json\t''"
complete -c swop -n "__fish_swop_using_subcommand env" -l off -d 'Print the exports that undo swop and restore the previous values'
complete -c swop -n "__fish_swop_using_subcommand env" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand use" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand off" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand exec" -l lock -d 'How to lock the profile while the command runs [default: exclusive]' -r -f -a "exclusive\t'One command per profile at a time'
shared\t'Many commands at once, but none while an exclusive holder runs'
none\t'No lock'"
complete -c swop -n "__fish_swop_using_subcommand exec" -l wait -d 'Wait for a busy profile: forever, or up to SECS seconds' -r
complete -c swop -n "__fish_swop_using_subcommand exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c swop -n "__fish_swop_using_subcommand shell" -l lock -d 'How to lock the profile while the command runs [default: exclusive]' -r -f -a "exclusive\t'One command per profile at a time'
shared\t'Many commands at once, but none while an exclusive holder runs'
none\t'No lock'"
complete -c swop -n "__fish_swop_using_subcommand shell" -l wait -d 'Wait for a busy profile: forever, or up to SECS seconds' -r
complete -c swop -n "__fish_swop_using_subcommand shell" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c swop -n "__fish_swop_using_subcommand ps" -l json -d 'Print JSON: an array of processes'
complete -c swop -n "__fish_swop_using_subcommand ps" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand stop" -l timeout -d 'Seconds to wait after SIGTERM before sending SIGKILL' -r
complete -c swop -n "__fish_swop_using_subcommand stop" -l all -d 'End the processes of every profile'
complete -c swop -n "__fish_swop_using_subcommand stop" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand init" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand completions" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand recipes" -l json -d 'Print JSON: an array of recipes'
complete -c swop -n "__fish_swop_using_subcommand recipes" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand status" -l json -d 'Print JSON: an array of {profile, tools: [{tool, logged_in, detail}]}'
complete -c swop -n "__fish_swop_using_subcommand status" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand discover" -l os -d 'The OS the trace comes from (default: this one)' -r -f -a "linux\t''
macos\t''"
complete -c swop -n "__fish_swop_using_subcommand discover" -l tracer -d 'Tracer to use (default: strace on Linux; eslogger, else fs_usage, on macOS)' -r -f -a "strace\t''
fs_usage\t''
eslogger\t''"
complete -c swop -n "__fish_swop_using_subcommand discover" -l step -d 'A further step to trace after CMD, in order (repeatable), e.g. \'codex login status\'' -r
complete -c swop -n "__fish_swop_using_subcommand discover" -l candidate -d 'Also consider this variable (repeatable)' -r
complete -c swop -n "__fish_swop_using_subcommand discover" -l record -d 'Store the verified recipe under this tool name (swop add --tool TOOL uses it)' -r
complete -c swop -n "__fish_swop_using_subcommand discover" -l report -d 'Write the Markdown report to FILE' -r -F
complete -c swop -n "__fish_swop_using_subcommand discover" -l timeout -d 'Stop a step that runs longer than SECS (default: none with a terminal, 30 s without one and in the two-account run)' -r
complete -c swop -n "__fish_swop_using_subcommand discover" -l expect-exit -d 'A step may end with this exit code and still count as doing its job (repeatable; 0 always counts)' -r
complete -c swop -n "__fish_swop_using_subcommand discover" -l trace-file -d 'Analyse a trace captured elsewhere instead of running anything (repeatable): a file, a folder of files, or the prefix given to `strace -ff -o`; `-` or /dev/stdin reads standard input' -r -F
complete -c swop -n "__fish_swop_using_subcommand discover" -l format -d 'Format of --trace-file (default: detected)' -r -f -a "strace\t''
fs_usage\t''
eslogger\t''"
complete -c swop -n "__fish_swop_using_subcommand discover" -l json -d 'Print the findings as one JSON object on stdout'
complete -c swop -n "__fish_swop_using_subcommand discover" -l keep-traces -d 'Keep the raw traces (in the 0700 scratch folder)'
complete -c swop -n "__fish_swop_using_subcommand discover" -l all-paths -d 'List system files in the JSON too (they are counted otherwise)'
complete -c swop -n "__fish_swop_using_subcommand discover" -l print-capture -d 'Print the command swop would capture a trace with, and run nothing'
complete -c swop -n "__fish_swop_using_subcommand discover" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "add" -d 'Create a profile'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "list" -d 'List profiles, their bindings, and whether they are in use'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "show" -d 'Show one profile'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "set" -d 'Set or remove a profile\'s values (VAR=VALUE: AWS_PROFILE, GH_HOST, ...)'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "rm" -d 'Delete a profile (refused while it is in use)'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "env" -d 'Print the exports that switch a shell to a profile (eval "$(swop env NAME)")'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "use" -d 'Switch this shell to a profile (needs the shell integration: swop init)'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "off" -d 'Switch this shell back to how it was (needs the shell integration: swop init)'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "exec" -d 'Run one command as a profile, under the profile\'s lock'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "shell" -d 'Start an interactive $SHELL inside a profile, holding its lock until the shell exits'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "ps" -d 'List the processes running in a profile (or in all), lock or no lock'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "stop" -d 'End the processes running in a profile: SIGTERM, then SIGKILL after a timeout'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "init" -d 'Print the shell integration (swop use / swop off) for your shell rc file'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "completions" -d 'Print a completion script'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "recipes" -d 'List the recipes: the tools `swop add --tool` knows, verified here or not'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "status" -d 'Show who each profile\'s tools are logged in as'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "discover" -d 'Trace a tool, find and prove the smallest set of variables that isolates it'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "doctor" -d 'Show what works on this machine and what does not'
complete -c swop -n "__fish_swop_using_subcommand help; and not __fish_seen_subcommand_from add list show set rm env use off exec shell ps stop init completions recipes status discover doctor help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'

# Profile names where swop expects one, from `swop list --names`.
function __fish_swop_wants_profile
    set -l words (commandline -opc)
    set -e words[1]
    set -l sub
    set -l args 0
    set -l skip 0
    for word in $words
        if test $skip = 1
            set skip 0
        else if test -z "$sub"
            string match -q -- '-*' $word; or set sub $word
        else
            switch $word
                case -- --off --all
                    return 1
                case --lock --shell --wait --timeout
                    set skip 1
                case '-*'
                case '*'
                    set args (math $args + 1)
            end
        end
    end
    test $skip = 0; and test $args = 0; and contains -- "$sub" use env exec shell show rm remove ps stop
end
complete -c swop -n __fish_swop_wants_profile -f -a '(swop list --names 2>/dev/null)' -d profile
