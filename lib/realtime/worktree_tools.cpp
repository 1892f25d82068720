#include "realtime/worktree_tools.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/ndjson.h"
#include "protocol/worktree_changes.h"

namespace ptt::realtime {
using nlohmann::json;

namespace {

std::string error_output(const std::string& message) {
  return json{{"ok", false}, {"error", message}}.dump();
}

// At most `max` bytes of `s`, cut at a UTF-8 boundary, with a mark when cut.
std::string bounded(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "…";
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

bool is_worktree_tool(std::string_view name) {
  return name == kReviewTaskTool || name == kMergeTaskTool || name == kDiscardTaskTool;
}

bool needs_user_turn(std::string_view name) { return name == kMergeTaskTool || name == kDiscardTaskTool; }

TaskCommand worktree_tool_command(const std::string& name, const std::string& arguments_json) {
  json args = parse_json_or_discarded(arguments_json.empty() ? "{}" : arguments_json);
  std::string task;
  if (args.is_object()) {
    auto it = args.find("task");
    if (it != args.end() && it->is_number_integer()) task = std::to_string(it->get<long long>());
    if (it != args.end() && it->is_string()) task = it->get<std::string>();
  }
  // Never an option: ptt-task would read "-x" as one.
  if (task.empty() || task[0] == '-') return {{}, error_output(name + " needs a task number or name")};
  if (name == kReviewTaskTool) return {{"diff", task}, {}};
  if (name == kMergeTaskTool) return {{"merge", task}, {}};
  return {{"discard", "--yes", task}, {}};
}

std::string consent_refusal(const std::string& name) {
  return error_output(
      fmt::format("refused: {} runs only when the user asks for it in their own words, in the turn you are "
                  "answering; ask the user whether they want it",
                  name));
}

std::vector<FileChange> diff_files(std::string_view diff) {
  std::vector<FileChange> files;
  bool in_hunk = false;
  while (!diff.empty()) {
    std::size_t end = diff.find('\n');
    std::string_view line = diff.substr(0, end);
    diff.remove_prefix(end == std::string_view::npos ? diff.size() : end + 1);
    if (line.rfind("diff --git ", 0) == 0) {
      // "diff --git a/PATH b/PATH": the b side names the file as it is now.
      std::size_t b = line.rfind(" b/");
      FileChange file;
      file.path = std::string(b == std::string_view::npos ? line.substr(11) : line.substr(b + 3));
      files.push_back(std::move(file));
      in_hunk = false;
      continue;
    }
    if (files.empty()) continue;
    if (line.rfind("@@", 0) == 0) {
      in_hunk = true;
      continue;
    }
    if (!in_hunk || line.empty() || (line[0] != '+' && line[0] != '-')) continue;
    FileChange& f = files.back();
    ++(line[0] == '+' ? f.added : f.deleted);
    if (f.excerpt.size() < kExcerptChars) {
      if (!f.excerpt.empty()) f.excerpt += '\n';
      f.excerpt += line.substr(0, kExcerptChars);
      f.excerpt = bounded(std::move(f.excerpt), kExcerptChars);
    }
  }
  return files;
}

std::string worktree_tool_output(const std::string& name, int status, const std::string& output) {
  if (status != 0) {
    std::string why = trimmed(output);
    if (status < 0 || why.empty()) why = fmt::format("ptt-task could not run it (status {})", status);
    return error_output(bounded(why, 600));
  }
  json out = {{"ok", true}};
  if (name == kReviewTaskTool) {
    std::vector<FileChange> files = diff_files(output);
    protocol::WorktreeChanges total;
    total.files = static_cast<std::int64_t>(files.size());
    json listed = json::array();
    for (const auto& f : files) {
      total.insertions += f.added;
      total.deletions += f.deleted;
      if (listed.size() < kReviewFiles)
        listed.push_back(
            {{"file", f.path}, {"added", f.added}, {"deleted", f.deleted}, {"first_lines", f.excerpt}});
    }
    out["changes"] = protocol::change_summary(total);
    out["files"] = listed;
    if (files.size() > kReviewFiles)
      out["note"] = fmt::format("{} more files not shown; see `ptt-task diff`", files.size() - kReviewFiles);
    out["say"] = "each file and, in one line, what its change does";
  } else {
    out["done"] = bounded(trimmed(output), 600);
  }
  return out.dump();
}

}  // namespace ptt::realtime
