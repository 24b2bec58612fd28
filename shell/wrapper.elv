# @TOOL@ runs through `swop exec` in a swop profile, under the profile's lock.
fn @TOOL@ {|@args|
    if (has-env SWOP_PROFILE) {
        tmp E:SWOP_WRAPPED = 1
        @SWOP_EXE@ exec $E:SWOP_PROFILE -- @TOOL@ $@args
    } else {
        e:@TOOL@ $@args
    }
}
__swop_add @TOOL@ $'@TOOL@~'
