#pragma once
// What every ptt tool's main() shares: the error format, terminal awareness and
// process-wide signal set-up. Kept tiny so mains stay thin.
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace ptt {

// Errors read "<tool>: error: <what>" and, where possible, say what to do next.
void print_error(std::string_view tool, std::string_view message);
void print_warning(std::string_view tool, std::string_view message);

// A message's hint names a command in backquotes ("see `ptt-task logs 3`"). `ptt-task
// --host devbox` sets ("ptt-task", "ptt-task --host devbox") here, so that every hint
// print_error and print_warning print (the remote daemon's too, which knows nothing of the
// host) names a command that reaches the same host.
void set_hint_command(std::string_view program, std::string_view command);
// `message` with each "`PROGRAM " made "`COMMAND " as set above, and each "(PROGRAM " made
// "(COMMAND " (unchanged when unset).
std::string with_hint_command(std::string_view message);

// True when `fd` is a terminal and colour is allowed (NO_COLOR unset or empty).
bool use_color(int fd);
bool is_tty(int fd);

// Writes to a closed pipe end the process quietly (exit 0, as `head` expects),
// instead of a SIGPIPE death or an error message.
void exit_quietly_on_epipe();

// Adds --version (prints "<tool> <version>") and a common footer to an app.
void add_standard_options(CLI::App& app, std::string_view tool);

// Range checks whose errors read "--max-turns must be at least 1 (not 0)" instead
// of CLI11's 300-digit ranges. `whole`: the value must also be an integer.
CLI::Validator at_least(double min, bool whole = false);
CLI::Validator more_than(double min);
CLI::Validator between(double min, double max, bool whole = false);

// Runs app.parse(argc, argv); on a usage error prints it in ptt's format and
// returns the exit status to use, otherwise -1 (continue). A misspelt subcommand
// or flag gets "did you mean …?" (core/suggest.h).
int parse_or_exit(CLI::App& app, int argc, char** argv, std::string_view tool);

}  // namespace ptt
