#pragma once
// What an agent leaves behind. Claude Code runs each Bash tool call in a session
// (and so a process group) of its own, so killing the agent's group misses them: a
// background command (`run_in_background`) outlives the agent. The supervisor is a
// child subreaper, so such orphans stay its descendants, and every process an agent
// starts inherits the agent's PTT_TASK_ID: together they name a task's leftovers.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace ptt::supervise {

struct ProcessInfo {
  pid_t parent = 0;
  std::string task_tag;  // the value of PTT_TASK_ID in its environment, empty when none
};

// The processes of `task` below `ancestor` (the supervisor): those whose nearest
// tagged process on the way up (themselves included) carries `task`, and whose chain
// of parents reaches `ancestor`. Pure, for the unit tests.
std::vector<pid_t> leftover_pids(const std::map<pid_t, ProcessInfo>& processes, pid_t ancestor,
                                 const std::string& task);

// Reads /proc and SIGKILLs the leftovers of `task` below this process; returns how many.
int kill_task_leftovers(std::int64_t task);

// This process's children as the kernel lists them (/proc/self/task/*/children), or
// nullopt when it cannot say (a kernel without CONFIG_PROC_CHILDREN).
std::optional<std::vector<pid_t>> own_children();

// Whether one of `children` is none of the `agents` (a map keyed by pid). An agent's
// orphans are re-parented to the supervisor (the subreaper) before its exit is
// reported, so when every child is an agent, nothing is left behind and the scan of
// /proc (two files read per process on the machine) is not needed.
template <class AgentMap>
bool has_non_agent_child(const std::vector<pid_t>& children, const AgentMap& agents) {
  return std::any_of(children.begin(), children.end(), [&](pid_t c) { return !agents.count(c); });
}

}  // namespace ptt::supervise
