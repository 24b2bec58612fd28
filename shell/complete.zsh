(( $+functions[_swop_profiles] )) ||
_swop_profiles() {
    local -a profiles
    profiles=(${(f)"$(_call_program profiles swop list --names 2>/dev/null)"})
    _describe -t profiles 'swop profile' profiles "$@"
}

