# fish completion for ptt-task. Task ids and names come from
# `ptt-task list --json --no-autostart --timeout 1`: completing never starts a daemon
# nor waits long for a stuck one.
set -l subs spawn list status result logs cancel wait watch top follow-up retry clean ping shutdown doctor queue diff merge discard send interrupt pending allow deny

function __ptt_task_live_tasks
    set -l prog (commandline -opc)[1]
    string match -q -- '*/*' $prog; and test -x $prog; or set prog ptt-task
    set -l args list --json --no-autostart --timeout 1
    set -l words (commandline -opc)
    if set -l i (contains -i -- --socket $words)
        set -a args --socket $words[(math $i + 1)]
    end
    if set -l i (contains -i -- --host $words)
        set -a args --host $words[(math $i + 1)]
    end
    timeout 2 $prog $args 2>/dev/null | while read -l line
        string match -rg '[{,]"id":([0-9]+)' -- $line
        string match -rg '[{,]"name":"([^"\\\\ ]+)"' -- $line
    end
end

# "local" and the host names of the config file's [hosts.NAME] tables (a plain read).
function __ptt_task_hosts
    set -l file $PTT_CONFIG
    test -n "$file"; or set file (set -q XDG_CONFIG_HOME; and echo $XDG_CONFIG_HOME; or echo $HOME/.config)/ptt/config.toml
    set -l words (commandline -opc)
    if set -l i (contains -i -- --config $words)
        set file $words[(math $i + 1)]
    end
    echo local
    test -r $file; and string match -rg '^\s*\[hosts\.([A-Za-z0-9_-]+)\]' <$file
end

complete -c ptt-task -f
complete -c ptt-task -l help -d 'Print help'
complete -c ptt-task -l version -d 'Print version'
complete -c ptt-task -l host -x -a '(__ptt_task_hosts)' -d 'The host whose daemon to use'
complete -c ptt-task -l socket -r -F -d 'Daemon socket'
complete -c ptt-task -l no-autostart -d 'Do not start ptt-taskd'
complete -c ptt-task -l json -d 'Print data as NDJSON'
complete -c ptt-task -l timeout -x -d "Seconds to wait for the daemon's answer"

complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a spawn -d 'Start a background task'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a list -d 'List tasks'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a status -d 'Show one task in detail'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a result -d "Print a finished task's result"
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a logs -d "Print a task's agent log"
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a cancel -d 'Cancel tasks'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a wait -d 'Wait for tasks'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a watch -d 'Print task events'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a top -d 'Live dashboard of all tasks'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a follow-up -d "Continue a task's session"
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a retry -d 'Run a finished task again'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a send -d 'Send a running task a message'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a interrupt -d "End a running task's turn"
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a clean -d 'Forget finished tasks'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a ping -d 'Reach the daemon'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a shutdown -d 'Stop the daemon'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a queue -d 'The task queue\'s hold'
complete -c ptt-task -n '__fish_seen_subcommand_from queue; and not __fish_seen_subcommand_from resume' -x -a resume -d 'End the queue\'s hold now'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a doctor -d 'Check what ptt needs'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a pending -d 'Questions tasks wait to have answered'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a allow -d 'Let a task run the call it asks about'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a deny -d 'Refuse the call a task asks about'

complete -c ptt-task -n '__fish_seen_subcommand_from status result logs cancel wait follow-up retry diff merge discard send interrupt allow deny' \
    -a '(__ptt_task_live_tasks)' -d 'Task'

complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a diff -d 'Show what a worktree task changed'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a merge -d 'Merge a worktree task into its base branch'
complete -c ptt-task -n "not __fish_seen_subcommand_from $subs" -a discard -d "Remove a worktree task's worktree and branch"
complete -c ptt-task -n '__fish_seen_subcommand_from merge' -l squash -d 'As one commit'
complete -c ptt-task -n '__fish_seen_subcommand_from merge' -l rebase -d 'Rebase, then fast-forward'
complete -c ptt-task -n '__fish_seen_subcommand_from merge' -s m -l message -x -d 'Commit message'
complete -c ptt-task -n '__fish_seen_subcommand_from discard' -s y -l yes -d 'Do not ask'
complete -c ptt-task -n '__fish_seen_subcommand_from clean' -l worktrees -d 'List the worktrees left'
complete -c ptt-task -n '__fish_seen_subcommand_from diff' -l stat -d 'A diffstat instead of the patch'
complete -c ptt-task -n '__fish_seen_subcommand_from diff' -l name-only -d 'Only the changed files'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn' -l worktree -d 'Run in a new git worktree'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn' -l no-worktree -d 'Run in the cwd itself'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn' -l sandbox -d "Run under Claude Code's sandbox"
complete -c ptt-task -n '__fish_seen_subcommand_from spawn' -l no-sandbox -d 'Run outside the sandbox'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn' -l base -x -d 'The worktree base commit'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn' -l setup -x -d 'Command run in the new worktree first'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn' -l cwd -x -a '(__fish_complete_directories)' -d 'Directory to run in'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn follow-up retry' -l name -x -d 'Task name'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn' -l after -x -a '(__ptt_task_live_tasks)' -d 'Run after these tasks'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn follow-up retry' -l wait -d 'Wait for the task'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn follow-up' -l model -x -d 'Claude model'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn follow-up' -l max-turns -x -d 'Stop after N turns'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn follow-up' -l budget -x -d 'Cost cap in USD'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn follow-up' -l permission-mode -x -a 'acceptEdits auto bypassPermissions default dontAsk manual plan'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn follow-up' -l allowed-tools -x -d 'Tools allowed without asking'
complete -c ptt-task -n '__fish_seen_subcommand_from spawn follow-up' -l stall-timeout -x -d 'Stalled after this long without output'
complete -c ptt-task -n '__fish_seen_subcommand_from list' -l state -x -a 'queued starting running succeeded failed cancelled'
complete -c ptt-task -n '__fish_seen_subcommand_from list' -l all -d 'Every finished task'
complete -c ptt-task -n '__fish_seen_subcommand_from list' -l last -x -d 'Only the newest N finished tasks'
complete -c ptt-task -n '__fish_seen_subcommand_from list' -l all-hosts -d "Every configured host's tasks too"
complete -c ptt-task -n '__fish_seen_subcommand_from clean' -l state -x -a 'succeeded failed cancelled' -d 'Only tasks that ended so'
complete -c ptt-task -n '__fish_seen_subcommand_from clean' -l older-than -x -d 'Only tasks finished this long ago (7d)'
complete -c ptt-task -n '__fish_seen_subcommand_from logs' -s f -l follow -d 'Keep printing until the task ends'
complete -c ptt-task -n '__fish_seen_subcommand_from logs' -l raw -d 'Raw stream-json lines'
complete -c ptt-task -n '__fish_seen_subcommand_from doctor' -l claude -r -F -d 'Agent executable to check'
complete -c ptt-task -n '__fish_seen_subcommand_from allow' -l always -d 'Allow this kind of call for the rest of the task'
complete -c ptt-task -n '__fish_seen_subcommand_from allow deny' -l request -x -d 'Answer this question (ptt-task pending)'
complete -c ptt-task -n '__fish_seen_subcommand_from cancel' -l all -d 'Cancel every queued, starting and running task'
