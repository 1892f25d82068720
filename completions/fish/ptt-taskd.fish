# fish completion for ptt-taskd.
complete -c ptt-taskd -f
complete -c ptt-taskd -l help -d 'Print help'
complete -c ptt-taskd -l version -d 'Print version'
complete -c ptt-taskd -l socket -r -F -d 'Unix socket to listen on'
complete -c ptt-taskd -l state-dir -x -a '(__fish_complete_directories)' -d 'Task records and logs'
complete -c ptt-taskd -l claude -x -a '(__fish_complete_command)' -d 'Agent executable'
complete -c ptt-taskd -l max-running -x -d 'Tasks running at once'
complete -c ptt-taskd -l kill-grace -x -d 'Seconds between SIGTERM and SIGKILL'
complete -c ptt-taskd -l stall-timeout -x -d 'Seconds without agent output before a task is stalled'
complete -c ptt-taskd -l stall-action -x -a 'report kill' -d 'What a stall does'
complete -c ptt-taskd -l isolate -x -a 'worktree none' -d 'Give tasks in a git checkout their own worktree'
complete -c ptt-taskd -l sandbox -d "Run every task under Claude Code's sandbox"
complete -c ptt-taskd -l approval-timeout -x -d "Seconds an agent's question waits before it is denied"
complete -c ptt-taskd -l always-allow -x -d 'Tool patterns every agent may use without asking'
complete -c ptt-taskd -l rate-limit-hold -x -a 'on off' -d 'Hold queued tasks until a rate limit resets'
complete -c ptt-taskd -l allow-root -x -a '(__fish_complete_directories)' -d 'Only run tasks under DIR'
complete -c ptt-taskd -l default-permission-mode -x -a 'acceptEdits auto bypassPermissions default dontAsk manual plan'
complete -c ptt-taskd -l default-allowed-tools -x -d 'Default allowed tools'
complete -c ptt-taskd -l default-model -x -d 'Default model'
complete -c ptt-taskd -l default-max-turns -x -d 'Default max turns'
complete -c ptt-taskd -l default-budget -x -d 'Default budget in USD'
complete -c ptt-taskd -l default-append-system-prompt -x -d 'Default appended system prompt'
complete -c ptt-taskd -l ready-fd -x -d 'Write "ready <socket>" to this fd'
