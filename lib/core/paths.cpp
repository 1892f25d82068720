#include "core/paths.h"

#include <cerrno>
#include <cstdlib>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

#include "core/local_accounts.h"

namespace ptt {
namespace fs = std::filesystem;

namespace {

const char* env_nonempty(const char* name) {
  const char* v = std::getenv(name);
  return (v && *v) ? v : nullptr;
}

fs::path home_dir() {
  if (const char* h = env_nonempty("HOME")) return h;
  if (auto user = find_local_user(getuid())) return user->home;
  return "/";
}

}  // namespace

fs::path default_socket_path() {
  if (const char* s = env_nonempty("PTT_SOCKET")) return s;
  if (const char* r = env_nonempty("XDG_RUNTIME_DIR")) return fs::path(r) / "ptt" / "taskd.sock";
  return fs::path("/tmp") / ("ptt-" + std::to_string(getuid())) / "taskd.sock";
}

fs::path default_state_dir() {
  if (const char* s = env_nonempty("PTT_STATE_DIR")) return s;
  if (const char* x = env_nonempty("XDG_STATE_HOME")) return fs::path(x) / "ptt";
  return home_dir() / ".local" / "state" / "ptt";
}

fs::path default_config_dir() {
  if (const char* x = env_nonempty("XDG_CONFIG_HOME")) return fs::path(x) / "ptt";
  return home_dir() / ".config" / "ptt";
}

void ensure_private_dir(const fs::path& dir) {
  // Only directories we create get 0700: an existing one may be shared (PTT_SOCKET=/tmp/x.sock
  // must never chmod /tmp), so it is left exactly as it is.
  if (dir.empty() || fs::is_directory(dir)) return;
  ensure_private_dir(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw fs::filesystem_error("cannot create directory", dir, std::error_code(errno, std::generic_category()));
  }
}

}  // namespace ptt
