# @TOOL@ runs through `swop exec` in a swop profile, under the profile's lock.
aliases['@TOOL@'] = _swop_wrapper('@TOOL@')
