#include <csignal>
#include <cstdlib>

#include <malloc.h>
#include <unistd.h>

#include <fmt/format.h>

#include "client/host.h"
#include "core/cli.h"
#include "core/exit_status.h"
#include "protocol/protocol.h"
#include "taskcli/commands.h"

namespace ptt::taskcli {

namespace {

constexpr std::string_view kTool = "ptt-task";

// Blocking reads (wait, logs -f, watch) end on Ctrl-C with the conventional 130.
void exit_interrupted(int) { ::_exit(kExitInterrupted); }

int exit_status_for(const std::string& code) {
  namespace e = protocol::error;
  if (code == e::kNotFound) return kExitNotFound;
  if (code == e::kBadRequest || code == e::kInvalidArgument || code == e::kCwdNotAllowed ||
      code == e::kUnknownOp || code == e::kTooLong)
    return kExitUsage;
  if (code == e::kVersionMismatch || code == e::kPermissionDenied || code == e::kBusy)
    return kExitUnreachable;
  return kExitFailure;
}

// Hints then name commands that reach the same host ("see `ptt-task --host devbox logs 3`"),
// also when this ptt-task runs on the host for `ptt-task --host devbox diff 3` elsewhere.
void name_host_in_hints(CliSession& session) {
  if (const char* run_for = std::getenv(kRunForEnv)) {
    if (*run_for) session.set_run_for(run_for);
    ::unsetenv(kRunForEnv);  // not for the daemon it may start, nor its tasks
  }
  try {
    if (std::string shown = session.shown_host(); !shown.empty())
      set_hint_command(kTool, fmt::format("{} --host {}", kTool, client::shell_quote(shown)));
  } catch (const client::HostError&) {
    // A command that uses the host says so; one that does not (dial-stdio) goes on.
  }
}

}  // namespace

int execute(Invocation& inv) {
  // A big `list` grows its buffers by doubling; above glibc's default 128 KB each
  // step would be a fresh mmap whose pages all fault in again (costly on a VM).
  // From the heap, freed steps are reused. ptt-task is short-lived: no trimming.
  ::mallopt(M_MMAP_THRESHOLD, 256 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 512 << 20);
  std::signal(SIGINT, exit_interrupted);
  std::signal(SIGTERM, exit_interrupted);
  if (!inv.action) {
    print_error(kTool, "no subcommand given; see `ptt-task --help`");
    return kExitUsage;
  }
  try {
    CliSession session(inv.global, inv.autostart);
    name_host_in_hints(session);
    return inv.action(session);
  } catch (const UsageError& e) {
    print_error(kTool, e.what());
    return kExitUsage;
  } catch (const client::HostError& e) {
    print_error(kTool, e.what());
    return kExitUsage;
  } catch (const client::UnreachableError& e) {
    print_error(kTool, e.what());
    return kExitUnreachable;
  } catch (const client::RequestError& e) {
    print_error(kTool, e.what());
    return exit_status_for(e.code);
  } catch (const nlohmann::json::exception& e) {
    // Every field the handlers read is checked; this is the last resort for one
    // that was not, so that a malformed reply is an error and never an abort.
    print_error(kTool, fmt::format("the daemon sent a reply ptt-task cannot read ({}){}", e.what(),
                                   client::kSameVersionAdvice));
    return kExitUnreachable;
  } catch (const std::exception& e) {
    print_error(kTool, fmt::format("{}; please report this as a bug", e.what()));
    return kExitFailure;
  }
}

}  // namespace ptt::taskcli
