#include "realtime/task_hosts.h"

#include <algorithm>

#include <fmt/format.h>

namespace ptt::realtime {
using nlohmann::json;

namespace {

std::string host_names(const std::vector<std::string>& remote) {
  std::string names = kLocalHostName;
  for (const auto& h : remote) names += ", " + h;
  return names;
}

bool local_in_use(const SessionConfig& config) {
  return config.projects.empty() || std::any_of(config.projects.begin(), config.projects.end(),
                                                [](const Project& p) { return p.host.empty(); });
}

}  // namespace

std::vector<std::string> remote_hosts(const SessionConfig& config) {
  std::vector<std::string> hosts;
  for (const Project& p : config.projects)
    if (!p.host.empty() && std::find(hosts.begin(), hosts.end(), p.host) == hosts.end())
      hosts.push_back(p.host);
  return hosts;
}

CallHost call_host(const SessionConfig& config, const std::string& tool, const json& args) {
  std::vector<std::string> remote = remote_hosts(config);
  if (tool == "spawn_task") {  // where its project is; a wrong project is refused by the tool itself
    std::string project;
    if (auto p = args.find("project"); args.is_object() && p != args.end() && p->is_string())
      project = p->get<std::string>();
    for (const Project& p : config.projects)
      if (p.name == project || (project.empty() && config.projects.size() == 1)) return {p.host, {}};
    return {};
  }
  auto it = args.is_object() ? args.find("host") : json::const_iterator();
  if (!args.is_object() || it == args.end() || it->is_null() ||
      (it->is_string() && it->get<std::string>().empty())) {
    if (local_in_use(config) || remote.empty()) return {};
    if (remote.size() == 1) return {remote.front(), {}};
    return {{}, fmt::format("which host is the task on? pass host, one of: {}", host_names(remote))};
  }
  if (!it->is_string()) return {{}, "host must be a host's name"};
  std::string host = it->get<std::string>();
  if (host == kLocalHostName) return {};
  if (std::find(remote.begin(), remote.end(), host) != remote.end()) return {host, {}};
  return {{}, fmt::format("unknown host '{}'; the hosts are: {}", host, host_names(remote))};
}

std::string on_host(const std::string& host) { return host.empty() ? std::string() : " on " + host; }

}  // namespace ptt::realtime
