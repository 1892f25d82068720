// The config file reader (TOML, toml++) with ptt-task's real options and subcommands,
// as `ptt-task --config FILE` reads it: bad input must end in a ConfigFileError (a
// usage error naming the file and line, exit 2), nothing else. The pre-scan
// (core/toml_prescan.h) runs first, so dotted keys nested a million deep are refused
// before toml++ builds (and recursively frees) their tables, and characters that
// reach undefined behaviour in toml++ 3.3 never reach it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "core/cli.h"
#include "core/config.h"
#include "taskcli/commands.h"

namespace {

struct TaskApp {
  CLI::App app{"fuzz", "ptt-task"};
  ptt::taskcli::Invocation invocation;
  TaskApp() {
    ptt::add_standard_options(app, "ptt-task");
    ptt::add_config_file(app, "ptt-task");
    ptt::taskcli::define_commands(app, invocation);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  static TaskApp task;  // defining every subcommand costs more than a parse
  std::string_view text(reinterpret_cast<const char*>(bytes), size);
  try {
    auto items = ptt::config_items_from_toml(task.app, "ptt-task", text, "fuzz.toml");
    for (const auto& item : items)
      if (item.name.empty()) __builtin_trap();  // every item names a flag
  } catch (const ptt::ConfigFileError& e) {
    if (std::string_view(e.what()).rfind("fuzz.toml:", 0) != 0) __builtin_trap();  // names the file and line
  }
  return 0;
}
