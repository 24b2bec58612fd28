complete --keep-order --exclusive --command swop --arguments "(COMPLETE=fish swop -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
