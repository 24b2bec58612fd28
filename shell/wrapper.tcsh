# @TOOL@ runs through `swop exec` in a swop profile, under the profile's lock.
alias __swop_bare_@TOOL@ '\@TOOL@ $__swop_a:q'
alias __swop_wrap_@TOOL@ 'env SWOP_WRAPPED=1 $__swop_exe:q exec $SWOP_PROFILE:q -- @TOOL@ $__swop_a:q'
alias @TOOL@ 'set __swop_a = (\!*); set __swop_c = __swop_bare_@TOOL@; if ($?SWOP_PROFILE) set __swop_c = __swop_wrap_@TOOL@; eval $__swop_c'
