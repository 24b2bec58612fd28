# @TOOL@ runs through `swop exec` in a swop profile, under the profile's lock.
def --wrapped @TOOL@ [...args] {
    if 'SWOP_PROFILE' in $env {
        ^@SWOP_EXE@ exec $env.SWOP_PROFILE -- @TOOL@ ...$args
    } else {
        ^@TOOL@ ...$args
    }
}
