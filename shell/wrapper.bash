# @TOOL@ runs through `swop exec` in a swop profile, under the profile's lock.
function @TOOL@ {
    # The folder's .swop applies to the command line that enters it (`cd
    # repo && @TOOL@`), not only from the next prompt on.
    __swop_folder_hook
    if [[ -n ${SWOP_PROFILE-} ]]; then
        SWOP_WRAPPED=1 @SWOP_EXE@ exec "${SWOP_PROFILE}" -- @TOOL@ "$@"
    else
        \command @TOOL@ "$@"
    fi
}
