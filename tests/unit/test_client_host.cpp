// Host names and URLs (client/host.h): what --host, PTT_HOST and [hosts.NAME] resolve to,
// and the ssh command line that reaches a host's daemon.
#include <catch2/catch.hpp>

#include "client/host.h"

using ptt::client::dial_argv;
using ptt::client::Host;
using ptt::client::HostError;
using ptt::client::parse_ssh_url;
using ptt::client::read_host_table;
using ptt::client::remote_run_argv;
using ptt::client::resolve_host;

TEST_CASE("ssh URLs give user, host and port", "[host]") {
  Host h = parse_ssh_url("ssh://me@devbox.lan:2222");
  CHECK(h.user == "me");
  CHECK(h.hostname == "devbox.lan");
  CHECK(h.port == 2222);
  CHECK_FALSE(h.local());
  CHECK(h.name == "ssh://me@devbox.lan:2222");
  CHECK(h.on_suffix() == " on ssh://me@devbox.lan:2222");

  Host bare = parse_ssh_url("ssh://devbox/");
  CHECK(bare.user.empty());
  CHECK(bare.hostname == "devbox");
  CHECK(bare.port == 0);

  Host v6 = parse_ssh_url("ssh://[::1]:22");
  CHECK(v6.hostname == "::1");
  CHECK(v6.port == 22);
}

TEST_CASE("malformed ssh URLs are refused with the form to use", "[host]") {
  for (const char* url :
       {"devbox", "http://devbox", "ssh://", "ssh://@devbox", "ssh://devbox:0", "ssh://devbox:70000",
        "ssh://devbox:22x", "ssh://devbox/path", "ssh://-oProxyCommand=x", "ssh://[::1"}) {
    CAPTURE(url);
    CHECK_THROWS_WITH(parse_ssh_url(url), Catch::Contains("ssh://[user@]host[:port]"));
  }
}

TEST_CASE("the [hosts] table names hosts with an optional remote command", "[host]") {
  auto table = read_host_table(R"(
[ptt-task]
timeout = 5

[hosts.devbox]
remote-command = "~/.local/bin/ptt-task"
url = "ssh://me@devbox:2200"

[hosts.build]
url = "ssh://build"
)",
                               "config.toml");
  REQUIRE(table.size() == 2);
  const Host& devbox = table.at("devbox");
  CHECK(devbox.name == "devbox");
  CHECK(devbox.user == "me");
  CHECK(devbox.port == 2200);
  CHECK(devbox.remote_command == "~/.local/bin/ptt-task");
  CHECK(devbox.on_suffix() == " on devbox");
  CHECK(table.at("build").remote_command == "ptt-task");
}

TEST_CASE("a malformed [hosts] entry names file and line", "[host]") {
  CHECK_THROWS_WITH(read_host_table("[hosts.a]\nremote-command = \"x\"\n", "c.toml"),
                    Catch::Contains("c.toml:1: [hosts.a] has no url"));
  CHECK_THROWS_WITH(read_host_table("[hosts.a]\nurl = \"devbox\"\n", "c.toml"),
                    Catch::Contains("c.toml:2: [hosts.a] url:"));
  CHECK_THROWS_WITH(read_host_table("[hosts.a]\nurl = \"ssh://a\"\nport = 22\n", "c.toml"),
                    Catch::Contains("c.toml:3:"));
  CHECK_THROWS_WITH(read_host_table("[hosts.local]\nurl = \"ssh://a\"\n", "c.toml"),
                    Catch::Contains("reserved"));
  CHECK_THROWS_WITH(read_host_table("hosts = 3\n", "c.toml"), Catch::Contains("c.toml:1:"));
}

TEST_CASE("resolve_host: local, URLs and configured names", "[host]") {
  auto table = read_host_table("[hosts.devbox]\nurl = \"ssh://devbox\"\n", "c.toml");
  CHECK(resolve_host("", table).local());
  CHECK(resolve_host("local", table).local());
  CHECK(resolve_host("devbox", table).hostname == "devbox");
  CHECK(resolve_host("ssh://other:2", table).port == 2);
  CHECK_THROWS_WITH(resolve_host("nohost", table),
                    Catch::Contains("unknown host 'nohost'") && Catch::Contains("configured hosts: devbox"));
  CHECK_THROWS_WITH(resolve_host("nohost", {}), Catch::Contains("defines no [hosts.NAME]"));
}

TEST_CASE("dial_argv runs ssh, or PTT_SSH through sh", "[host]") {
  Host h = parse_ssh_url("ssh://me@devbox:2222");
  using V = std::vector<std::string>;
  CHECK(dial_argv(h, nullptr) == V{"ssh", "-p", "2222", "-l", "me", "--", "devbox", "ptt-task dial-stdio"});
  CHECK(dial_argv(h, "") == V{"ssh", "-p", "2222", "-l", "me", "--", "devbox", "ptt-task dial-stdio"});
  h.remote_command = "env PTT_SOCKET=/s ptt-task";
  CHECK(dial_argv(h, "ssh -F '/my cfg'") == V{"/bin/sh", "-c", "ssh -F '/my cfg' \"$@\"", "ssh -F '/my cfg'",
                                              "-p", "2222", "-l", "me", "--", "devbox",
                                              "env PTT_SOCKET=/s ptt-task dial-stdio"});
}

TEST_CASE("remote_run_argv quotes each argument for the remote shell", "[host]") {
  Host h = parse_ssh_url("ssh://devbox");
  using V = std::vector<std::string>;
  CHECK(remote_run_argv(h, nullptr, {"diff", "3", "--stat"}, false) ==
        V{"ssh", "--", "devbox", "ptt-task diff 3 --stat"});
  CHECK(remote_run_argv(h, nullptr, {"merge", "fix it's bug", "$HOME"}, true) ==
        V{"ssh", "-t", "--", "devbox", "ptt-task merge 'fix it'\\''s bug' '$HOME'"});
  CHECK(ptt::client::shell_quote("") == "''");
  CHECK(ptt::client::shell_quote("a b") == "'a b'");
}
