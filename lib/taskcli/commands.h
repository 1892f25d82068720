#pragma once
// ptt-task's subcommands: their CLI11 definitions and one handler each.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "taskcli/session.h"

namespace ptt::taskcli {

struct AgentFlags {
  std::string model;
  std::optional<int> max_turns;
  std::optional<double> budget_usd;
  std::string permission_mode;
  std::string allowed_tools;  // comma- or space-separated
  std::string stall_timeout;  // a duration (10m, 90s); "0": never stalled
};

struct SpawnArgs {
  std::vector<std::string> prompt;  // the words, joined with spaces; "-" alone reads stdin
  std::string cwd;
  std::string name;
  std::vector<std::string> after;
  bool wait = false;
  AgentFlags agent;
  bool worktree = false, no_worktree = false;  // --worktree, --no-worktree
  std::string base, setup;                     // --base REF, --setup CMD
  bool sandbox = false, no_sandbox = false;    // --sandbox, --no-sandbox
};

struct FollowUpArgs {
  std::string task;
  std::vector<std::string> prompt;
  std::string name;
  bool wait = false;
  AgentFlags agent;
};

struct SendArgs {
  std::string task;
  std::vector<std::string> text;  // the words, joined with spaces; "-" alone reads stdin
};

struct RetryArgs {
  std::string task;
  std::string name;
  bool wait = false;
};

struct CleanArgs {
  std::string state;       // only tasks that ended so
  std::string older_than;  // only tasks finished at least this long ago ("30s", "2h", "7d")
  bool worktrees = false;  // --worktrees: list the task worktrees left, with sizes; forget nothing
};

struct ListArgs {
  std::string state;                  // --state
  std::optional<std::uint64_t> last;  // --last N: the newest N finished tasks
  bool all = false;                   // --all: every finished task, also in the table
  bool all_hosts = false;             // --all-hosts: this machine's tasks and every configured host's
};
// The table's finished tasks without --all or --last: a screenful or two, not a history
// of months (100,000 rows cost a second to print and nobody reads them).
inline constexpr std::uint64_t kListTableFinished = 100;

struct DiffArgs {
  std::string task;
  bool stat = false, name_only = false;
};

// allow, deny
struct AnswerArgs {
  std::string task;
  std::vector<std::string> reason;  // deny: the words, joined with spaces
  bool always = false;              // allow --always
  std::string request;              // --request: this question rather than the task's oldest
};

struct MergeArgs {
  std::string task;
  bool squash = false, rebase = false;
  std::string message;
};

struct DiscardArgs {
  std::string task;
  bool yes = false;
};

struct CommandArgs {
  DiffArgs diff;
  MergeArgs merge;
  DiscardArgs discard;
  SpawnArgs spawn;
  FollowUpArgs follow_up;
  RetryArgs retry;
  SendArgs send;
  CleanArgs clean;
  AnswerArgs answer;
  ListArgs list;
  std::string task;                // status, result, logs
  std::vector<std::string> tasks;  // cancel, wait (none: every unfinished task)
  bool all = false;                // cancel --all
  bool follow = false;             // logs -f
  bool raw = false;                // logs --raw
  std::string claude;              // doctor --claude
};

// The parsed command line: global options, per-command arguments and the handler
// the chosen subcommand selected.
struct Invocation {
  GlobalOptions global;
  CommandArgs args;
  std::function<int(CliSession&)> action;
  bool autostart = true;  // false for commands that must not start a daemon (shutdown)
};

inline constexpr std::string_view kCommandNames[] = {
    "spawn",   "list",  "status",    "result",  "logs",     "cancel", "wait",      "watch", "follow-up",
    "clean",   "retry", "ping",      "doctor",  "shutdown", "top",    "queue",     "diff",  "merge",
    "discard", "send",  "interrupt", "pending", "allow",    "deny",   "dial-stdio"};
// The subcommand a command line names ("" when it names none, or asks for the
// top-level --help or --version). Defining only that one spares ptt-task building
// all the others at every start (about 1 ms and a dozen page faults per call).
std::string_view requested_command(int argc, char** argv);
// `only`: define just that subcommand ("" for all); other subcommands' config tables are skipped.
void define_commands(CLI::App& app, Invocation& inv, std::string_view only = {});
// Runs the selected handler, mapping errors to exit statuses and messages.
int execute(Invocation& inv);

int cmd_spawn(CliSession& s, const SpawnArgs& a);
int cmd_follow_up(CliSession& s, const FollowUpArgs& a);
int cmd_retry(CliSession& s, const RetryArgs& a);
int cmd_send(CliSession& s, const SendArgs& a);
int cmd_interrupt(CliSession& s, const std::string& task);
int cmd_list(CliSession& s, const ListArgs& a);
// list --all-hosts: 0 when every host answered, 3 when one could not be reached (said on
// stderr, one line each; the others' tasks are still shown).
int cmd_list_all_hosts(CliSession& s, const ListArgs& a);
int cmd_status(CliSession& s, const std::string& task);
int cmd_diff(CliSession& s, const DiffArgs& a);
int cmd_merge(CliSession& s, const MergeArgs& a);
int cmd_discard(CliSession& s, const DiscardArgs& a);
// clean's part for worktrees: removes merged ones (list_only: lists what is left, with sizes).
int clean_worktrees(CliSession& s, bool list_only);
int cmd_result(CliSession& s, const std::string& task);
int cmd_logs(CliSession& s, const std::string& task, bool follow, bool raw);
int cmd_cancel(CliSession& s, const std::vector<std::string>& tasks, bool all);
int cmd_wait(CliSession& s, const std::vector<std::string>& tasks);
int cmd_watch(CliSession& s);
// The full-screen dashboard (a terminal only).
int cmd_top(CliSession& s);
int cmd_clean(CliSession& s, const CleanArgs& a);
int cmd_ping(CliSession& s);
int cmd_shutdown(CliSession& s);
// For a command that works on the host's files or terminal (diff, merge, discard, clean,
// top, doctor): with a remote --host, runs the same command line there over ssh
// (`ssh HOST ptt-task --host local ...`, a terminal when ours is one) and returns its
// exit status; nullopt for the local host.
std::optional<int> run_on_host(const CliSession& s);
// Copies stdin to this machine's daemon and its replies to stdout (what `--host` runs remotely).
int cmd_dial_stdio(CliSession& s);
// `queue resume`: ends the queue's hold (a rate limit) at once.
int cmd_queue_resume(CliSession& s);
// The open questions of the tasks' agents; allow or deny one (docs/taskd.md, Approvals).
int cmd_pending(CliSession& s);
int cmd_answer(CliSession& s, const AnswerArgs& a, bool allow);
// Checks what ptt needs; 0 unless a check failed (warnings allowed).
int cmd_doctor(CliSession& s, const std::string& claude);

// Shared by spawn and follow-up: the request's `options`.
protocol::AgentOptions agent_options(const AgentFlags& f);
// Waits for tasks (`refs` null: every task unfinished now) and prints their
// outcomes; 0 if all succeeded, else 1.
int wait_and_report(CliSession& s, const nlohmann::json& refs, bool quiet_success);

}  // namespace ptt::taskcli
