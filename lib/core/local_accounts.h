#pragma once
// Users and groups from /etc/passwd and /etc/group, read with fgetpwent and
// fgetgrent. ptt-task is linked statically, and glibc's NSS (getpwuid, getgrnam)
// crashes there: it loads NSS modules built against the shared libc. Accounts
// that only a network or systemd-homed source knows are not found here.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace ptt {

struct LocalUser {
  std::string name;
  std::string home;
};
struct LocalGroup {
  gid_t gid = 0;
  std::vector<std::string> members;
};

std::optional<LocalUser> find_local_user(uid_t uid, const char* passwd_file = "/etc/passwd");
std::optional<LocalGroup> find_local_group(std::string_view name, const char* group_file = "/etc/group");

}  // namespace ptt
