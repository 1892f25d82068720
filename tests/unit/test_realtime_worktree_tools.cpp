// The voice tools for a worktree task's work: review_task summarises `ptt-task diff`
// within bounds; merge_task and discard_task run `ptt-task merge|discard` only in a
// response to the user's own turn (the consent rule, consent_clock.h), never in the
// response to an announcement alone.
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "realtime/worktree_tools.h"
#include "realtime_session_harness.h"

using namespace realtime_test;
namespace rt = ptt::realtime;

namespace {

void ptt_turn(Harness& h) {
  h.stdin_({{"type", "ptt.start"}});
  h.stdin_(audio_ms(300));
  h.stdin_({{"type", "ptt.stop"}});
}

// A response in which the model calls `tool`; its function output when answered at once.
json call_in_response(Harness& h, const std::string& response, const std::string& tool,
                      const std::string& args) {
  h.server(response_created(response));
  h.server(call_added("call_" + response, tool));
  h.server(args_done("call_" + response, args));
  h.server(response_done(response, json::array({{{"type", "function_call"},
                                                 {"call_id", "call_" + response},
                                                 {"name", tool},
                                                 {"arguments", args}}})));
  for (const auto& e : h.sent)
    if (e.value("type", "") == "conversation.item.create" &&
        e["item"].value("type", "") == "function_call_output" &&
        e["item"].value("call_id", "") == "call_" + response)
      return json::parse(e["item"]["output"].get<std::string>());
  return nullptr;
}

json finished_event(int id) {
  return {{"event", "finished"},
          {"task",
           {{"id", id},
            {"name", nullptr},
            {"state", "succeeded"},
            {"reason", nullptr},
            {"changes", {{"files", 1}, {"insertions", 2}, {"deletions", 0}}}}}};
}

}  // namespace

TEST_CASE("merge_task in a response to the user's turn runs ptt-task merge", "[realtime][worktree]") {
  Harness h;
  ptt_turn(h);  // "merge task 3"
  json output = call_in_response(h, "r1", "merge_task", R"({"task":"3"})");
  CHECK(output.is_null());
  REQUIRE(h.commands.size() == 1);
  CHECK(h.commands[0] == json{{"args", {"merge", "3"}}});
  h.take(h.session.on_task_command_done(h.command_tokens[0], 0, "merged task 3 (ptt/3) into main\n"));
  CHECK(h.printed_has("tool_result", "name", "merge_task"));
  CHECK(h.sent.back()["type"] == "response.create");
}

TEST_CASE("merge_task and discard_task in the response to an announcement alone are refused",
          "[realtime][worktree]") {
  Harness h;
  ptt_turn(h);  // an earlier turn, answered
  h.server(response_created("r0"));
  h.server(response_done("r0"));
  h.take(h.daemon_event(finished_event(3)));  // "task 3 succeeded … changed 1 file"
  for (const char* tool : {"merge_task", "discard_task"}) {
    json output = call_in_response(h, std::string("r_") + tool, tool, R"({"task":3})");
    REQUIRE(output.is_object());
    CHECK(output["ok"] == false);
    CHECK(output["error"].get<std::string>().find("only when the user asks") != std::string::npos);
  }
  CHECK(h.commands.empty());
  // review_task is no change: the model may call it on its own.
  call_in_response(h, "r_review", "review_task", R"({"task":3})");
  REQUIRE(h.commands.size() == 1);
  CHECK(h.commands[0] == json{{"args", {"diff", "3"}}});
  // Once the user speaks after the announcement, the merge goes through.
  ptt_turn(h);
  call_in_response(h, "r2", "discard_task", R"({"task":3})");
  REQUIRE(h.commands.size() == 2);
  CHECK(h.commands[1] == json{{"args", {"discard", "--yes", "3"}}});
}

TEST_CASE("merge_task before any user turn is refused", "[realtime][worktree]") {
  Harness h;
  json output = call_in_response(h, "r1", "merge_task", R"({"task":3})");
  REQUIRE(output.is_object());
  CHECK(output["ok"] == false);
  CHECK(h.commands.empty());
}

TEST_CASE("the finish announcement says what a worktree task changed", "[realtime][worktree]") {
  Harness h;
  h.clear();
  h.take(h.daemon_event(finished_event(3)));
  bool said = false;
  for (const auto& e : h.sent)
    if (e.value("type", "") == "conversation.item.create")
      said = said || e["item"]["content"][0]["text"].get<std::string>().find("changed 1 file, +2 \u22120") !=
                         std::string::npos;
  CHECK(said);
}

TEST_CASE("a worktree tool's task must be a number or name, never an option", "[realtime][worktree]") {
  CHECK(rt::worktree_tool_command("merge_task", R"({"task":"--all"})").args.empty());
  CHECK(rt::worktree_tool_command("merge_task", R"({})").args.empty());
  CHECK(rt::worktree_tool_command("review_task", R"({"task":4})").args ==
        std::vector<std::string>{"diff", "4"});
}

TEST_CASE("review_task lists each file with its counts and first changed lines, bounded",
          "[realtime][worktree]") {
  std::string diff =
      "diff --git a/notes.txt b/notes.txt\nnew file mode 100644\n--- /dev/null\n+++ b/notes.txt\n"
      "@@ -0,0 +1,2 @@\n+hello\n+world\n"
      "diff --git a/src/a.cpp b/src/a.cpp\n--- a/src/a.cpp\n+++ b/src/a.cpp\n@@ -1,3 +1,3 @@ int main\n"
      " keep\n-old line\n+new line\n";
  json out = json::parse(rt::worktree_tool_output("review_task", 0, diff));
  CHECK(out["changes"] == "changed 2 files, +3 \u22121");
  REQUIRE(out["files"].size() == 2);
  CHECK(out["files"][0] ==
        json{{"file", "notes.txt"}, {"added", 2}, {"deleted", 0}, {"first_lines", "+hello\n+world"}});
  CHECK(out["files"][1]["first_lines"] == "-old line\n+new line");
  // Many files, long lines: the output stays small.
  std::string big;
  for (int i = 0; i < 100; ++i)
    big += "diff --git a/f" + std::to_string(i) + " b/f" + std::to_string(i) + "\n@@ -0,0 +1 @@\n+" +
           std::string(5000, 'x') + "\n";
  std::string bounded = rt::worktree_tool_output("review_task", 0, big);
  CHECK(bounded.size() < 6000);
  CHECK(json::parse(bounded)["note"] == "88 more files not shown; see `ptt-task diff`");
  // A failure says what ptt-task said.
  json failed =
      json::parse(rt::worktree_tool_output("merge_task", 1, "ptt-task: error: conflict with main in: a\n"));
  CHECK(failed["ok"] == false);
  CHECK(failed["error"] == "ptt-task: error: conflict with main in: a");
}
