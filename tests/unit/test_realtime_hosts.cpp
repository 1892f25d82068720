// Projects on other hosts in the voice session (issue 22): --project's HOST:/DIR and
// ssh:// forms, which daemon a tool call goes to, and how a remote task is named to the
// user ("task 3 on devbox") in announcements, tool results and permission questions.
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "open_fds.h"
#include "realtime/conversation_view.h"
#include "realtime/daemon_transport.h"
#include "realtime/permission_questions.h"
#include "realtime/run_options.h"
#include "realtime/session_update.h"
#include "realtime/task_hosts.h"
#include "realtime_session_harness.h"

using namespace realtime_test;
using ptt::realtime::call_host;
using ptt::realtime::Project;
using ptt::realtime::VoiceQuestion;

namespace {

SessionConfig hosts_config() {
  SessionConfig cfg;
  cfg.projects = {{"api", "/src/api", ""}, {"gpu", "/home/me/gpu", "devbox"}, {"web", "/srv/web", "devbox"}};
  return cfg;
}

ptt::client::HostTable devbox_table() {
  return ptt::client::read_host_table("[hosts.devbox]\nurl = \"ssh://me@devbox.lan\"\n", "config.toml");
}

// Runs one completed call of `name` with `args` in its own response.
void call(Harness& h, const std::string& id, const std::string& name, const std::string& args) {
  h.server(response_created("r_" + id));
  h.server(call_added(id, name));
  h.server(args_done(id, args));
  h.server(response_done(
      "r_" + id,
      json::array({{{"type", "function_call"}, {"call_id", id}, {"name", name}, {"arguments", args}}})));
}

json output_of(const Harness& h, const std::string& call_id) {
  for (const auto& e : h.sent)
    if (e.value("type", "") == "conversation.item.create" &&
        e["item"].value("type", "") == "function_call_output" && e["item"].value("call_id", "") == call_id)
      return json::parse(e["item"]["output"].get<std::string>());
  return nullptr;
}

std::vector<std::string> announced(const Harness& h) {
  std::vector<std::string> texts;
  for (const auto& e : h.sent)
    if (e.value("type", "") == "conversation.item.create" && e["item"].value("role", "") == "system")
      texts.push_back(e["item"]["content"][0]["text"]);
  return texts;
}

}  // namespace

TEST_CASE("a project names its host by config name or ssh:// URL; local paths stay local",
          "[realtime][hosts]") {
  auto table = devbox_table();
  Project p;
  ptt::client::Host host;
  std::string error;
  REQUIRE(ptt::realtime::parse_project("gpu=devbox:/home/me/gpu", table, p, host, error));
  CHECK(p.name == "gpu");
  CHECK(p.dir == "/home/me/gpu");
  CHECK(p.host == "devbox");
  CHECK(host.hostname == "devbox.lan");

  p = {};
  host = {};
  REQUIRE(ptt::realtime::parse_project("gpu=ssh://me@box:2222/srv/x", table, p, host, error));
  CHECK(p.dir == "/srv/x");
  CHECK(p.host == "ssh://me@box:2222");
  CHECK(host.port == 2222);
  CHECK(host.user == "me");

  // A DIR starting with "/" is this machine's, even with a colon in it (checked here: it exists).
  p = {};
  host = {};
  CHECK_FALSE(ptt::realtime::parse_project("x=/nonexistent:dir", table, p, host, error));
  CHECK(error.find("is not a directory") != std::string::npos);
  p = {};
  host = {};
  REQUIRE(ptt::realtime::parse_project("root=local:/", table, p, host, error));
  CHECK(p.host.empty());
  CHECK(p.dir == "/");

  p = {};
  host = {};
  CHECK_FALSE(ptt::realtime::parse_project("gpu=devbox:src/gpu", table, p, host, error));
  CHECK(error.find("not an absolute path") != std::string::npos);
  p = {};
  host = {};
  CHECK_FALSE(ptt::realtime::parse_project("gpu=nobox:/x", table, p, host, error));
  CHECK(error.find("nobox") != std::string::npos);
  p = {};
  host = {};
  CHECK_FALSE(ptt::realtime::parse_project("gpu=ssh://box", table, p, host, error));
}

TEST_CASE("a tool call goes to the host it names, local by default", "[realtime][hosts]") {
  SessionConfig cfg = hosts_config();
  CHECK(call_host(cfg, "check_task", json{{"task", 3}}).host.empty());
  CHECK(call_host(cfg, "check_task", json{{"task", 3}, {"host", "devbox"}}).host == "devbox");
  CHECK(call_host(cfg, "check_task", json{{"task", 3}, {"host", "local"}}).host.empty());
  auto unknown = call_host(cfg, "check_task", json{{"task", 3}, {"host", "nobox"}});
  CHECK(unknown.error.find("unknown host 'nobox'; the hosts are: local, devbox") != std::string::npos);
  CHECK(call_host(cfg, "spawn_task", json{{"project", "gpu"}}).host == "devbox");
  CHECK(call_host(cfg, "spawn_task", json{{"project", "api"}}).host.empty());

  // Every project on one other host: that host is the default.
  SessionConfig remote_only;
  remote_only.projects = {{"gpu", "/home/me/gpu", "devbox"}};
  CHECK(call_host(remote_only, "list_tasks", json::object()).host == "devbox");
  CHECK(call_host(remote_only, "spawn_task", json{{"prompt", "p"}}).host == "devbox");
  // On two other hosts and none here: the model must say which.
  remote_only.projects.push_back({"cpu", "/x", "ssh://other"});
  CHECK(call_host(remote_only, "get_result", json{{"task", 1}}).error.find("which host") !=
        std::string::npos);
}

TEST_CASE("the tools take a host only when a project is on another host", "[realtime][hosts]") {
  auto has_host = [](const json& tools, const std::string& name) {
    for (const auto& t : tools)
      if (t["name"] == name) return t["parameters"]["properties"].contains("host");
    return false;
  };
  json local = ptt::realtime::tool_definitions(Harness::default_config());
  CHECK_FALSE(has_host(local, "check_task"));
  json remote = ptt::realtime::tool_definitions(hosts_config());
  for (const char* name : {"check_task", "get_result", "cancel_task", "answer_permission", "review_task",
                           "merge_task", "discard_task", "list_tasks", "message_task", "follow_up_task"})
    CHECK(has_host(remote, name));
  CHECK_FALSE(has_host(remote, "spawn_task"));  // its project says where
  for (const auto& t : remote)
    if (t["name"] == "check_task")
      CHECK(t["parameters"]["properties"]["host"]["enum"] == json({"local", "devbox"}));
  json update = ptt::realtime::build_session_update(hosts_config());
  std::string instructions = update["session"]["instructions"];
  CHECK(instructions.find("gpu on devbox") != std::string::npos);
  CHECK(instructions.find("task 3 on devbox") != std::string::npos);
}

TEST_CASE("a task spawned in a remote project goes to that host's daemon and is named with it",
          "[realtime][hosts]") {
  Harness h(hosts_config());
  call(h, "c1", "spawn_task", R"({"prompt":"train","project":"gpu"})");
  REQUIRE(h.requests.size() == 1);
  CHECK(h.requests[0]["op"] == "spawn");
  CHECK(h.requests[0]["cwd"] == "/home/me/gpu");
  CHECK(h.request_hosts[0] == "devbox");
  h.daemon_reply(0, spawn_reply(3));
  json out = output_of(h, "c1");
  CHECK(out["task"] == 3);
  CHECK(out["host"] == "devbox");

  // check_task with the host goes there; without it, here.
  call(h, "c2", "check_task", R"({"task":3,"host":"devbox"})");
  call(h, "c3", "check_task", R"({"task":3})");
  REQUIRE(h.request_hosts.size() == 3);
  CHECK(h.request_hosts[1] == "devbox");
  CHECK(h.request_hosts[2].empty());
  call(h, "c4", "cancel_task", R"({"task":3,"host":"elsewhere"})");
  CHECK(h.requests.size() == 3);  // refused before any daemon hears of it
  CHECK(output_of(h, "c4")["error"].get<std::string>().find("unknown host") != std::string::npos);

  // A worktree tool runs ptt-task against the host.
  call(h, "c5", "review_task", R"({"task":3,"host":"devbox"})");
  REQUIRE(h.command_hosts.size() == 1);
  CHECK(h.command_hosts[0] == "devbox");
}

TEST_CASE("a remote task's finish is announced with its host", "[realtime][hosts]") {
  Harness h(hosts_config());
  ptt::realtime::TaskUpdates remote_updates;
  remote_updates.apply(
      json{{"event", "created"},
           {"task", {{"id", 3}, {"state", "running"}, {"prompt", "p"}, {"created_at", 1.0}}}});
  auto update = remote_updates.apply(
      json{{"event", "finished"},
           {"task", {{"id", 3}, {"state", "succeeded"}, {"result", {{"text", std::string(400, 'x')}}}}}});
  REQUIRE(update);
  h.clear();
  h.take(h.session.on_task_update(*update, "devbox"));
  auto texts = announced(h);
  REQUIRE(texts.size() == 1);
  CHECK(texts[0].rfind("[task update] task 3 on devbox succeeded", 0) == 0);
  CHECK(texts[0].find("`ptt-task --host devbox result 3`") != std::string::npos);
  bool line_has_host = false;
  for (const auto& p : h.printed)
    if (p.value("type", "") == "task") line_has_host = p["task"].value("host", "") == "devbox";
  CHECK(line_has_host);
}

TEST_CASE("permission questions are per host: announced with it, answered on it", "[realtime][hosts]") {
  Harness h(hosts_config());
  VoiceQuestion remote{3, "q1", "Bash", "curl example.com", std::nullopt, "devbox"};
  h.take(h.session.on_permission_requested(remote));
  auto texts = announced(h);
  REQUIRE(texts.size() == 1);
  CHECK(texts[0].find("Task 3 on devbox wants to run curl example.com.") != std::string::npos);
  h.server(response_created("r1"));
  h.server(response_done("r1"));
  h.stdin_({{"type", "ptt.start"}});
  h.stdin_(audio_ms(300));
  h.stdin_({{"type", "ptt.stop"}});
  h.requests.clear();
  h.request_hosts.clear();
  // Task 3 here has no question: the same number on this machine is another task.
  call(h, "c1", "answer_permission", R"({"task":3,"allow":true})");
  CHECK(h.requests.empty());
  CHECK(output_of(h, "c1")["error"].get<std::string>().find("no open question") != std::string::npos);
  h.stdin_({{"type", "ptt.start"}});
  h.stdin_(audio_ms(300));
  h.stdin_({{"type", "ptt.stop"}});
  call(h, "c2", "answer_permission", R"({"task":3,"allow":true,"host":"devbox"})");
  REQUIRE(h.requests.size() == 1);
  CHECK(h.request_hosts[0] == "devbox");
  CHECK(h.requests[0]["request"] == "q1");

  h.take(h.session.on_daemon_connection(true, "devbox"));
  CHECK(h.request_hosts.back() == "devbox");
  CHECK(h.printed_has("daemon", "host", "devbox"));
}

TEST_CASE("one daemon's pending leaves the other hosts' questions alone", "[realtime][hosts]") {
  ptt::realtime::PermissionQuestions questions;
  questions.add({4, "q2", "Bash", "ls", std::nullopt, ""});
  questions.add({3, "q1", "Bash", "curl", std::nullopt, "devbox"});
  CHECK_FALSE(questions.add({3, "q1", "Bash", "curl", std::nullopt, "devbox"}));
  CHECK(questions.add({3, "q1", "Bash", "curl", std::nullopt, ""}));  // task 3 here is another task
  std::vector<std::string> dropped;
  auto added = questions.reset({{5, "q3", "Bash", "make", std::nullopt, ""}}, dropped, "devbox");
  CHECK(dropped == std::vector<std::string>{"q1"});
  REQUIRE(added.size() == 1);
  CHECK(added[0].host == "devbox");  // what devbox's daemon said is devbox's
  CHECK(questions.known(4, "q2"));
  CHECK(questions.known(3, "q1"));
  CHECK_FALSE(questions.known(3, "q1", "devbox"));
  CHECK(questions.known(5, "q3", "devbox"));
}

TEST_CASE("a command transport's loss says what the command printed", "[realtime][hosts]") {
  using ptt::realtime::command_loss_reason;
  using ptt::realtime::CommandEnd;
  auto exited = [](std::string said, int status) {
    return CommandEnd{std::move(said), true, status, 0, "closed"};
  };
  CHECK(command_loss_reason(exited("ssh: connect to host x port 22: Connection refused\r\n", 255)) ==
        "ssh: connect to host x port 22: Connection refused");
  CHECK(command_loss_reason(exited("\nbash: line 1: ptt-task: command not found\n\n", 127)) ==
        "bash: line 1: ptt-task: command not found");
  CHECK(command_loss_reason(exited("first\nsecond\n", 1)) == "first; second");
  CHECK(command_loss_reason(exited("", 255)) == "it exited with status 255");
  CHECK(command_loss_reason({"", false, 0, 15, "closed"}) == "it was ended by signal 15");
  CHECK(command_loss_reason({"", false, 0, 0, "cannot run ssh: no such file"}) ==
        "cannot run ssh: no such file");
}

TEST_CASE("a command transport carries the channel and says why its child ended", "[realtime][hosts]") {
  std::size_t fds_before = open_fds();
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::string received, why;
  int opened = 0;
  {
    ptt::realtime::DaemonTransport transport(
        &loop,
        {{},
         {"/bin/sh", "-c", "read line; echo \"got $line\"; echo 'no daemon here' >&2; exit 3"},
         "box",
         {}},
        [&] { ++opened; }, [&](std::string_view bytes) { received += bytes; },
        [&](const std::string& reason) { why = reason; });
    transport.open();
    CHECK(opened == 1);
    transport.write("hi\n");
    while (why.empty() && uv_run(&loop, UV_RUN_ONCE) != 0) {
    }
    CHECK(received == "got hi\n");
    CHECK(why == "no daemon here");
    CHECK_FALSE(transport.is_open());

    why.clear();
    ptt::realtime::DaemonTransport missing(
        &loop, {{}, {"/nonexistent/ssh", "x"}, "box", {}}, [&] { ++opened; }, [](std::string_view) {},
        [&](const std::string& reason) { why = reason; });
    missing.open();
    CHECK(why.find("cannot run /nonexistent/ssh") != std::string::npos);
    CHECK(opened == 1);

    // Closed by us while the child runs: it is ended, and no callback comes.
    why.clear();
    ptt::realtime::DaemonTransport sleeper(
        &loop, {{}, {"/bin/sh", "-c", "exec sleep 30"}, "box", {}}, [] {}, [](std::string_view) {},
        [&](const std::string& reason) { why = reason; });
    sleeper.open();
    sleeper.close();
  }
  uv_run(&loop, UV_RUN_DEFAULT);  // returns once every handle, the sleeper's process too, is closed
  CHECK(why.empty());
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(open_fds() == fds_before);  // every socket pair and pidfd closed
}

TEST_CASE("the readable view names a remote task's host and a host's daemon", "[realtime][hosts]") {
  auto plain = [](const json& event) {
    return ptt::realtime::render_event(event, ptt::realtime::ViewStyle{false});
  };
  using Lines = std::vector<std::string>;
  json done = {
      {"type", "task"},
      {"event", "finished"},
      {"task", {{"id", 3}, {"state", "succeeded"}, {"name", "train"}, {"host", "devbox"}, {"result", "ok"}}}};
  CHECK(plain(done) == Lines{"task 3 on devbox (train) succeeded: ok"});
  json result = {{"type", "tool_result"},
                 {"name", "spawn_task"},
                 {"output", {{"ok", true}, {"task", 3}, {"state", "queued"}, {"host", "devbox"}}}};
  CHECK(plain(result) == Lines{"← task 3 on devbox queued"});
  CHECK(plain({{"type", "daemon"}, {"state", "connected"}, {"host", "devbox"}}) ==
        Lines{"task daemon on devbox connected"});
  CHECK(plain({{"type", "daemon"}, {"state", "disconnected"}}) ==
        Lines{"the task daemon is not reachable; tasks cannot be started until it is back"});
}
