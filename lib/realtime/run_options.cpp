#include "realtime/run_options.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace ptt::realtime {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool parse_project(const std::string& spec, Project& out, std::string& error) {
  std::size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
    error = fmt::format("--project '{}' is not NAME=DIR", spec);
    return false;
  }
  out.name = spec.substr(0, eq);
  std::string dir = spec.substr(eq + 1);
  if (dir.rfind("~/", 0) == 0 || dir == "~") {
    const char* home = std::getenv("HOME");
    dir = std::string(home ? home : "") + dir.substr(1);
  }
  std::error_code ec;
  std::filesystem::path p = std::filesystem::canonical(dir, ec);
  if (ec || !std::filesystem::is_directory(p)) {
    error = fmt::format("--project {}: '{}' is not a directory", out.name, dir);
    return false;
  }
  out.dir = p.string();
  return true;
}

std::string default_realtime_url(const std::string& model) {
  return "wss://api.openai.com/v1/realtime?model=" + model;
}

}  // namespace ptt::realtime
