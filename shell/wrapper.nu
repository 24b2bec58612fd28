# @TOOL@ runs through `swop exec` in a swop profile, under the profile's lock.
def --wrapped @TOOL@ [...args] {
    # `swop off` leaves SWOP_PROFILE null until the next prompt.
    if ($env.SWOP_PROFILE? | is-not-empty) {
        with-env {SWOP_WRAPPED: 1} { ^@SWOP_EXE@ exec $env.SWOP_PROFILE -- @TOOL@ ...$args }
    } else {
        ^@TOOL@ ...$args
    }
}
