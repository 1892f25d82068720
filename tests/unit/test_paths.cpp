#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include "core/local_accounts.h"
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

TEST_CASE("local accounts are read from passwd and group files, without NSS", "[paths]") {
  char tmpl[] = "/tmp/ptt-accounts-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  fs::path root = tmpl;
  {
    std::ofstream(root / "passwd") << "root:x:0:0:root:/root:/bin/bash\n"
                                   << "ada:x:1001:1001:Ada:/home/ada:/bin/sh\n";
    std::ofstream(root / "group") << "wheel:x:10:root\n"
                                  << "input:x:104:ada,bob\n";
  }
  auto ada = ptt::find_local_user(1001, (root / "passwd").c_str());
  REQUIRE(ada);
  CHECK(ada->name == "ada");
  CHECK(ada->home == "/home/ada");
  CHECK_FALSE(ptt::find_local_user(4242, (root / "passwd").c_str()));
  CHECK_FALSE(ptt::find_local_user(0, (root / "missing").c_str()));

  auto input = ptt::find_local_group("input", (root / "group").c_str());
  REQUIRE(input);
  CHECK(input->gid == 104);
  CHECK(input->members == std::vector<std::string>{"ada", "bob"});
  CHECK_FALSE(ptt::find_local_group("video", (root / "group").c_str()));
  fs::remove_all(root);
}
