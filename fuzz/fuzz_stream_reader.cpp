// The stream-json reader: any JSON value Claude Code might print (or a corrupt
// one) yields an update or nothing, never an exception or a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/ndjson.h"
#include "taskd/stream_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(bytes), size);
  ptt::JsonLine parsed = ptt::parse_json_line(line);
  if (!parsed.value) return 0;
  // Both with and without a cwd, so the relative-path code runs too.
  ptt::taskd::StreamUpdate update = ptt::taskd::read_stream_line(*parsed.value, "/work/project");
  (void)ptt::taskd::read_stream_line(*parsed.value);
  if (update.result) (void)nlohmann::json(*update.result).dump();
  // The activity is one line for a status display.
  if (update.activity && update.activity->find('\n') != std::string::npos) __builtin_trap();
  return 0;
}
