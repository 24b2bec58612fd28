
# Profile names where swop expects one (from `swop list --names`), and the
# command after `swop exec NAME --`; everything else as generated above.
_swop_with_profiles() {
    local cur=${COMP_WORDS[COMP_CWORD]-} sub='' word names name
    local -i i skip=0 args=0 dashes=0 after=0 off=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if ((skip)); then
            skip=0
        elif [[ -z ${sub} ]]; then
            if [[ ${word} != -* ]]; then sub=${word}; fi
        elif ((dashes)); then
            after+=1
        else
            case ${word} in
            --) dashes=${i} ;;
            --lock | --shell | --wait | --timeout) skip=1 ;;
            --off | --all) off=1 ;;
            -*) ;;
            *) args+=1 ;;
            esac
        fi
    done
    case ${sub} in
    use | env | exec | shell | show | rm | remove | ps | stop)
        if ((!skip && !dashes && !off && args == 0)) && [[ ${cur} != -* ]]; then
            names=$(\swop list --names 2>/dev/null) || true
            COMPREPLY=()
            while IFS= read -r name; do
                if [[ -n ${name} && ${name} == "${cur}"* ]]; then COMPREPLY+=("${name}"); fi
            done <<<"${names}"
            return 0
        fi
        ;;
    *) ;;
    esac
    if [[ ${sub} == exec ]] && ((dashes)); then
        if declare -F _command_offset >/dev/null; then
            _command_offset "$((dashes + 1))"
        elif ((after == 0)); then
            names=$(compgen -c -- "${cur}") || true
            COMPREPLY=()
            while IFS= read -r name; do
                if [[ -n ${name} ]]; then COMPREPLY+=("${name}"); fi
            done <<<"${names}"
        fi
        return 0
    fi
    _swop "$@"
}

if [[ ${BASH_VERSINFO[0]} -eq 4 && ${BASH_VERSINFO[1]} -ge 4 || ${BASH_VERSINFO[0]} -gt 4 ]]; then
    complete -F _swop_with_profiles -o nosort -o bashdefault -o default swop
else
    complete -F _swop_with_profiles -o bashdefault -o default swop
fi
