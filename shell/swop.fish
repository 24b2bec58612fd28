# swop shell integration for fish: swop init fish | source
set -g __swop_exe @SWOP_EXE@
function swop
    switch "$argv[1]"
        case use
            $__swop_exe env $argv[2..-1] --shell fish | source
        case off
            $__swop_exe env --off --shell fish | source
        case '*'
            $__swop_exe $argv
    end
end
