
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
