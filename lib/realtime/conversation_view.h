#pragma once
// The readable view of a voice session: ptt-realtime's own stdout events (the NDJSON
// objects it prints in a pipe) turned into lines a person reads on a terminal,
// "you: ...", "assistant: ...", "task 3 (fix-tests) started". Pure: no I/O, no state.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ptt::realtime {

struct ViewStyle {
  bool color = false;  // stdout is a terminal and NO_COLOR is unset
};

// The lines (without '\n') for one event; none for events only programs care about
// (e.g. "session created", "response done"). Never throws, whatever the event holds.
std::vector<std::string> render_event(const nlohmann::json& event, const ViewStyle& style);

// `text` on one line (whitespace runs folded to one space), cut to `max_chars` bytes at a
// UTF-8 boundary with "…" when longer.
std::string one_line(const std::string& text, std::size_t max_chars);

}  // namespace ptt::realtime
