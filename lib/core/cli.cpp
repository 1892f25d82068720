#include "core/cli.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <unistd.h>

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
  app.footer("Exit codes: 0 ok, 1 failure, 2 usage, 3 daemon unreachable, 4 not found, 130 interrupted.\n"
             "Report bugs with the output of `" + std::string(tool) + " --version`.");
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
  } catch (const CLI::ParseError& e) {
    print_error(tool, std::string(e.what()) + " (try --help)");
    return kExitUsage;
  }
  return -1;
}

}  // namespace ptt
