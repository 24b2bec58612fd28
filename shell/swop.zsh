# swop shell integration for zsh: eval "$(swop init zsh)"
__swop_exe=@SWOP_EXE@
swop() {
    case "${1-}" in
    use)
        local __swop_out
        __swop_out="$("$__swop_exe" env "${@:2}" --shell zsh)" || return
        eval "$__swop_out"
        ;;
    off)
        local __swop_out
        __swop_out="$("$__swop_exe" env --off --shell zsh)" || return
        eval "$__swop_out"
        ;;
    *) "$__swop_exe" "$@" ;;
    esac
}
