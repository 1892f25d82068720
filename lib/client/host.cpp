#include "client/host.h"

#include <charconv>
#include <fstream>
#include <iterator>
#include <system_error>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace ptt::client {
namespace {

constexpr std::string_view kUrlForm = "ssh://[user@]host[:port]";

[[noreturn]] void bad_url(std::string_view url, std::string_view why) {
  throw HostError(fmt::format("'{}' is not a host URL ({}); write {}", url, why, kUrlForm));
}

std::string known_names(const HostTable& table) {
  if (table.empty()) return "the config file defines no [hosts.NAME] tables";
  std::string names;
  for (const auto& [name, host] : table) names += (names.empty() ? "" : ", ") + name;
  return "configured hosts: " + names;
}

}  // namespace

Host parse_ssh_url(std::string_view url) {
  constexpr std::string_view scheme = "ssh://";
  if (url.substr(0, scheme.size()) != scheme) bad_url(url, "it does not start with ssh://");
  std::string_view rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#") != std::string_view::npos) bad_url(url, "it has a path");
  Host host;
  host.name = std::string(url);
  host.url = std::string(url);
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    host.user = std::string(rest.substr(0, at));
    if (host.user.empty()) bad_url(url, "the user before @ is empty");
    rest.remove_prefix(at + 1);
  }
  std::string_view name = rest;
  if (!rest.empty() && rest.front() == '[') {  // [::1]:2222
    auto close = rest.find(']');
    if (close == std::string_view::npos) bad_url(url, "an IPv6 address lacks its ]");
    name = rest.substr(1, close - 1);
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() != ':') bad_url(url, "text follows the ]");
  } else if (auto colon = rest.find(':'); colon != std::string_view::npos) {
    name = rest.substr(0, colon);
    rest.remove_prefix(colon);
  } else {
    rest = {};
  }
  if (!rest.empty()) {  // ":PORT"
    std::string_view digits = rest.substr(1);
    int port = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port < 1 ||
        port > 65535)
      bad_url(url, "the port is not a number from 1 to 65535");
    host.port = port;
  }
  if (name.empty()) bad_url(url, "the host name is empty");
  if (name.front() == '-') bad_url(url, "a host name cannot start with '-'");
  host.hostname = std::string(name);
  return host;
}

HostTable read_host_table(std::string_view toml_text, const std::string& file_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(file_name));
  } catch (const toml::parse_error& e) {
    throw HostError(fmt::format("{}:{}: {}; fix that line (the file is TOML)", file_name,
                                e.source().begin.line, e.description()));
  }
  HostTable table;
  const toml::node* hosts = root.get("hosts");
  if (!hosts) return table;
  auto fail = [&](const toml::node& where, const std::string& what) {
    throw HostError(fmt::format("{}:{}: {}", file_name, where.source().begin.line, what));
  };
  if (!hosts->is_table()) fail(*hosts, "'hosts' must be a table of [hosts.NAME] tables");
  for (auto&& [key, node] : *hosts->as_table()) {
    std::string name(key.str());
    if (!node.is_table())
      fail(node, fmt::format("[hosts.{}] must be a table with url = \"{}\"", name, kUrlForm));
    if (name == kLocalHost) fail(node, "[hosts.local] is reserved: \"local\" always means this machine");
    const toml::table& entry = *node.as_table();
    Host host;
    bool have_url = false;
    for (auto&& [field, value] : entry) {
      auto text = value.value<std::string>();
      if (field.str() == "url" && text) {
        try {
          host = parse_ssh_url(*text);
        } catch (const HostError& e) {
          fail(value, fmt::format("[hosts.{}] url: {}", name, e.what()));
        }
        have_url = true;
      } else if (!(field.str() == "remote-command" && text && !text->empty())) {
        fail(value, fmt::format("[hosts.{}]: '{}' must be url = \"{}\" or remote-command = \"PATH\"", name,
                                field.str(), kUrlForm));
      }
    }
    if (!have_url) fail(node, fmt::format("[hosts.{}] has no url; add url = \"{}\"", name, kUrlForm));
    // Read after url (whatever the order in the file): parse_ssh_url gives a fresh Host.
    if (auto rc = entry.get("remote-command"))
      host.remote_command = rc->value<std::string>().value_or("ptt-task");
    host.name = name;
    table.emplace(name, std::move(host));
  }
  return table;
}

HostTable load_host_table(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return {};
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return read_host_table(text, file.string());
}

Host resolve_host(std::string_view spec, const HostTable& table) {
  if (spec.empty() || spec == kLocalHost) return Host{};
  if (spec.find("://") != std::string_view::npos) return parse_ssh_url(spec);
  if (auto found = table.find(spec); found != table.end()) return found->second;
  throw HostError(
      fmt::format("unknown host '{}'; name a [hosts.NAME] table of the config file, \"local\", or {} "
                  "({})",
                  spec, kUrlForm, known_names(table)));
}

namespace {

std::vector<std::string> ssh_argv(const Host& host, const char* ssh_command, bool terminal,
                                  const std::string& remote_line) {
  std::vector<std::string> args;
  if (terminal) args.push_back("-t");
  if (host.port) args.insert(args.end(), {"-p", std::to_string(host.port)});
  if (!host.user.empty()) args.insert(args.end(), {"-l", host.user});
  args.insert(args.end(), {"--", host.hostname, remote_line});
  std::vector<std::string> argv;
  if (ssh_command && *ssh_command) {
    argv = {"/bin/sh", "-c", std::string(ssh_command) + " \"$@\"", ssh_command};
  } else {
    argv = {"ssh"};
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

std::vector<std::string> dial_argv(const Host& host, const char* ssh_command) {
  return ssh_argv(host, ssh_command, false, host.remote_command + " dial-stdio");
}

std::vector<std::string> remote_run_argv(const Host& host, const char* ssh_command,
                                         const std::vector<std::string>& args, bool terminal) {
  std::string line = host.remote_command;
  for (const auto& arg : args) {
    line.push_back(' ');
    line.append(shell_quote(arg));  // not `" " + ...`: g++ 12 -O3 warns falsely (-Wrestrict)
  }
  return ssh_argv(host, ssh_command, terminal, line);
}

std::string shell_quote(std::string_view text) {
  constexpr std::string_view plain =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%";
  if (!text.empty() && text.find_first_not_of(plain) == std::string_view::npos) return std::string(text);
  std::string quoted(1, '\'');
  for (char c : text) {
    if (c == '\'')
      quoted.append("'\\''");  // close, an escaped quote, reopen
    else
      quoted.push_back(c);
  }
  quoted.push_back('\'');
  return quoted;
}

}  // namespace ptt::client
