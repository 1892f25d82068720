#include "realtime/run_options.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "client/ssh_transport.h"
#include "core/cli.h"

namespace ptt::realtime {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

namespace {

// "ssh://me@devbox:2222/home/me/src" -> {"ssh://me@devbox:2222", "/home/me/src"};
// "devbox:/home/me/src" -> {"devbox", "/home/me/src"}; a local DIR -> {"", DIR}.
std::pair<std::string, std::string> split_host(const std::string& where) {
  constexpr std::string_view kScheme = "ssh://";
  if (where.rfind(kScheme, 0) == 0) {
    std::size_t slash = where.find('/', kScheme.size());
    if (slash == std::string::npos) return {where, ""};
    return {where.substr(0, slash), where.substr(slash)};
  }
  if (where.empty() || where[0] == '/' || where[0] == '~' || where[0] == '.') return {"", where};
  std::size_t colon = where.find(':');
  if (colon == std::string::npos || where.find('/') < colon) return {"", where};
  return {where.substr(0, colon), where.substr(colon + 1)};
}

}  // namespace

bool parse_project(const std::string& spec, const client::HostTable& hosts, Project& out,
                   client::Host& host_out, std::string& error) {
  std::size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
    error = fmt::format("--project '{}' is not NAME=DIR", spec);
    return false;
  }
  out.name = spec.substr(0, eq);
  auto [host_spec, dir] = split_host(spec.substr(eq + 1));
  if (!host_spec.empty()) {
    try {
      host_out = client::resolve_host(host_spec, hosts);
    } catch (const client::HostError& e) {
      error = fmt::format("--project {}: {}", out.name, e.what());
      return false;
    }
  }
  if (!host_out.local()) {
    // Its existence and the allowed roots are the host daemon's to check, at spawn.
    if (dir.empty() || dir[0] != '/') {
      error = fmt::format("--project {}: '{}' on {} is not an absolute path", out.name, dir, host_out.name);
      return false;
    }
    out.dir = dir;
    out.host = host_out.name;
    return true;
  }
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

bool apply_project_defaults(const std::string& spec, std::vector<Project>& projects, std::string& error) {
  std::size_t eq = spec.find('=');
  std::string name = spec.substr(0, eq);
  auto project =
      std::find_if(projects.begin(), projects.end(), [&](const Project& p) { return p.name == name; });
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
    error = fmt::format("--project-defaults '{}' is not NAME=ITEM,...", spec);
    return false;
  }
  if (project == projects.end()) {
    error = fmt::format("--project-defaults {}: no --project of that name", name);
    return false;
  }
  std::string_view rest = std::string_view(spec).substr(eq + 1);
  while (!rest.empty()) {
    if (rest.substr(0, 6) == "setup=") {  // last: the command may hold commas
      project->setup = std::string(rest.substr(6));
      if (project->setup->empty()) {
        error = fmt::format("--project-defaults {}: setup= needs a command", name);
        return false;
      }
      break;
    }
    std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item == "worktree" || item == "no-worktree") {
      project->worktree = item == "worktree";
    } else if (item == "sandbox" || item == "no-sandbox") {
      project->sandbox = item == "sandbox";
    } else {
      error = fmt::format("--project-defaults {}: unknown item '{}'", name, item);
      return false;
    }
  }
  return true;
}

bool add_projects(const CLI::App& app, const std::vector<std::string>& specs,
                  const std::vector<std::string>& defaults, RunOptions& options) {
  client::HostTable hosts;
  try {
    options.config_file = app.get_config_ptr()->as<std::string>();
    if (!specs.empty()) hosts = client::load_host_table(options.config_file);
  } catch (const client::HostError& e) {
    print_error("ptt-realtime", e.what());
    return false;
  }
  for (const auto& spec : specs) {
    Project project;
    client::Host host;
    std::string error;
    if (!parse_project(spec, hosts, project, host, error)) {
      print_error("ptt-realtime",
                  error +
                      "; pass --project NAME=DIR with an existing directory, NAME=HOST:/DIR or "
                      "NAME=ssh://[USER@]HOST[:PORT]/DIR");
      return false;
    }
    options.session.projects.push_back(project);
    bool known = std::any_of(options.remote_daemons.begin(), options.remote_daemons.end(),
                             [&](const DaemonEndpoint& d) { return d.host == host.name; });
    if (!host.local() && !known)
      options.remote_daemons.push_back(
          {{}, client::dial_argv(host, std::getenv("PTT_SSH")), host.name, [host](const CommandEnd& end) {
             client::DialEnd how{end.exited, end.status, end.signal};
             return client::explain_dial_end(host, how, end.stderr_text, end.what, std::getenv("PTT_SSH"));
           }});
  }
  for (const auto& spec : defaults) {
    std::string error;
    if (!apply_project_defaults(spec, options.session.projects, error)) {
      print_error("ptt-realtime",
                  error +
                      "; pass --project-defaults NAME=ITEM,... with items worktree, no-worktree, "
                      "sandbox, no-sandbox and, last, setup=CMD");
      return false;
    }
  }
  return true;
}

std::string default_realtime_url(const std::string& model) {
  return "wss://api.openai.com/v1/realtime?model=" + model;
}

}  // namespace ptt::realtime
