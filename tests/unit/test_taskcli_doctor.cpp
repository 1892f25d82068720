#include <catch2/catch.hpp>

#include "taskcli/doctor.h"

using namespace ptt::taskcli::doctor;

namespace {

Facts healthy() {
  Facts f;
  f.claude = {"claude", "PATH", "/usr/bin/claude", true, "2.1.330 (Claude Code)", "", true, true};
  f.sandbox = {"/usr/bin/bwrap", "/usr/bin/socat", true, ""};
  f.key.present = true;
  f.audio.input_devices = 2;
  f.audio.default_input = "USB Mic";
  f.keyboard.dir_exists = true;
  f.keyboard.event_nodes = 5;
  f.keyboard.keyboards = 1;
  f.keyboard.first_keyboard = "/dev/input/event3";
  f.portal.available = true;
  f.portal.version = 2;
  f.daemon = {"/run/user/1000/ptt/taskd.sock", true, false, "ptt-taskd 0.1.0", 42, ""};
  f.state_dir = {"/home/u/.local/state/ptt", true, true, ""};
  return f;
}

const Check& find(const std::vector<Check>& checks, const std::string& name) {
  for (const auto& c : checks)
    if (c.name == name) return c;
  FAIL("no check " << name);
  return checks.front();
}

}  // namespace

TEST_CASE("doctor: a healthy machine passes every check without fixes", "[taskcli][doctor]") {
  auto checks = diagnose(healthy());
  REQUIRE(checks.size() == 9);
  for (const auto& c : checks) {
    CHECK(c.verdict == Verdict::kOk);
    CHECK(c.fix.empty());
  }
  CHECK(find(checks, "claude").detail == "/usr/bin/claude (2.1.330 (Claude Code)), stream-json supported");
  CHECK(find(checks, "daemon").detail == "ptt-taskd 0.1.0 (pid 42) at /run/user/1000/ptt/taskd.sock");
  CHECK(exit_status(checks) == 0);
}

TEST_CASE("doctor: a configured model OpenAI will shut down is a warning with the current one",
          "[taskcli][doctor]") {
  Facts f = healthy();
  CHECK(find(diagnose(f), "models").detail == "gpt-realtime-2.1, gpt-transcribe");
  f.models = {"/home/u/.config/ptt/config.toml", "gpt-realtime", "gpt-4o-mini-transcribe"};
  auto c = find(diagnose(f), "models");
  CHECK(c.verdict == Verdict::kWarn);
  CHECK(c.detail ==
        "gpt-realtime is deprecated (shutdown 2027-01-20); gpt-4o-mini-transcribe is deprecated (shutdown "
        "2027-02-26) (set in /home/u/.config/ptt/config.toml)");
  CHECK(c.fix.find("model = \"gpt-realtime-2.1\", transcribe-model = \"gpt-transcribe\"") !=
        std::string::npos);
  CHECK(exit_status(diagnose(f)) == 0);
  f.models = {"/c.toml", "gpt-realtime-2", ""};
  CHECK(find(diagnose(f), "models").verdict == Verdict::kOk);
}

TEST_CASE("doctor: a missing or unfit claude fails with how to get one", "[taskcli][doctor]") {
  Facts f = healthy();
  f.claude = {"claude", "PATH", "", false, "", "", false, false};
  auto c = find(diagnose(f), "claude");
  CHECK(c.verdict == Verdict::kFail);
  CHECK(c.detail == "`claude` not found (PATH)");
  CHECK(c.fix.find("npm install -g @anthropic-ai/claude-code") != std::string::npos);
  CHECK(c.fix.find("PTT_CLAUDE") != std::string::npos);

  f.claude = {"/opt/c", "--claude", "/opt/c", false, "", "exit status 2", false, false};
  CHECK(find(diagnose(f), "claude").verdict == Verdict::kFail);
  CHECK(find(diagnose(f), "claude").detail == "/opt/c does not run: exit status 2");

  f.claude = {"claude", "PATH", "/usr/bin/claude", true, "0.2.9", "", true, false};
  c = find(diagnose(f), "claude");
  CHECK(c.verdict == Verdict::kFail);
  CHECK(c.detail.find("does not mention --output-format stream-json") != std::string::npos);
  CHECK(exit_status(diagnose(f)) == 1);

  f.claude.help_ran = false;
  CHECK(find(diagnose(f), "claude").verdict == Verdict::kWarn);
}

TEST_CASE("doctor: voice-only needs warn, and the key is never shown", "[taskcli][doctor]") {
  Facts f = healthy();
  f.key.present = false;
  f.audio.input_devices = 0;
  f.keyboard.keyboards = 0;
  f.keyboard.unreadable = 5;
  auto checks = diagnose(f);
  CHECK(find(checks, "OPENAI_API_KEY").verdict == Verdict::kWarn);
  CHECK(find(checks, "OPENAI_API_KEY").fix.find("export OPENAI_API_KEY=") != std::string::npos);
  CHECK(find(checks, "audio input").verdict == Verdict::kWarn);
  const auto& kb = find(checks, "keyboard");
  CHECK(kb.verdict == Verdict::kWarn);
  CHECK(kb.detail == "5 of 5 input devices under /dev/input are not readable by you");
  CHECK(kb.fix.find("sudo usermod -aG input $USER") != std::string::npos);
  CHECK(exit_status(checks) == 0);  // warnings alone do not fail

  f.keyboard.listed_in_input_group = true;  // in /etc/group, not yet in this login
  CHECK(find(diagnose(f), "keyboard").fix.find("log out and in again") != std::string::npos);

  f.key = {true, true};
  CHECK(find(diagnose(f), "OPENAI_API_KEY").detail == "set, but it contains whitespace (a pasted newline?)");
}

TEST_CASE("doctor: a daemon that does not answer fails, a stopped one with how to resume it",
          "[taskcli][doctor]") {
  Facts f = healthy();
  f.daemon = {"/s.sock", false, false, "", 42, "no answer", true, true};
  auto c = find(diagnose(f), "daemon");
  CHECK(c.verdict == Verdict::kFail);
  CHECK(c.detail == "ptt-taskd (pid 42) at /s.sock does not answer: it is stopped");
  CHECK(c.fix.find("kill -CONT 42") != std::string::npos);
  f.daemon = {"/s.sock", false, false, "", 0, "no answer", true, false};
  c = find(diagnose(f), "daemon");
  CHECK(c.verdict == Verdict::kFail);
  CHECK(c.detail == "the daemon at /s.sock does not answer in time (busy or stuck)");
}

TEST_CASE("doctor: the daemon may be down, but not broken; the state dir must be writable",
          "[taskcli][doctor]") {
  Facts f = healthy();
  f.daemon = {"/s.sock", false, true, "", 0, "No such file or directory"};
  CHECK(find(diagnose(f), "daemon").verdict == Verdict::kWarn);
  f.daemon = {"/s.sock", false, false, "", 0, "the daemon speaks another protocol version"};
  CHECK(find(diagnose(f), "daemon").verdict == Verdict::kFail);
  f = healthy();
  f.state_dir = {"/x/state", false, false, "/x is in the way (not a directory)"};
  auto c = find(diagnose(f), "state dir");
  CHECK(c.verdict == Verdict::kFail);
  CHECK(c.detail == "/x/state is not writable: /x is in the way (not a directory)");
  CHECK(c.fix.find("PTT_STATE_DIR") != std::string::npos);
  f.state_dir = {"/x/state", false, true, ""};
  CHECK(find(diagnose(f), "state dir").detail == "/x/state will be created (its parent is writable)");
}

TEST_CASE("doctor: the sandbox's bubblewrap and socat missing, or bwrap without namespaces, warn how to fix",
          "[taskcli][doctor]") {
  Facts f = healthy();
  CHECK(find(diagnose(f), "sandbox").detail == "/usr/bin/bwrap makes namespaces, socat at /usr/bin/socat");
  f.sandbox = {"", "", false, ""};
  auto c = find(diagnose(f), "sandbox");
  CHECK(c.verdict == Verdict::kWarn);
  CHECK(c.detail ==
        "bubblewrap (bwrap) and socat are not installed: a --sandbox task fails (sandbox_unavailable)");
  CHECK(c.fix.find("apt-get install bubblewrap socat") != std::string::npos);
  f.sandbox = {"/usr/bin/bwrap", "", true, ""};
  CHECK(find(diagnose(f), "sandbox").detail.find("socat is not installed") == 0);
  f.sandbox = {"/usr/bin/bwrap", "/usr/bin/socat", false, "bwrap: No permissions to creating new namespace"};
  c = find(diagnose(f), "sandbox");
  CHECK(c.verdict == Verdict::kWarn);
  CHECK(c.detail ==
        "/usr/bin/bwrap cannot create namespaces here: bwrap: No permissions to creating new namespace");
  CHECK(c.fix.find("unprivileged_userns_clone") != std::string::npos);
  CHECK(exit_status(diagnose(f)) == 0);
}

TEST_CASE("doctor: one line per check, the fix below it; colour only when asked", "[taskcli][doctor]") {
  Facts f = healthy();
  f.key.present = false;
  auto checks = diagnose(f);
  std::string plain = render_checks(checks, {});
  CHECK(plain.find("ok   claude          /usr/bin/claude") == 0);
  CHECK(plain.find(
            "warn OPENAI_API_KEY  not set (only ptt-realtime needs it)\n     fix: export OPENAI_API_KEY=") !=
        std::string::npos);
  CHECK(plain.find("\033[") == std::string::npos);
  CHECK(plain.substr(plain.rfind('\n', plain.size() - 2) + 1) == "0 failed, 1 warning\n");
  std::string colored = render_checks(checks, {true, 0});
  CHECK(colored.find("\033[33mwarn\033[0m OPENAI_API_KEY") != std::string::npos);

  std::string nd = render_checks_ndjson(checks);
  CHECK(std::count(nd.begin(), nd.end(), '\n') == 9);
  auto first = nlohmann::json::parse(nd.substr(0, nd.find('\n')));
  CHECK(first["check"] == "claude");
  CHECK(first["status"] == "ok");
  CHECK(first["fix"].is_null());
}

TEST_CASE("doctor: the hotkey portal is reported with its version, or why not (a warning)",
          "[taskcli][doctor]") {
  Facts f = healthy();
  CHECK(find(diagnose(f), "hotkey portal").detail ==
        "GlobalShortcuts version 2 on the session bus (ptt-listen --hotkey portal)");
  f.portal = {"", false, 0, "org.freedesktop.DBus.Error.ServiceUnknown: no portal"};
  auto c = find(diagnose(f), "hotkey portal");
  CHECK(c.verdict == Verdict::kWarn);
  CHECK(c.detail.find("ServiceUnknown") != std::string::npos);
  CHECK(c.fix.find("--hotkey signal, evdev or tty") != std::string::npos);
  CHECK(exit_status(diagnose(f)) == 0);
  f.portal = {"ptt-listen is not installed next to ptt-task or on PATH", false, 0, ""};
  CHECK(find(diagnose(f), "hotkey portal").verdict == Verdict::kWarn);
}

TEST_CASE("doctor on a host checks what its daemon needs, and says where", "[taskcli][doctor]") {
  Facts f = healthy();
  f.key.present = false;  // ptt-realtime's, not the host's: no warning there
  std::vector<std::string> names;
  for (const auto& c : diagnose_on_host(f)) names.push_back(c.name);
  CHECK(names == std::vector<std::string>{"claude", "daemon", "state dir", "sandbox"});
  std::string pre = on_host_preamble("devbox");
  CHECK(pre.rfind("checks on devbox, for its ptt-taskd", 0) == 0);
  CHECK(pre.find("OPENAI_API_KEY") != std::string::npos);
  CHECK(pre.find("`ptt-task --host local doctor`") != std::string::npos);
}
