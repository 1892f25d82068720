#pragma once
// Appending one line to a shared, append-only NDJSON file (a task's
// supervisor.ndjson, the daemon's tasks.ndjson) so that readers never lose a
// line to a torn one.
#include <string_view>

namespace ptt {

// Writes "\n" + text + "\n" with a single write(2) on an O_APPEND descriptor.
// The leading newline ends a line torn by an earlier short write (a full disk),
// so it cannot swallow this one; readers skip the empty lines this leaves.
// False with errno set when the line was not written whole (ENOSPC for a short write).
bool append_line(int fd, std::string_view text);

}  // namespace ptt
