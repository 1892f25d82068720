#pragma once
// --pidfile: written once ptt-listen is ready (so its appearance is the readiness
// signal for scripts), removed at exit.
#include <string>

namespace ptt::listen {

class Pidfile {
 public:
  Pidfile() = default;
  // Writes atomically (temp file + rename). Throws std::runtime_error on failure.
  void write(const std::string& path);
  ~Pidfile();
  Pidfile(const Pidfile&) = delete;
  Pidfile& operator=(const Pidfile&) = delete;

 private:
  std::string path_;
};

}  // namespace ptt::listen
