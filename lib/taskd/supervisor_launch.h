#pragma once
// The daemon's side of a task's supervisor (see supervise/supervisor.h): finding
// the ptt-supervise executable, starting it, and checking an adopted one.
#include <optional>
#include <string>

#include <sys/types.h>

#include "supervise/supervisor.h"

namespace ptt::taskd {

// ptt-supervise next to this ptt-taskd (the build tree), else in the libexec
// dir it was installed to (PTT_SUPERVISE_FROM_BIN, e.g. ../libexec/ptt/);
// nullopt when neither exists.
std::optional<std::string> find_supervisor_executable();

// posix_spawn of `executable LOG_DIR CWD GRACE_MS UMASK -- AGENT…` in a new
// session, stdout/stderr appended to the task's logs. Returns its pid, or -1
// with errno set.
pid_t start_supervisor(const SupervisorSpec& spec, const std::string& executable);

// True when `pid` is alive and is a ptt-supervise process (not a reused pid).
bool supervisor_alive(pid_t pid);

}  // namespace ptt::taskd
