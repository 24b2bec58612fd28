
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'swop' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'swop'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'swop' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a profile')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List profiles, their bindings, and whether they are in use')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List profiles, their bindings, and whether they are in use')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one profile')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set or remove a profile''s values (VAR=VALUE: AWS_PROFILE, GH_HOST, ...)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a profile (refused while it is in use)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a profile (refused while it is in use)')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print the exports that switch a shell to a profile (eval "$(swop env NAME)")')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Switch this shell to a profile (needs the shell integration: swop init)')
            [CompletionResult]::new('off', 'off', [CompletionResultType]::ParameterValue, 'Switch this shell back to how it was (needs the shell integration: swop init)')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run one command as a profile, under the profile''s lock')
            [CompletionResult]::new('shell', 'shell', [CompletionResultType]::ParameterValue, 'Start an interactive $SHELL inside a profile, holding its lock until the shell exits')
            [CompletionResult]::new('ps', 'ps', [CompletionResultType]::ParameterValue, 'List the processes running in a profile (or in all), lock or no lock')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'End the processes running in a profile: SIGTERM, then SIGKILL after a timeout')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Print the shell integration (swop use / swop off) for your shell rc file')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script')
            [CompletionResult]::new('recipes', 'recipes', [CompletionResultType]::ParameterValue, 'List the recipes: the tools `swop add --tool` knows, verified here or not')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show who each profile''s tools are logged in as')
            [CompletionResult]::new('discover', 'discover', [CompletionResultType]::ParameterValue, 'Trace a tool, find and prove the smallest set of variables that isolates it')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Show what works on this machine and what does not')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'swop;add' {
            [CompletionResult]::new('--tool', '--tool', [CompletionResultType]::ParameterName, 'Bind the variables of this tool''s recipe (repeatable): codex, claude, gemini, copilot, gh, glab, git, ssh, aws, gcloud, az, kubectl, docker, terraform, npm, pip, cargo, huggingface, fly, vercel, netlify, wrangler, gpg, rclone, or one recorded with swop discover --record (swop recipes lists them)')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Bind this variable to a folder of the profile (repeatable)')
            [CompletionResult]::new('--bind-file', '--bind-file', [CompletionResultType]::ParameterName, 'Bind this variable to a file of the profile (repeatable), for tools whose knob names a file: AWS_SHARED_CREDENTIALS_FILE, KUBECONFIG, ...')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set this variable to a plain value in the profile (repeatable): AWS_PROFILE=work, GH_HOST=github.example.com. Values are stored in the clear: not for secrets')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;list' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: an array of profiles')
            [CompletionResult]::new('--names', '--names', [CompletionResultType]::ParameterName, 'Print only the names, one a line')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;ls' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: an array of profiles')
            [CompletionResult]::new('--names', '--names', [CompletionResultType]::ParameterName, 'Print only the names, one a line')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;show' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;set' {
            [CompletionResult]::new('--unset-value', '--unset-value', [CompletionResultType]::ParameterName, 'Stop setting this variable (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;rm' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;remove' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;env' {
            [CompletionResult]::new('--shell', '--shell', [CompletionResultType]::ParameterName, 'Shell syntax to print (default: the shell that runs swop, else $SHELL''s, else sh)')
            [CompletionResult]::new('--off', '--off', [CompletionResultType]::ParameterName, 'Print the exports that undo swop and restore the previous values')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;use' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;off' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;exec' {
            [CompletionResult]::new('--lock', '--lock', [CompletionResultType]::ParameterName, 'How to lock the profile while the command runs [default: exclusive]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait for a busy profile: forever, or up to SECS seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'swop;shell' {
            [CompletionResult]::new('--lock', '--lock', [CompletionResultType]::ParameterName, 'How to lock the profile while the command runs [default: exclusive]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait for a busy profile: forever, or up to SECS seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'swop;ps' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: an array of processes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;stop' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait after SIGTERM before sending SIGKILL')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'End the processes of every profile')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;init' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;recipes' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: an array of recipes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;status' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: an array of {profile, tools: [{tool, logged_in, detail}]}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;discover' {
            [CompletionResult]::new('--os', '--os', [CompletionResultType]::ParameterName, 'The OS the trace comes from (default: this one)')
            [CompletionResult]::new('--tracer', '--tracer', [CompletionResultType]::ParameterName, 'Tracer to use (default: strace on Linux; eslogger, else fs_usage, on macOS)')
            [CompletionResult]::new('--step', '--step', [CompletionResultType]::ParameterName, 'A further step to trace after CMD, in order (repeatable), e.g. ''codex login status''')
            [CompletionResult]::new('--candidate', '--candidate', [CompletionResultType]::ParameterName, 'Also consider this variable (repeatable)')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Store the verified recipe under this tool name (swop add --tool TOOL uses it)')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the Markdown report to FILE')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop a step that runs longer than SECS (default: none with a terminal, 30 s without one and in the two-account run)')
            [CompletionResult]::new('--expect-exit', '--expect-exit', [CompletionResultType]::ParameterName, 'A step may end with this exit code and still count as doing its job (repeatable; 0 always counts)')
            [CompletionResult]::new('--trace-file', '--trace-file', [CompletionResultType]::ParameterName, 'Analyse a trace captured elsewhere instead of running anything (repeatable): a file, a folder of files, or the prefix given to `strace -ff -o`; `-` or /dev/stdin reads standard input')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Format of --trace-file (default: detected)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the findings as one JSON object on stdout')
            [CompletionResult]::new('--keep-traces', '--keep-traces', [CompletionResultType]::ParameterName, 'Keep the raw traces (in the 0700 scratch folder)')
            [CompletionResult]::new('--all-paths', '--all-paths', [CompletionResultType]::ParameterName, 'List system files in the JSON too (they are counted otherwise)')
            [CompletionResult]::new('--print-capture', '--print-capture', [CompletionResultType]::ParameterName, 'Print the command swop would capture a trace with, and run nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;doctor' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'swop;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a profile')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List profiles, their bindings, and whether they are in use')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one profile')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set or remove a profile''s values (VAR=VALUE: AWS_PROFILE, GH_HOST, ...)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a profile (refused while it is in use)')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print the exports that switch a shell to a profile (eval "$(swop env NAME)")')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Switch this shell to a profile (needs the shell integration: swop init)')
            [CompletionResult]::new('off', 'off', [CompletionResultType]::ParameterValue, 'Switch this shell back to how it was (needs the shell integration: swop init)')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run one command as a profile, under the profile''s lock')
            [CompletionResult]::new('shell', 'shell', [CompletionResultType]::ParameterValue, 'Start an interactive $SHELL inside a profile, holding its lock until the shell exits')
            [CompletionResult]::new('ps', 'ps', [CompletionResultType]::ParameterValue, 'List the processes running in a profile (or in all), lock or no lock')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'End the processes running in a profile: SIGTERM, then SIGKILL after a timeout')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Print the shell integration (swop use / swop off) for your shell rc file')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script')
            [CompletionResult]::new('recipes', 'recipes', [CompletionResultType]::ParameterValue, 'List the recipes: the tools `swop add --tool` knows, verified here or not')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show who each profile''s tools are logged in as')
            [CompletionResult]::new('discover', 'discover', [CompletionResultType]::ParameterValue, 'Trace a tool, find and prove the smallest set of variables that isolates it')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Show what works on this machine and what does not')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'swop;help;add' {
            break
        }
        'swop;help;list' {
            break
        }
        'swop;help;show' {
            break
        }
        'swop;help;set' {
            break
        }
        'swop;help;rm' {
            break
        }
        'swop;help;env' {
            break
        }
        'swop;help;use' {
            break
        }
        'swop;help;off' {
            break
        }
        'swop;help;exec' {
            break
        }
        'swop;help;shell' {
            break
        }
        'swop;help;ps' {
            break
        }
        'swop;help;stop' {
            break
        }
        'swop;help;init' {
            break
        }
        'swop;help;completions' {
            break
        }
        'swop;help;recipes' {
            break
        }
        'swop;help;status' {
            break
        }
        'swop;help;discover' {
            break
        }
        'swop;help;doctor' {
            break
        }
        'swop;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
