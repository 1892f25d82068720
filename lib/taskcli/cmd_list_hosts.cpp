// `ptt-task list --all-hosts`: this machine's tasks and those of every [hosts.NAME] of the
// config file in one table with a HOST column (docs/hosts.md). A host that cannot be
// reached costs one line on stderr; the others are still shown.
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "client/host.h"
#include "core/cli.h"
#include "core/exit_status.h"
#include "taskcli/list_query.h"

namespace ptt::taskcli {

namespace {

struct HostList {
  client::Host host;
  std::unique_ptr<client::Client> client;  // null when connecting failed
  std::string problem;                     // why its tasks are not shown
};

// A record's raw JSON with "host" first: {"host":"devbox","id":3,...}.
std::string with_host(const std::string& raw, const std::string& host_json) {
  if (raw.size() < 2 || raw.front() != '{') return raw;
  std::string out = "{\"host\":" + host_json;
  if (raw != "{}") out += ',';
  out.append(raw, 1);
  return out;
}

}  // namespace

int cmd_list_all_hosts(CliSession& s, const ListArgs& a) {
  bool json = s.global().json;
  protocol::ListRequest req = list_request(a, json);
  std::vector<HostList> hosts;
  hosts.push_back({client::Host{}, nullptr, {}});
  for (auto& [name, host] : client::load_host_table(s.global().config_file))
    hosts.push_back({host, nullptr, {}});
  // Every connection first: the ssh handshakes overlap, and the replies are read after.
  client::ConnectOptions base = s.local_connect_options();
  for (HostList& h : hosts) {
    client::ConnectOptions o = base;
    o.host = h.host;
    try {
      h.client = std::make_unique<client::Client>(o);
    } catch (const client::UnreachableError& e) {
      h.problem = e.what();
    }
  }
  TableRenderer table(wall_now(), s.style(), true);
  std::string out, holds;
  std::uint64_t omitted = 0;
  int status = kExitOk;
  for (HostList& h : hosts) {
    const std::string& name = h.host.name;
    if (h.client) {
      try {
        ListReply reply = read_list(*h.client, req, json, json ? nullptr : &table, name);
        std::string host_json = nlohmann::json(name).dump();
        for (const auto& t : reply.raw_tasks) (out += with_host(t, host_json)) += '\n';
        if (reply.queue_hold) holds += name + ": " + render_queue_hold(*reply.queue_hold, wall_now());
        omitted += reply.finished_omitted;
        h.client.reset();  // its ssh ends now, not after the others' replies
        continue;
      } catch (const client::UnreachableError& e) {
        h.problem = e.what();
      } catch (const client::RequestError& e) {
        h.problem = e.what();
      }
      h.client.reset();
    }
    // A remote host's problem names it already ("host devbox: ..."); this machine's does not.
    print_warning("ptt-task", fmt::format("{}{}; its tasks are not shown",
                                          h.host.local() ? "this machine: " : "", h.problem));
    status = kExitUnreachable;
  }
  if (json) {
    write_stdout(out);
  } else {
    write_stdout(holds + table.render());
    note_omitted(omitted, a);
  }
  return status;
}

}  // namespace ptt::taskcli
