#include "core/cli.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <unistd.h>

#include "core/config.h"
#include "core/exit_status.h"
#include "core/version.h"

namespace ptt {

void print_error(std::string_view tool, std::string_view message) {
  std::cerr << tool << ": error: " << message << '\n' << std::flush;
}

void print_warning(std::string_view tool, std::string_view message) {
  std::cerr << tool << ": warning: " << message << '\n' << std::flush;
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
    std::string message = e.what(), explained = explain_config_origin(app, message);
    print_error(tool, explained == message ? message + " (try --help)" : explained);
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
