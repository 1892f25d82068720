// Why a connection to a host broke (client/ssh_transport.h): the step that failed, told
// from how the dial command ended and the last line of its stderr.
#include <catch2/catch.hpp>

#include "client/ssh_transport.h"

using ptt::client::DialEnd;
using ptt::client::explain_dial_end;
using ptt::client::Host;
using ptt::client::last_line;
using ptt::client::parse_ssh_url;

namespace {

Host devbox() {
  Host h = parse_ssh_url("ssh://me@devbox.lan");
  h.name = "devbox";
  h.remote_command = "env A=1 /opt/ptt/bin/ptt-task --no-autostart";
  return h;
}

DialEnd exited(int status) { return DialEnd{true, status, 0}; }

const std::string kClosed = "the daemon closed the connection";

}  // namespace

TEST_CASE("last_line takes the last non-empty line, without our error prefix", "[ssh]") {
  CHECK(last_line("") == "");
  CHECK(last_line("\n  \n") == "");
  CHECK(last_line("Warning: added\nssh: connect to host x port 22: Connection refused\r\n\n") ==
        "ssh: connect to host x port 22: Connection refused");
  CHECK(last_line("ptt-task: error: no daemon answers\n") == "no daemon answers");
}

TEST_CASE("ssh's own failure (255) is a connection or a login problem", "[ssh]") {
  std::string refused =
      explain_dial_end(devbox(), exited(255), "ssh: connect to host devbox.lan port 22: Connection refused\n",
                       kClosed, nullptr);
  CHECK(refused.rfind("host devbox: ssh could not connect to devbox.lan (ssh: connect to", 0) == 0);
  std::string denied = explain_dial_end(devbox(), exited(255),
                                        "me@devbox.lan: Permission denied (publickey).\n", kClosed, nullptr);
  CHECK(denied.rfind("host devbox: ssh could not log in to devbox.lan (me@devbox.lan: Permission denied",
                     0) == 0);
  CHECK(explain_dial_end(devbox(), exited(255), "", kClosed, nullptr).find("(it printed nothing)") !=
        std::string::npos);
}

TEST_CASE("127 is ptt-task missing on the host, or PTT_SSH not running", "[ssh]") {
  std::string missing = explain_dial_end(devbox(), exited(127), "bash: line 1: ptt-task: command not found\n",
                                         kClosed, nullptr);
  CHECK(missing.rfind("host devbox: `/opt/ptt/bin/ptt-task dial-stdio` is not found on devbox.lan (bash:",
                      0) == 0);
  CHECK(missing.find("remote-command = \"PATH/ptt-task\" in [hosts.devbox]") != std::string::npos);

  Host by_url = parse_ssh_url("ssh://devbox.lan");
  CHECK(explain_dial_end(by_url, exited(127), "zsh:1: command not found: ptt-task", kClosed, nullptr)
            .find("[hosts.NAME] table") != std::string::npos);

  std::string custom =
      explain_dial_end(devbox(), exited(127), "myssh -F x: 1: myssh: not found\n", kClosed, "myssh -F x");
  CHECK(custom.rfind("host devbox: PTT_SSH could not run (myssh -F x: 1: myssh: not found)", 0) == 0);
}

TEST_CASE("another status is the remote dial-stdio's failure, with its message", "[ssh]") {
  std::string failed =
      explain_dial_end(devbox(), exited(3),
                       "ptt-task: error: ptt-taskd exited at start-up (status 1): boom\n", kClosed, nullptr);
  CHECK(failed ==
        "host devbox: `/opt/ptt/bin/ptt-task dial-stdio` failed there (exit 3): ptt-taskd exited at "
        "start-up (status 1): boom");
}

TEST_CASE("a clean end or a signal keeps what the client saw", "[ssh]") {
  CHECK(explain_dial_end(devbox(), exited(0), "", kClosed, nullptr) == "host devbox: " + kClosed);
  CHECK(explain_dial_end(devbox(), DialEnd{false, 0, 9}, "", kClosed, nullptr) ==
        "host devbox: " + kClosed + " (ssh was killed by signal 9: it printed nothing)");
  CHECK(explain_dial_end(devbox(), DialEnd{}, "", kClosed, nullptr) == "host devbox: " + kClosed);
}
