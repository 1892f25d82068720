#include "taskcli/commands.h"

#include <algorithm>
#include <iterator>
#include <memory>

#include "core/cli.h"
#include "core/config.h"
#include "protocol/permission_modes.h"
#include "protocol/task_state.h"
#include "taskcli/duration.h"

namespace ptt::taskcli {

namespace {

CLI::Validator permission_mode_check() {
  return CLI::Validator(
      [](std::string& mode) {
        return protocol::is_permission_mode(mode)
                   ? std::string()
                   : "unknown mode '" + mode + "'; use one of " + protocol::permission_modes_list();
      },
      "MODE");
}

void add_agent_flags(CLI::App* sub, AgentFlags& f) {
  sub->add_option("--model", f.model, "Claude model for this task");
  sub->add_option("--max-turns", f.max_turns, "Stop after N agent turns (1 or more)")
      ->check(at_least(1, true));
  sub->add_option("--budget", f.budget_usd, "Stop when the run costs more than USD (more than 0)")
      ->check(more_than(0));
  sub->add_option("--permission-mode", f.permission_mode,
                  "Claude permission mode: " + protocol::permission_modes_list())
      ->check(permission_mode_check());
  sub->add_option("--allowed-tools", f.allowed_tools, "Tools allowed without asking, e.g. \"Bash,Edit\"");
  sub->add_option("--stall-timeout", f.stall_timeout,
                  "Without agent output this long the task is stalled (90s, 10m; 0: never); "
                  "default: ptt-taskd's --stall-timeout")
      ->check(CLI::Validator(
          [](std::string& text) {
            return parse_duration(text) ? std::string()
                                        : "must be a duration like 90s or 10m, or 0 (not '" + text + "')";
          },
          "DURATION"));
}

template <typename Fn>
void on(CLI::App* sub, Invocation& inv, Fn fn) {
  sub->callback([&inv, fn] { inv.action = fn; });
}

}  // namespace

std::string_view requested_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") return {};
    if (arg == "--socket" || arg == "--config" || arg == "--timeout" || arg == "--host") {
      ++i;  // their value, which may look like a command name
      continue;
    }
    if (arg.starts_with("-")) continue;
    auto known = std::find(std::begin(kCommandNames), std::end(kCommandNames), arg);
    return known == std::end(kCommandNames) ? std::string_view{} : *known;
  }
  return {};
}

void define_commands(CLI::App& app, Invocation& inv, std::string_view only) {
  auto& g = inv.global;
  auto& a = inv.args;
  auto want = [only](std::string_view name) { return only.empty() || only == name; };
  if (!only.empty()) {
    if (auto config = std::dynamic_pointer_cast<TomlConfig>(app.get_config_formatter())) {
      std::vector<std::string> others;
      for (std::string_view name : kCommandNames) {
        if (name != only) others.emplace_back(name);
      }
      config->skip_subcommand_tables(std::move(others));
    }
  }
  app.fallthrough();  // global options are accepted after the subcommand too
  app.require_subcommand(1);
  app.add_option("--host", g.host,
                 "Talk to the daemon on this host: local (default), a [hosts.NAME] name of the config file, "
                 "or ssh://[user@]host[:port] (docs/hosts.md)")
      ->envname("PTT_HOST")
      ->type_name("HOST");
  app.add_option("--socket", g.socket, "Daemon socket (default: $XDG_RUNTIME_DIR/ptt/taskd.sock)")
      ->envname("PTT_SOCKET");
  app.add_flag("--no-autostart", g.no_autostart, "Do not start ptt-taskd when none answers")
      ->envname("PTT_NO_AUTOSTART");
  app.add_flag("--json", g.json, "Print data as NDJSON, one object per line");
  app.add_option("--timeout", g.timeout_s,
                 "Seconds to wait for the daemon's answer, then exit 3 (default 5; `wait`, `logs -f` and "
                 "`watch` wait for the tasks)")
      ->envname("PTT_TIMEOUT")
      ->type_name("SECONDS")
      ->check(more_than(0));

  if (want("spawn")) {
    auto* spawn = app.add_subcommand("spawn", "Start a background task; prints its id");
    spawn->add_option("--cwd", a.spawn.cwd, "Directory to run in (default: the current one)");
    spawn->add_option("--name", a.spawn.name, "A name usable wherever the id is");
    spawn
        ->add_option("--after", a.spawn.after,
                     "Run only after these tasks succeeded (ids or names; \"1,2\" or repeated)")
        ->expected(1, -1)
        ->delimiter(',');
    spawn->add_flag("--wait", a.spawn.wait, "Wait for the task; exit 0 only if it succeeded");
    auto* worktree = spawn->add_flag("--worktree", a.spawn.worktree,
                                     "Run in a new git worktree on branch ptt/<id>[-<name>] (docs/taskd.md)");
    spawn
        ->add_flag("--no-worktree", a.spawn.no_worktree,
                   "Run in the cwd itself even when the daemon runs with --isolate worktree")
        ->excludes(worktree);
    spawn->add_option("--base", a.spawn.base, "The worktree's base commit, branch or tag (default: HEAD)");
    spawn->add_option("--setup", a.spawn.setup,
                      "Shell command run in the new worktree before the agent; its failure fails the task");
    auto* sandbox = spawn->add_flag(
        "--sandbox", a.spawn.sandbox,
        "Run under Claude Code's sandbox: Bash writes only in the cwd (or worktree), no network but allowed "
        "domains; fails (sandbox_unavailable) rather than run unsandboxed (docs/taskd.md)");
    spawn
        ->add_flag("--no-sandbox", a.spawn.no_sandbox,
                   "Run outside the sandbox even when the daemon runs with --sandbox")
        ->excludes(sandbox);
    add_agent_flags(spawn, a.spawn.agent);
    spawn
        ->add_option("prompt", a.spawn.prompt,
                     "What the agent should do: the words, joined with spaces ('-' reads stdin)")
        ->required();
    on(spawn, inv, [&a](CliSession& s) { return cmd_spawn(s, a.spawn); });
  }
  if (want("list")) {
    auto* list = app.add_subcommand("list", "List tasks");
    list->add_option("--state", a.list.state,
                     "Only tasks in this state (queued, starting, running, succeeded, failed, cancelled)");
    auto* all = list->add_flag("--all", a.list.all,
                               "Every finished task; the table shows the newest " +
                                   std::to_string(kListTableFinished) + " without it (--json shows all)");
    list->add_option("--last", a.list.last, "Only the newest N finished tasks (unfinished ones always)")
        ->type_name("N")
        ->check(at_least(0, true))
        ->excludes(all);
    list->add_flag(
        "--all-hosts", a.list.all_hosts,
        "This machine's tasks and those of every [hosts.NAME] host of the config file, with a HOST "
        "column (\"host\" in --json); --host does not apply");
    list->footer(
        "Exit status: 0; with --all-hosts, 3 when a host could not be reached (one line each on stderr;\n"
        "the other hosts' tasks are still shown).");
    on(list, inv, [&a](CliSession& s) { return cmd_list(s, a.list); });
  }
  if (want("status")) {
    auto* status = app.add_subcommand("status", "Show one task in detail");
    status->add_option("task", a.task, "Task id or name")->required();
    on(status, inv, [&a](CliSession& s) { return cmd_status(s, a.task); });
  }
  if (want("diff")) {
    auto* diff = app.add_subcommand(
        "diff",
        "Show what a worktree task changed since its base commit (committed, uncommitted, untracked)");
    diff->add_option("task", a.diff.task, "Task id or name")->required();
    auto* stat = diff->add_flag("--stat", a.diff.stat, "A diffstat instead of the patch");
    diff->add_flag("--name-only", a.diff.name_only, "Only the changed files' names")->excludes(stat);
    on(diff, inv, [&a](CliSession& s) { return cmd_diff(s, a.diff); });
  }
  if (want("merge")) {
    auto* merge = app.add_subcommand(
        "merge", "Bring a worktree task's changes onto the branch it was based on, in the main checkout");
    merge->add_option("task", a.merge.task, "Task id or name")->required();
    auto* squash = merge->add_flag("--squash", a.merge.squash, "As one commit");
    merge
        ->add_flag("--rebase", a.merge.rebase, "Rebase the task's commits onto the branch, then fast-forward")
        ->excludes(squash);
    merge->add_option("--message,-m", a.merge.message,
                      "Message of the commit of the task's uncommitted work (and of a squash)");
    merge->footer(
        "Nothing in the main checkout changes when the merge would conflict or it has uncommitted "
        "changes to the task's files; exit status 1 then, naming them.");
    on(merge, inv, [&a](CliSession& s) { return cmd_merge(s, a.merge); });
  }
  if (want("discard")) {
    auto* discard = app.add_subcommand("discard", "Remove a worktree task's worktree and branch");
    discard->add_option("task", a.discard.task, "Task id or name")->required();
    discard->add_flag("--yes,-y", a.discard.yes, "Do not ask (needed when stdin is not a terminal)");
    on(discard, inv, [&a](CliSession& s) { return cmd_discard(s, a.discard); });
  }
  if (want("result")) {
    auto* result = app.add_subcommand("result", "Print a finished task's result text");
    result->add_option("task", a.task, "Task id or name")->required();
    on(result, inv, [&a](CliSession& s) { return cmd_result(s, a.task); });
  }
  if (want("logs")) {
    auto* logs = app.add_subcommand("logs", "Print a task's agent log");
    logs->add_option("task", a.task, "Task id or name")->required();
    logs->add_flag("-f,--follow", a.follow, "Keep printing until the task ends");
    logs->add_flag("--raw", a.raw, "Print the raw stream-json lines");
    on(logs, inv, [&a](CliSession& s) { return cmd_logs(s, a.task, a.follow, a.raw); });
  }
  if (want("cancel")) {
    auto* cancel = app.add_subcommand("cancel", "Cancel tasks (SIGTERM, then SIGKILL)");
    cancel->add_option("tasks", a.tasks, "Task ids or names");
    cancel->add_flag("--all", a.all, "Cancel every queued, starting and running task");
    on(cancel, inv, [&a](CliSession& s) { return cmd_cancel(s, a.tasks, a.all); });
  }
  if (want("wait")) {
    auto* wait = app.add_subcommand("wait", "Wait for tasks; exit 0 only if all succeeded");
    wait->add_option("tasks", a.tasks,
                     "Task ids or names (none: every task queued, starting or running now)");
    on(wait, inv, [&a](CliSession& s) { return cmd_wait(s, a.tasks); });
  }
  if (want("watch")) {
    auto* watch = app.add_subcommand("watch", "Print task events as they happen");
    watch->footer(
        "One line per event: created, started, activity (a new tool use, or cancelling), finished.\n"
        "With --json, one JSON object per line: {\"event\": \"activity\", \"task\": {...}}, where task\n"
        "always has id, name and state, and then what changed: the whole record for created,\n"
        "the activity for activity, the reason and result for finished (docs/protocol.md, Events).\n"
        "It runs until Ctrl-C (130), or until ptt-taskd goes away (3).");
    on(watch, inv, [](CliSession& s) { return cmd_watch(s); });
  }
  if (want("top")) {
    auto* top = app.add_subcommand("top", "Full-screen live dashboard of all tasks (a terminal only)");
    top->footer(
        "Keys:\n"
        "  Up/Down, j/k    select a task (PgUp/PgDn, g/G: by page, first/last)\n"
        "  Enter           follow the selected task's log (`logs -f`); q or Ctrl-C comes back\n"
        "  c               cancel the selected task (asks y/n)\n"
        "  f               type a follow-up prompt for the selected task; Enter sends it, Esc drops it\n"
        "  r               retry the selected task (same prompt, cwd and options)\n"
        "  a / d           allow / deny the call the selected task asks about (a task waiting\n"
        "                  for an answer is highlighted, and the status bar says what it asks)\n"
        "  D               the selected worktree task's diff in $PAGER (else less -R)\n"
        "  m / x           merge / discard the selected worktree task (asks y/n; runs\n"
        "                  `ptt-task merge` / `discard --yes`, its outcome in the status bar)\n"
        "  q               quit\n"
        "The view changes as the daemon reports events; when ptt-taskd goes away it says so and\n"
        "reconnects when it is back, and when it stops answering (e.g. it is stopped) it says that\n"
        "until it answers again. In a pipe use `ptt-task list` or `ptt-task watch --json`.\n"
        "Exit status: 0 after q, 130 after Ctrl-C or SIGTERM, 2 when stdin or stdout is not a terminal.");
    on(top, inv, [](CliSession& s) { return cmd_top(s); });
  }
  if (want("follow-up")) {
    auto* follow_up = app.add_subcommand("follow-up", "Continue a task's Claude session as a new task");
    follow_up->add_option("task", a.follow_up.task, "Task id or name")->required();
    follow_up->add_option("prompt", a.follow_up.prompt, "What to do next: the words ('-' reads stdin)")
        ->required();
    follow_up->add_option("--name", a.follow_up.name, "A name for the new task");
    follow_up->add_flag("--wait", a.follow_up.wait, "Wait for the new task; exit 0 only if it succeeded");
    add_agent_flags(follow_up, a.follow_up.agent);
    on(follow_up, inv, [&a](CliSession& s) { return cmd_follow_up(s, a.follow_up); });
  }
  if (want("send")) {
    auto* send = app.add_subcommand("send", "Send a running task a message: the next turn of its session");
    send->add_option("task", a.send.task, "Task id or name")->required();
    send->add_option("text", a.send.text, "The message: the words ('-' reads stdin)")->required();
    send->footer(
        "A message sent while the agent works is taken as soon as it can (folded into the running turn, or\n"
        "as the next one); one sent before the task's result line makes the session go on with it.\n"
        "A task that has finished (or ended its session) takes none: exit 1, and `ptt-task follow-up`\n"
        "goes on with its session as a new task. A queued task takes none yet (exit 1).");
    on(send, inv, [&a](CliSession& s) { return cmd_send(s, a.send); });
  }
  if (want("interrupt")) {
    auto* interrupt =
        app.add_subcommand("interrupt", "End a running task's current turn; its session waits for a message");
    interrupt->add_option("task", a.task, "Task id or name")->required();
    interrupt->footer(
        "The agent stops what it is doing (its turn ends as error_during_execution) and the session\n"
        "stays open: `ptt-task send ID TEXT` gives it the next turn. With no message within the task's\n"
        "stall timeout (600 s when that is 0) its input is closed and it ends failed with the\n"
        "interrupted turn's result (reason aborted_streaming).\n"
        "A task that is not running takes none: exit 1.");
    on(interrupt, inv, [&a](CliSession& s) { return cmd_interrupt(s, a.task); });
  }
  if (want("clean")) {
    auto* clean = app.add_subcommand("clean", "Forget finished tasks (never queued or running ones)");
    clean->add_option("--state", a.clean.state, "Only tasks that ended so")
        ->check(CLI::IsMember(protocol::task_state_names(true)));
    clean
        ->add_option("--older-than", a.clean.older_than,
                     "Only tasks finished at least this long ago (30s, 10m, 2h, 7d)")
        ->check(CLI::Validator(
            [](std::string& text) {
              return parse_duration(text) ? std::string()
                                          : "must be a duration like 30s, 10m, 2h or 7d (not '" + text + "')";
            },
            "DURATION"));
    clean->add_flag("--worktrees", a.clean.worktrees,
                    "Only list the task worktrees left on disk and their sizes (forgets nothing)");
    on(clean, inv, [&a](CliSession& s) { return cmd_clean(s, a.clean); });
  }
  if (want("retry")) {
    auto* retry = app.add_subcommand("retry", "Run a finished task again as a new task; prints its id");
    retry->add_option("task", a.retry.task, "Task id or name (it must have finished)")->required();
    retry->add_option("--name", a.retry.name, "A name for the new task (names are not copied)");
    retry->add_flag("--wait", a.retry.wait, "Wait for the new task; exit 0 only if it succeeded");
    retry->footer(
        "The new task has the old one's prompt, directory and agent options (a retried follow-up\n"
        "resumes the same session), not its --after dependencies; its record's retry_of names\n"
        "the old task. A queued or running task cannot be retried: wait for it or cancel it first.");
    on(retry, inv, [&a](CliSession& s) { return cmd_retry(s, a.retry); });
  }
  if (want("ping")) {
    auto* ping = app.add_subcommand("ping", "Reach the daemon (starting it if needed); print its version");
    on(ping, inv, [](CliSession& s) { return cmd_ping(s); });
  }
  if (want("doctor")) {
    auto* doctor = app.add_subcommand(
        "doctor", "Check claude, OPENAI_API_KEY, audio input, keyboard access, the daemon and the state dir");
    doctor->add_option("--claude", a.claude,
                       "Check this agent executable (default: $PTT_CLAUDE, else claude on PATH)");
    doctor->footer(
        "With --host it runs on the host and checks what its ptt-taskd needs (claude, the daemon, the\n"
        "state dir, the sandbox), first saying so; OPENAI_API_KEY, models, audio, keyboard and portal\n"
        "are for ptt-realtime and ptt-listen, which run here: `ptt-task --host local doctor` checks them.\n"
        "Exit status: 0 when no check failed (warnings allowed), 1 when one did.");
    doctor->callback([&inv, &a] {
      inv.autostart = false;
      inv.action = [&a](CliSession& s) { return cmd_doctor(s, a.claude); };
    });
  }
  if (want("pending")) {
    auto* pending = app.add_subcommand("pending", "List the questions tasks' agents wait to have answered");
    pending->footer(
        "A task whose agent wants to run a tool call its permission mode does not allow (e.g. a Bash\n"
        "curl in acceptEdits) asks, and waits (state running, shown as waiting) until it is answered\n"
        "with `allow` or `deny`, or ptt-taskd's --approval-timeout denies it. Oldest first; with\n"
        "--json one object {\"questions\": [{task, request, tool, input, summary, requested_at}...]}.");
    on(pending, inv, [](CliSession& s) { return cmd_pending(s); });
  }
  for (bool allow : {true, false}) {
    const char* name = allow ? "allow" : "deny";
    if (!want(name)) continue;
    auto* answer = app.add_subcommand(
        name, allow ? "Let a task's agent run the call it asks about (its oldest open question)"
                    : "Refuse the call a task's agent asks about (its oldest open question)");
    answer->add_option("task", a.answer.task, "Task id or name")->required();
    if (allow) {
      answer->add_flag("--always", a.answer.always,
                       "Also allow this kind of call (e.g. Bash(curl:*)) for the rest of the task and its "
                       "follow-ups");
    } else {
      answer->add_option("reason", a.answer.reason, "What the agent is told (the words)");
    }
    answer->add_option("--request", a.answer.request,
                       "Answer this question (its REQUEST in `ptt-task pending`)");
    answer->footer(
        "Exit status: 0 answered, 1 the task has no open question (see `ptt-task pending`), 4 no "
        "such task.");
    on(answer, inv, [&a, allow](CliSession& s) { return cmd_answer(s, a.answer, allow); });
  }
  if (want("queue")) {
    auto* queue =
        app.add_subcommand("queue", "The task queue's hold (a rate limit holds it until the reset)");
    queue->require_subcommand(1);
    auto* resume = queue->add_subcommand("resume", "End the queue's hold now: queued tasks may start");
    resume->footer(
        "A task refused for a rate limit holds the queue until the limit resets (see `ptt-task list`);\n"
        "this ends the hold at once. Prints the hold it ended, or that the queue was not held.");
    on(resume, inv, [](CliSession& s) { return cmd_queue_resume(s); });
  }
  if (want("dial-stdio")) {
    auto* dial = app.add_subcommand(
        "dial-stdio",
        "Bridge stdin and stdout to this machine's daemon (what a remote host runs for --host)");
    dial->footer(
        "`ptt-task --host HOST ...` runs `ssh HOST ptt-task dial-stdio` and speaks the protocol through it\n"
        "(docs/hosts.md). It copies bytes both ways unchanged, starting ptt-taskd first when none answers\n"
        "(unless --no-autostart); --host does not apply to it.\n"
        "Exit status: 0 when either side closes, 3 when the daemon cannot be reached or started.");
    on(dial, inv, [](CliSession& s) { return cmd_dial_stdio(s); });
  }
  if (want("shutdown")) {
    auto* shutdown = app.add_subcommand("shutdown", "Stop the daemon; running tasks go on");
    shutdown->footer(
        "Never starts one: with none running it says so and exits 0 (--json: {\"shutdown\":false}).\n"
        "With --host it runs on the host whole (as `ssh HOST ptt-task --host local shutdown`).");
    shutdown->callback([&inv] {
      inv.autostart = false;
      inv.action = [](CliSession& s) { return cmd_shutdown(s); };
    });
  }
}

}  // namespace ptt::taskcli
