#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "agent_result_of.h"
#include "protocol/task_record.h"
#include "protocol/task_record_reader.h"

using namespace ptt::protocol;
using nlohmann::json;

namespace {

// What from_json makes of the line, or nullopt when it refuses it.
std::optional<TaskRecord> slow_read(const std::string& line) {
  try {
    return json::parse(line).get<TaskRecord>();
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

// The fast reader reads a line exactly as from_json does, or refuses it; never otherwise.
void check_same_or_refused(const std::string& line, bool must_read = false) {
  INFO(line);
  TaskRecord fast;
  bool read = read_task_record(line, fast);
  auto slow = slow_read(line);
  if (read) {
    REQUIRE(slow);
    CHECK(fast == *slow);
  }
  if (must_read) CHECK(read);
}

json full_record() {
  TaskRecord t;
  t.id = 12;
  t.name = "fix-tests";
  t.state = TaskState::kFailed;
  t.reason = "error_max_turns";
  t.prompt = "fix the \"failing\" tests\n\u00e9";
  t.cwd = "/src/api";
  t.after = {3, 4};
  t.parent = 2;
  t.resume_session = "s-1";
  t.retry_of = 9;
  t.created_at = 1764000000.5;
  t.started_at = 1764000001.0;
  t.finished_at = 1764000009.25;
  t.pid = 4242;
  t.session_id = "sess";
  t.model = "opus";
  t.activity = "Bash: make";
  t.exit_code = -1;
  t.stderr_tail = "boom";
  t.result = agent_result_of("error_max_turns", true, "text", 0.25, 3, 4200);
  t.result->errors = {"Reached maximum number of turns (3)", ""};
  t.result->terminal_reason = "max_turns";
  t.result->startup_failure_reason = "cwd_unavailable";
  t.result->session_cost_usd = 0.5;
  t.options.model = "sonnet";
  t.options.max_turns = 3;
  t.options.max_budget_usd = 1.5;
  t.options.permission_mode = "plan";
  t.options.allowed_tools = std::vector<std::string>{"Bash", "Edit"};
  t.options.add_dirs = {"/a", "/b"};
  t.options.append_system_prompt = "be brief";
  t.cancel_requested = true;
  return t;
}

}  // namespace

TEST_CASE("the fast record reader reads what the daemon writes, as from_json does", "[protocol]") {
  check_same_or_refused(full_record().dump(), true);
  TaskRecord minimal;
  minimal.id = 1;
  check_same_or_refused(json(minimal).dump(), true);
  check_same_or_refused(R"({"id":5,"state":"queued"})", true);
  // Unknown fields are skipped, one level deep.
  check_same_or_refused(R"({"id":5,"state":"queued","new":{"a":1},"x":[1]})", true);
  check_same_or_refused(R"({"id":5,"state":"queued","result":{"text":"t","extra":[1]}})", true);
  // Refused calls, usage and model_usage hold objects: from_json's way, read the same.
  json with_objects = full_record();
  with_objects["result"]["permission_denials"] = {{{"tool", "Bash"}, {"description", "Bash: curl x"}}};
  with_objects["result"]["usage"] = {{"input_tokens", 100}};
  with_objects["result"]["model_usage"] = {{"m", {{"inputTokens", 100}}}};
  check_same_or_refused(with_objects.dump());
  // usage and model_usage (nearly every real record has them) are read without from_json.
  json with_usage = full_record();
  with_usage["result"]["usage"] = json::parse(
      R"({"input_tokens":100,"cache_creation":{"ephemeral_5m_input_tokens":0,"tiers":[1,2.5,null,"x",[true]]},)"
      R"("service_tier":"standard","z":-3,"big":18446744073709551615,"f":1e-7,"s":"\u00e9\n"})");
  with_usage["result"]["model_usage"] =
      json::parse(R"({"claude-opus":{"inputTokens":10,"costUSD":0.01,"contextWindow":200000},"b":{}})");
  check_same_or_refused(with_usage.dump(), true);
  check_same_or_refused(
      R"({"id":5,"state":"failed","result":{"usage":{},"model_usage":{"a":{"b":{"c":[]}}}}})", true);
  // Deeper than the reader follows: from_json's way.
  std::string deep = R"({"id":5,"state":"failed","result":{"usage":)";
  for (int i = 0; i < 20; ++i) deep += R"({"a":)";
  deep += "1";
  for (int i = 0; i < 20; ++i) deep += "}";
  check_same_or_refused(deep + "}}");
  TaskRecord refused;
  CHECK_FALSE(read_task_record(deep + "}}", refused));
  // An array or a duplicate is left to from_json too.
  check_same_or_refused(R"({"id":5,"state":"failed","result":{"usage":[{"a":1}]}})");
  check_same_or_refused(R"({"id":5,"state":"failed","result":{"usage":{"a":1},"usage":{"b":2}}})");
  // Integers where from_json reads only integers.
  check_same_or_refused(R"({"id":5,"state":"queued","result":{"num_turns":1.5,"duration_ms":"x"}})", true);
}

TEST_CASE("the fast record reader refuses what it is unsure of; from_json decides", "[protocol]") {
  const std::vector<std::string> values = {
      "null",
      "true",
      "false",
      "0",
      "-1",
      "7",
      "1.5",
      "2147483648",
      "9223372036854775807",
      "9223372036854775808",
      "18446744073709551615",
      "\"s\"",
      "\"queued\"",
      "[]",
      "[1,2]",
      "[\"a\"]",
      "{}",
      "{\"a\":1}",
      "[[1]]",
      "[{}]",
      "[1.5]",
      "[null]",
      "{\"text\":1}",
  };
  json base = full_record();
  base["result"]["usage"] = {{"input_tokens", 100}, {"nested", {{"a", {1, 2}}}}};
  base["result"]["model_usage"] = {{"m", {{"inputTokens", 100}}}};
  std::vector<std::string> paths;
  for (auto& [k, v] : base.items()) paths.push_back("/" + k);
  for (auto& [k, v] : base["result"].items()) paths.push_back("/result/" + k);
  for (auto& [k, v] : base["options"].items()) paths.push_back("/options/" + k);
  paths.push_back("/unknown");
  paths.push_back("/forget");
  paths.push_back("/result/unknown");
  paths.push_back("/options/unknown");
  for (const auto& path : paths) {
    for (const auto& value : values) {
      json j = base;
      j[json::json_pointer(path)] = json::parse(value, nullptr, true);
      check_same_or_refused(j.dump());
    }
    json j = base;
    if (path.rfind("/result/", 0) != 0 && path.rfind("/options/", 0) != 0 && j.contains(path.substr(1))) {
      j.erase(path.substr(1));  // a missing field
      check_same_or_refused(j.dump());
    }
  }
  // Numbers out of double's range, duplicated keys, other shapes, torn lines.
  for (const std::string line : {
           R"({"id":5,"state":"queued","created_at":1e400})",
           R"({"id":5,"state":"queued","id":6})",
           R"({"id":5,"state":"queued","result":{"text":"a","text":"b"}})",
           R"({"id":5,"state":"queued","after":[1],"after":[2]})",
           R"({"forget":5})",
           R"({"id":5,"forget":5,"state":"queued"})",
           R"([{"id":5,"state":"queued"}])",
           R"({"id":5,"state":"queued"} {"id":6,"state":"queued"})",
           R"({"id":5,"state":"queued")",
           R"({"id":5,"state":"queu)",
           "{\"id\":5,\"state\":\"queued\",\"prompt\":\"\xff\"}",
           R"({"id":5,"state":"queued","x":[[[[[[[[[[1]]]]]]]]]]})",
           R"({"id":5,"state":"queued","options":"x"})",
           R"("text")",
           "",
       }) {
    check_same_or_refused(line);
  }
  TaskRecord r;
  CHECK_FALSE(read_task_record(R"({"id":5,"state":"queued","x":[[1]]})", r));
  CHECK_FALSE(read_task_record(R"({"id":5,"state":"queued","created_at":1e400})", r));
  CHECK_FALSE(read_task_record(R"({"forget":5})", r));
}

TEST_CASE("the record reader keeps a task's stall_timeout and refuses it twice") {
  json j = {{"id", 4},    {"state", "running"}, {"prompt", "p"},
            {"cwd", "/"}, {"created_at", 1.0},  {"options", {{"stall_timeout", 90}}}};
  check_same_or_refused(j.dump(), true);
  TaskRecord fast;
  REQUIRE(read_task_record(j.dump(), fast));
  CHECK(fast.options.stall_timeout_s == 90);
  // A duplicate key is refused (the 37th field's bit must fit the reader's set of seen fields).
  std::string twice = R"({"id":4,"state":"running","prompt":"p","cwd":"/","created_at":1.0,)"
                      R"("options":{"stall_timeout":90,"stall_timeout":5}})";
  CHECK_FALSE(read_task_record(twice, fast));
}
