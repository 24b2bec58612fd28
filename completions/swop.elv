
use builtin;
use str;

set edit:completion:arg-completer[swop] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'swop'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'swop'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Create a profile'
            cand list 'List profiles, their bindings, and whether they are in use'
            cand ls 'List profiles, their bindings, and whether they are in use'
            cand show 'Show one profile'
            cand set 'Set or remove a profile''s values (VAR=VALUE: AWS_PROFILE, GH_HOST, ...)'
            cand rm 'Delete a profile (refused while it is in use)'
            cand remove 'Delete a profile (refused while it is in use)'
            cand env 'Print the exports that switch a shell to a profile (eval "$(swop env NAME)")'
            cand use 'Switch this shell to a profile (needs the shell integration: swop init)'
            cand off 'Switch this shell back to how it was (needs the shell integration: swop init)'
            cand exec 'Run one command as a profile, under the profile''s lock'
            cand shell 'Start an interactive $SHELL inside a profile, holding its lock until the shell exits'
            cand ps 'List the processes running in a profile (or in all), lock or no lock'
            cand stop 'End the processes running in a profile: SIGTERM, then SIGKILL after a timeout'
            cand init 'Print the shell integration (swop use / swop off) for your shell rc file'
            cand completions 'Print a completion script'
            cand recipes 'List the recipes: the tools `swop add --tool` knows, verified here or not'
            cand status 'Show who each profile''s tools are logged in as'
            cand discover 'Trace a tool, find and prove the smallest set of variables that isolates it'
            cand doctor 'Show what works on this machine and what does not'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'swop;add'= {
            cand --tool 'Bind the variables of this tool''s recipe (repeatable): codex, claude, gemini, copilot, gh, glab, git, ssh, aws, gcloud, az, kubectl, docker, terraform, npm, pip, cargo, huggingface, fly, vercel, netlify, wrangler, gpg, rclone, or one recorded with swop discover --record (swop recipes lists them)'
            cand --bind 'Bind this variable to a folder of the profile (repeatable)'
            cand --bind-file 'Bind this variable to a file of the profile (repeatable), for tools whose knob names a file: AWS_SHARED_CREDENTIALS_FILE, KUBECONFIG, ...'
            cand --set 'Set this variable to a plain value in the profile (repeatable): AWS_PROFILE=work, GH_HOST=github.example.com. Values are stored in the clear: not for secrets'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;list'= {
            cand --json 'Print JSON: an array of profiles'
            cand --names 'Print only the names, one a line'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;ls'= {
            cand --json 'Print JSON: an array of profiles'
            cand --names 'Print only the names, one a line'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;show'= {
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;set'= {
            cand --unset-value 'Stop setting this variable (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;rm'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;remove'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;env'= {
            cand --shell 'Shell syntax to print (default: the shell that runs swop, else $SHELL''s, else sh)'
            cand --off 'Print the exports that undo swop and restore the previous values'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;use'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;off'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;exec'= {
            cand --lock 'How to lock the profile while the command runs [default: exclusive]'
            cand --wait 'Wait for a busy profile: forever, or up to SECS seconds'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'swop;shell'= {
            cand --lock 'How to lock the profile while the command runs [default: exclusive]'
            cand --wait 'Wait for a busy profile: forever, or up to SECS seconds'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'swop;ps'= {
            cand --json 'Print JSON: an array of processes'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;stop'= {
            cand --timeout 'Seconds to wait after SIGTERM before sending SIGKILL'
            cand --all 'End the processes of every profile'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;init'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;recipes'= {
            cand --json 'Print JSON: an array of recipes'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;status'= {
            cand --json 'Print JSON: an array of {profile, tools: [{tool, logged_in, detail}]}'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;discover'= {
            cand --os 'The OS the trace comes from (default: this one)'
            cand --tracer 'Tracer to use (default: strace on Linux; eslogger, else fs_usage, on macOS)'
            cand --step 'A further step to trace after CMD, in order (repeatable), e.g. ''codex login status'''
            cand --candidate 'Also consider this variable (repeatable)'
            cand --record 'Store the verified recipe under this tool name (swop add --tool TOOL uses it)'
            cand --report 'Write the Markdown report to FILE'
            cand --timeout 'Stop a step that runs longer than SECS (default: none with a terminal, 30 s without one and in the two-account run)'
            cand --expect-exit 'A step may end with this exit code and still count as doing its job (repeatable; 0 always counts)'
            cand --trace-file 'Analyse a trace captured elsewhere instead of running anything (repeatable): a file, a folder of files, or the prefix given to `strace -ff -o`; `-` or /dev/stdin reads standard input'
            cand --format 'Format of --trace-file (default: detected)'
            cand --json 'Print the findings as one JSON object on stdout'
            cand --keep-traces 'Keep the raw traces (in the 0700 scratch folder)'
            cand --all-paths 'List system files in the JSON too (they are counted otherwise)'
            cand --print-capture 'Print the command swop would capture a trace with, and run nothing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;doctor'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'swop;help'= {
            cand add 'Create a profile'
            cand list 'List profiles, their bindings, and whether they are in use'
            cand show 'Show one profile'
            cand set 'Set or remove a profile''s values (VAR=VALUE: AWS_PROFILE, GH_HOST, ...)'
            cand rm 'Delete a profile (refused while it is in use)'
            cand env 'Print the exports that switch a shell to a profile (eval "$(swop env NAME)")'
            cand use 'Switch this shell to a profile (needs the shell integration: swop init)'
            cand off 'Switch this shell back to how it was (needs the shell integration: swop init)'
            cand exec 'Run one command as a profile, under the profile''s lock'
            cand shell 'Start an interactive $SHELL inside a profile, holding its lock until the shell exits'
            cand ps 'List the processes running in a profile (or in all), lock or no lock'
            cand stop 'End the processes running in a profile: SIGTERM, then SIGKILL after a timeout'
            cand init 'Print the shell integration (swop use / swop off) for your shell rc file'
            cand completions 'Print a completion script'
            cand recipes 'List the recipes: the tools `swop add --tool` knows, verified here or not'
            cand status 'Show who each profile''s tools are logged in as'
            cand discover 'Trace a tool, find and prove the smallest set of variables that isolates it'
            cand doctor 'Show what works on this machine and what does not'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'swop;help;add'= {
        }
        &'swop;help;list'= {
        }
        &'swop;help;show'= {
        }
        &'swop;help;set'= {
        }
        &'swop;help;rm'= {
        }
        &'swop;help;env'= {
        }
        &'swop;help;use'= {
        }
        &'swop;help;off'= {
        }
        &'swop;help;exec'= {
        }
        &'swop;help;shell'= {
        }
        &'swop;help;ps'= {
        }
        &'swop;help;stop'= {
        }
        &'swop;help;init'= {
        }
        &'swop;help;completions'= {
        }
        &'swop;help;recipes'= {
        }
        &'swop;help;status'= {
        }
        &'swop;help;discover'= {
        }
        &'swop;help;doctor'= {
        }
        &'swop;help;help'= {
        }
    ]
    $completions[$command]
}
