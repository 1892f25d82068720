#pragma once
// Builds the agent's argv: `claude -p --input-format stream-json --output-format
// stream-json --verbose --replay-user-messages --permission-mode MODE` plus the optional
// flags, from a task's own options laid over the daemon's defaults. The prompt is no
// argument: it is the first message on the agent's stdin (session_input.h), so it is not
// bound by the kernel's 128 KiB per argument. Pure, so the exact command is unit-tested.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "protocol/task_record.h"

namespace ptt::taskd {

// A task's options override the defaults field by field (an unset field keeps
// the default). Lists replace, they do not merge.
protocol::AgentOptions merge_options(const protocol::AgentOptions& defaults,
                                     const protocol::AgentOptions& task);

// `sandbox_writable`: directories a sandboxed task may write besides its cwd (a worktree
// task started in a subdirectory gets the whole worktree).
std::vector<std::string> agent_argv(const std::string& executable, const protocol::AgentOptions& effective,
                                    const std::optional<std::string>& resume_session,
                                    const std::vector<std::string>& sandbox_writable = {});

// The `--settings` JSON a sandboxed task's agent gets (docs/taskd.md, "Sandbox"): Claude
// Code's own sandbox on, required, no way out of it, network only to allowed domains.
std::string sandbox_settings(const std::vector<std::string>& also_writable);

// The variables the agent gets on top of the daemon's own environment.
std::vector<std::string> agent_environment(std::int64_t task);

// What execve(2) takes (linux/binfmts.h, fs/exec.c): each argument or environment
// string is at most MAX_ARG_STRLEN bytes with its NUL (32 pages: 131072 on x86_64),
// and all of them, with the file name and a pointer each, at most ARG_MAX
// (sysconf(_SC_ARG_MAX): a quarter of the stack limit, 2 MiB by default).
struct ExecLimits {
  std::size_t max_string;  // bytes, its NUL included
  std::size_t max_total;
};
ExecLimits exec_limits();  // this system's

// The longest prompt (and message) a task takes, in bytes: its line on the agent's stdin,
// and the CLI's echo of it on the agent's stdout (up to 6 bytes a byte, for control
// characters escaped as \u00XX), must fit the lines the daemon reads (protocol::kMaxLine,
// TaskWatch::kMaxStreamLine).
inline constexpr std::size_t kMaxPromptBytes = 1u << 20;
// Why a prompt is refused (too_long), or nullopt when it fits.
inline std::optional<std::string> prompt_refusal(const std::string& prompt, const char* what = "the prompt") {
  if (prompt.size() <= kMaxPromptBytes) return std::nullopt;
  return fmt::format(
      "{} is {} bytes, over the {} bytes a task takes; put the long part in a file and "
      "name that file in the prompt",
      what, prompt.size(), kMaxPromptBytes);
}

// Why execve(2) would refuse the agent's argv (agent_argv) and environment (E2BIG),
// naming the argument and the limit; nullopt when they fit. A spawn is refused with
// this instead of a task that fails as agent_missing ("Argument list too long").
std::optional<std::string> exec_refusal(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& env, const ExecLimits& limits);

}  // namespace ptt::taskd
