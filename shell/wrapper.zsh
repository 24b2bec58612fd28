    # @TOOL@ runs through `swop exec` in a swop profile, under the profile's lock.
    function @TOOL@ {
        \builtin emulate -L zsh
        if [[ -n ${SWOP_PROFILE-} ]]; then
            SWOP_WRAPPED=1 @SWOP_EXE@ exec "${SWOP_PROFILE}" -- @TOOL@ "$@"
        else
            \command @TOOL@ "$@"
        fi
    }
