#include <filesystem>

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include "core/paths.h"

namespace fs = std::filesystem;

namespace {
unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}
}  // namespace

TEST_CASE("ensure_private_dir creates missing directories 0700 and leaves existing ones alone", "[paths]") {
  char tmpl[] = "/tmp/ptt-paths-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  fs::path root = tmpl;
  REQUIRE(::chmod(root.c_str(), 0755) == 0);

  fs::path leaf = root / "a" / "b";
  ptt::ensure_private_dir(leaf);
  CHECK(mode_of(root / "a") == 0700);
  CHECK(mode_of(leaf) == 0700);
  // A shared parent such as /tmp must never be chmod'ed.
  CHECK(mode_of(root) == 0755);
  ptt::ensure_private_dir(root);
  CHECK(mode_of(root) == 0755);
  fs::remove_all(root);
}

TEST_CASE("socket path follows PTT_SOCKET, then XDG_RUNTIME_DIR, then /tmp/ptt-UID", "[paths]") {
  ::setenv("PTT_SOCKET", "/x/y.sock", 1);
  CHECK(ptt::default_socket_path() == "/x/y.sock");
  ::unsetenv("PTT_SOCKET");
  ::setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
  CHECK(ptt::default_socket_path() == "/run/user/7/ptt/taskd.sock");
  ::unsetenv("XDG_RUNTIME_DIR");
  CHECK(ptt::default_socket_path() == fs::path("/tmp/ptt-" + std::to_string(::getuid())) / "taskd.sock");
}
