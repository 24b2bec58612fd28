# swop's shell integration for tcsh (and csh). Add to ~/.tcshrc:
#
#     eval "`swop init tcsh`"
#
# csh has no functions: `swop` is an alias that picks one of two others, and
# `eval` runs the one it picked, so that `$status` is swop's. Variables are
# read inside aliases only, where `:q` keeps them whole (in a command
# substitution within double quotes they would be read again as words).
# An alias reads a redirection as words of its own: to redirect swop or a
# wrapped tool, use a subshell, as in `(swop list) > profiles.txt`. swop prints
# this script on one line, without these comments, for `eval` to read.
set __swop_exe = @SWOP_EXE@
alias __swop_run 'env SWOP_INTEGRATION=tcsh $__swop_exe:q $__swop_a:q'
alias __swop_print 'env SWOP_SHELL_FUNCTION=tcsh $__swop_exe:q $__swop_a:q'
alias __swop_switch 'set __swop_o = "`__swop_print`" && eval "$__swop_o"'
alias swop 'set __swop_a = (\!*); set __swop_s = "$__swop_a"; set __swop_c = __swop_run; if ("$__swop_s" == use || "$__swop_s" =~ "use *" || "$__swop_s" == off || "$__swop_s" =~ "off *") set __swop_c = __swop_switch; eval $__swop_c'
# Completion: subcommands, then profile names after those that take one.
alias __swop_names '$__swop_exe:q list --names'
complete swop 'p/1/(@SWOP_COMMANDS@)/' @SWOP_NAME_PATTERNS@
# @SWOP_WRAPPERS@
