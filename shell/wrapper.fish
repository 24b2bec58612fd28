# @TOOL@ runs through `swop exec` in a swop profile, under the profile's lock.
function @TOOL@ --wraps @TOOL@ --description '@TOOL@, through swop exec in a swop profile'
    if set -q SWOP_PROFILE; and test -n "$SWOP_PROFILE"
        SWOP_WRAPPED=1 @SWOP_EXE@ exec $SWOP_PROFILE -- @TOOL@ $argv
    else
        command @TOOL@ $argv
    end
end
