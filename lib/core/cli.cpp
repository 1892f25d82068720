#include "core/cli.h"

#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include <unistd.h>

#include "core/config.h"
#include "core/exit_status.h"
#include "core/suggest.h"
#include "core/version.h"

namespace ptt {

namespace {

std::string hint_from, hint_to;  // "ptt-task ", "ptt-task --host devbox "

}  // namespace

void set_hint_command(std::string_view program, std::string_view command) {
  hint_from = fmt::format("{} ", program);
  hint_to = fmt::format("{} ", command);
}

std::string with_hint_command(std::string_view message) {
  if (hint_from.empty()) return std::string(message);
  std::string out;
  for (std::size_t from = 0;;) {
    std::size_t at = message.find(hint_from, from);
    if (at == std::string_view::npos) break;
    from = at + hint_from.size();
    // A command in backquotes or parentheses ("see `ptt-task logs 3`", "(ptt-task send 3
    // TEXT)"), not the program named in prose; one that names a host already (`ptt-task
    // --host local ...`) stays as it is.
    if (at == 0 || (message[at - 1] != '`' && message[at - 1] != '(')) continue;
    out.append(message.substr(0, at));
    message.remove_prefix(from);
    from = 0;
    out += message.substr(0, 7) == "--host " ? hint_from : hint_to;
  }
  out.append(message);
  return out;
}

void print_error(std::string_view tool, std::string_view message) {
  std::cerr << tool << ": error: " << with_hint_command(message) << '\n' << std::flush;
}

void print_warning(std::string_view tool, std::string_view message) {
  std::cerr << tool << ": warning: " << with_hint_command(message) << '\n' << std::flush;
}

bool is_tty(int fd) { return ::isatty(fd) == 1; }

bool use_color(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return is_tty(fd);
}

void exit_quietly_on_epipe() {
  // With SIGPIPE ignored, writes fail with EPIPE; iostreams then set badbit and
  // the tools check the stream and exit 0 like `yes | head` does.
  std::signal(SIGPIPE, SIG_IGN);
}

void add_standard_options(CLI::App& app, std::string_view tool) {
  app.set_version_flag("--version", std::string(tool) + " " + PTT_VERSION);
  app.footer(
      "Exit codes: 0 ok, 1 failure, 2 usage, 3 daemon unreachable, 4 not found, 130 interrupted.\n"
      "Report bugs with the output of `" +
      std::string(tool) + " --version`.");
}

namespace {

std::string number_text(double v) { return fmt::format("{}", v); }

// The number in `input`, or "" (with `why` set) when it is not one.
std::optional<double> read_number(const std::string& input, bool whole, std::string& why) {
  double value = 0;
  if (!CLI::detail::lexical_cast(input, value)) {
    why = fmt::format("must be a number, not '{}'", input);
    return std::nullopt;
  }
  if (whole && value != static_cast<double>(static_cast<long long>(value))) {
    why = fmt::format("must be a whole number, not '{}'", input);
    return std::nullopt;
  }
  return value;
}

CLI::Validator range_check(std::string description,
                           std::function<std::string(double, const std::string&)> check, bool whole) {
  return CLI::Validator(
      [check = std::move(check), whole](std::string& input) {
        std::string why;
        auto value = read_number(input, whole, why);
        return value ? check(*value, input) : why;
      },
      std::move(description));
}

// The deepest subcommand the parse reached (the app itself when none).
CLI::App* deepest_parsed(CLI::App& app) {
  CLI::App* at = &app;
  while (!at->get_subcommands().empty()) at = at->get_subcommands().back();
  return at;
}

// Flags known where the parse stopped: its own and, as they fall through, its parents'.
std::vector<std::string> known_flags(const CLI::App* at) {
  std::vector<std::string> out;
  for (; at; at = at->get_parent()) {
    for (const CLI::Option* opt : at->get_options()) {
      for (const auto& l : opt->get_lnames()) out.push_back("--" + l);
      for (const auto& s : opt->get_snames()) out.push_back("-" + s);
    }
  }
  return out;
}

std::string command_path(const CLI::App* at, std::string_view tool) {
  std::string path;
  for (; at && at->get_parent(); at = at->get_parent()) path = " " + at->get_name() + path;
  return std::string(tool) + path;
}

// "unknown command 'spwan'; did you mean 'spawn'? see `ptt-task --help`", or ""
// when nothing was left unparsed.
std::string explain_unexpected(CLI::App& app, std::string_view tool) {
  std::vector<std::string> extras = app.remaining(true);
  if (extras.empty()) return {};
  CLI::App* at = deepest_parsed(app);
  std::string help = fmt::format("see `{} --help`", command_path(at, tool));
  const std::string& word = extras.front();
  if (word.size() > 1 && word[0] == '-') {
    std::string flag = word.substr(0, word.find('='));
    if (auto near = nearest_word(flag, known_flags(at)))
      return fmt::format("unknown option '{}'; did you mean '{}'? {}", flag, *near, help);
    return fmt::format("unknown option '{}'; {}", flag, help);
  }
  std::vector<std::string> commands;
  for (const CLI::App* sub : at->get_subcommands([](CLI::App*) { return true; }))
    commands.push_back(sub->get_name());
  if (!commands.empty()) {
    if (auto near = nearest_word(word, commands))
      return fmt::format("unknown command '{}'; did you mean '{}'? {}", word, *near, help);
    return fmt::format("unknown command '{}'; {}", word, help);
  }
  return fmt::format("unexpected argument '{}'; {}", word, help);
}

}  // namespace

CLI::Validator at_least(double min, bool whole) {
  return range_check(
      fmt::format(">= {}", number_text(min)),
      [min](double v, const std::string& in) {
        return v >= min ? std::string() : fmt::format("must be at least {} (not {})", number_text(min), in);
      },
      whole);
}

CLI::Validator more_than(double min) {
  return range_check(
      fmt::format("> {}", number_text(min)),
      [min](double v, const std::string& in) {
        return v > min ? std::string() : fmt::format("must be more than {} (not {})", number_text(min), in);
      },
      false);
}

CLI::Validator between(double min, double max, bool whole) {
  return range_check(
      fmt::format("{}-{}", number_text(min), number_text(max)),
      [min, max](double v, const std::string& in) {
        return v >= min && v <= max ? std::string()
                                    : fmt::format("must be between {} and {} (not {})", number_text(min),
                                                  number_text(max), in);
      },
      whole);
}

namespace {

// "ptt-task spawn --help": the help of the subcommand the error is about, which lists its
// options and their ranges (CLI11's own hint, "(try --help)", names only the top level).
std::string help_command(const CLI::App& app, std::string_view tool) {
  std::string command(tool);
  for (const CLI::App* sub = &app;;) {
    auto chosen = sub->get_subcommands();
    if (chosen.empty()) break;
    sub = chosen.front();
    command += " " + sub->get_name();
  }
  return command + " --help";
}

}  // namespace

int parse_or_exit(CLI::App& app, int argc, char** argv, std::string_view tool) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const ConfigFileError& e) {
    print_error(tool, e.what());
    return kExitUsage;
  } catch (const CLI::FileError& e) {
    // Only the config file is read during parsing: --config or $PTT_CONFIG names a missing file.
    print_error(tool, std::string("config file: ") + e.what() + "; create it or fix --config / $PTT_CONFIG");
    return kExitUsage;
  } catch (const CLI::ParseError& e) {
    // A misspelt word usually shows up as some other complaint first (a missing
    // subcommand or argument): name the word instead.
    if (std::string unexpected = explain_unexpected(app, tool); !unexpected.empty()) {
      print_error(tool, unexpected);
      return kExitUsage;
    }
    std::string message = e.what();
    // CLI11's own sentences start with a capital ("A subcommand is required"); every other
    // error of ours is lower case after "tool: error: ". An acronym ("TOML ...") stays.
    if (message.size() > 1 && std::isupper(static_cast<unsigned char>(message[0])) &&
        !std::isupper(static_cast<unsigned char>(message[1])))
      message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
    // "--max-turns: must be at least 1" (our validators) reads as one sentence.
    if (auto at = message.find(": must be "); at != std::string::npos && at < 40) message.erase(at, 1);
    std::string explained = explain_config_origin(app, message);
    print_error(tool, explained == message ? message + "; see `" + help_command(app, tool) + "`" : explained);
    return kExitUsage;
  }
  // A daemon this tool auto-starts reads the same file.
  if (const CLI::Option* config = app.get_config_ptr(); config && config->count() > 0) {
    std::error_code ec;
    auto file = std::filesystem::absolute(config->as<std::string>(), ec);
    if (!ec && std::filesystem::is_regular_file(file, ec)) ::setenv("PTT_CONFIG", file.c_str(), 1);
  }
  return -1;
}

}  // namespace ptt
