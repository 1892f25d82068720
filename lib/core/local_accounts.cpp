#include "core/local_accounts.h"

#include <cstdio>

#include <grp.h>
#include <pwd.h>

namespace ptt {

std::optional<LocalUser> find_local_user(uid_t uid, const char* passwd_file) {
  std::FILE* f = std::fopen(passwd_file, "re");
  if (!f) return std::nullopt;
  std::optional<LocalUser> found;
  while (const passwd* pw = ::fgetpwent(f)) {
    if (pw->pw_uid == uid) {
      found = LocalUser{pw->pw_name, pw->pw_dir};
      break;
    }
  }
  std::fclose(f);
  return found;
}

std::optional<LocalGroup> find_local_group(std::string_view name, const char* group_file) {
  std::FILE* f = std::fopen(group_file, "re");
  if (!f) return std::nullopt;
  std::optional<LocalGroup> found;
  while (const group* g = ::fgetgrent(f)) {
    if (name == g->gr_name) {
      found = LocalGroup{g->gr_gid, {}};
      for (char** m = g->gr_mem; m && *m; ++m) found->members.emplace_back(*m);
      break;
    }
  }
  std::fclose(f);
  return found;
}

}  // namespace ptt
