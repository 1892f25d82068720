#pragma once
// How a task record is written into a reply: whole, or its table view (list's
// "view":"table", docs/protocol.md), and the one line the daemon caches per record.
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/task_record.h"

namespace ptt::protocol {

enum class RecordView { kFull, kTable };

// What the list table shows (lib/taskcli/format.cpp): a fraction of a record, whose
// prompt, cwd and options can be long. Null and empty fields are left out: over
// thousands of tasks they are a third of the reply the client must read. created_at
// in whole seconds, the table's finest unit: an integer parses several times faster
// than a double. exit_code only where the table shows it; the prompt only for an
// unnamed task, as its excerpt (prompt_excerpt).
nlohmann::json table_view(const TaskRecord& t);

// The start of a prompt on one line (control characters and runs of spaces become
// one space), at most kPromptExcerpt code points: what names an unnamed task.
inline constexpr std::size_t kPromptExcerpt = 40;
std::string prompt_excerpt(std::string_view prompt);

nlohmann::json record_json(const TaskRecord& t, RecordView view);
// record_json as compact JSON (invalid UTF-8 replaced), no newline.
std::string record_line(const TaskRecord& t, RecordView view);

}  // namespace ptt::protocol
