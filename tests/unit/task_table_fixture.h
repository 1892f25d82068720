#pragma once
// What the TaskTable unit tests build requests from and look for in the actions.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "taskd/task_table.h"

namespace ptt::taskd::test {

// A spawn of `prompt` in /src, after `after`.
inline SpawnRequest spawn_request(std::string prompt, std::vector<TaskId> after = {}) {
  SpawnRequest r;
  r.prompt = std::move(prompt);
  r.cwd = "/src";
  r.after = std::move(after);
  return r;
}

// The tasks whose agents the actions start, in order.
inline std::vector<TaskId> started(const TableActions& actions) {
  std::vector<TaskId> ids;
  for (const auto& a : actions) {
    if (a.kind == TableAction::Kind::kStartAgent) ids.push_back(a.task);
  }
  return ids;
}

inline bool has(const TableActions& actions, TableAction::Kind kind, TaskId id,
                const std::string& event = {}) {
  return std::find(actions.begin(), actions.end(), TableAction{kind, id, event}) != actions.end();
}

}  // namespace ptt::taskd::test
