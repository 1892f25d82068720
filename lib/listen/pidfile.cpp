#include "listen/pidfile.h"

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

namespace ptt::listen {

void Pidfile::write(const std::string& path) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << ::getpid() << '\n';
    if (!out) throw std::runtime_error("cannot write pidfile " + path);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot write pidfile " + path);
  path_ = path;
}

Pidfile::~Pidfile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

}  // namespace ptt::listen
