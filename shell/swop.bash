# swop shell integration for bash: eval "$(swop init bash)"
__swop_exe=@SWOP_EXE@
swop() {
    case "${1-}" in
    use)
        local __swop_out
        __swop_out="$("$__swop_exe" env "${@:2}" --shell bash)" || return
        eval "$__swop_out"
        ;;
    off)
        local __swop_out
        __swop_out="$("$__swop_exe" env --off --shell bash)" || return
        eval "$__swop_out"
        ;;
    *) "$__swop_exe" "$@" ;;
    esac
}
