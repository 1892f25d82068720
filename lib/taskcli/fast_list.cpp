#include "taskcli/fast_list.h"

#include <stdexcept>

#include <simdjson.h>

namespace ptt::taskcli {
using protocol::TaskRecord;
namespace sj = simdjson;

namespace {

std::optional<std::string> opt_string(sj::dom::object o, const char* key) {
  std::string_view v;
  if (o[key].get_string().get(v) == sj::SUCCESS) return std::string(v);
  return std::nullopt;
}

double number(sj::dom::element e, double fallback = 0) {
  double d;
  if (e.get_double().get(d) == sj::SUCCESS) return d;
  int64_t i;
  if (e.get_int64().get(i) == sj::SUCCESS) return static_cast<double>(i);
  return fallback;
}

TaskRecord table_record(sj::dom::object o) {
  TaskRecord t;
  int64_t id = 0;
  if (o["id"].get_int64().get(id) != sj::SUCCESS)
    throw std::runtime_error("a task record without an integer id");
  t.id = id;
  t.name = opt_string(o, "name");
  std::string_view state;
  if (o["state"].get_string().get(state) != sj::SUCCESS || !protocol::parse_task_state(state)) {
    throw std::runtime_error("a task record without a known state");
  }
  t.state = *protocol::parse_task_state(state);
  t.reason = opt_string(o, "reason");
  t.activity = opt_string(o, "activity");
  sj::dom::element e;
  if (o["created_at"].get(e) == sj::SUCCESS) t.created_at = number(e);
  if (o["exit_code"].get(e) == sj::SUCCESS && e.is_int64()) t.exit_code = static_cast<int>(int64_t(e));
  sj::dom::array after;
  if (o["after"].get_array().get(after) == sj::SUCCESS) {
    for (auto a : after) {
      int64_t v;
      if (a.get_int64().get(v) == sj::SUCCESS) t.after.push_back(v);
    }
  }
  sj::dom::object result;
  if (o["result"].get_object().get(result) == sj::SUCCESS) {
    protocol::AgentResult r;
    r.text = opt_string(result, "text").value_or("");
    r.subtype = opt_string(result, "subtype").value_or("");
    if (result["cost_usd"].get(e) == sj::SUCCESS) r.cost_usd = number(e);
    t.result = std::move(r);
  }
  return t;
}

}  // namespace

ListReply parse_list_reply(std::string_view line, long id, bool want_raw, std::size_t capacity) {
  ListReply out;
  sj::dom::parser parser;
  sj::dom::element doc;
  bool in_place = capacity >= line.size() + sj::SIMDJSON_PADDING;
  auto parsed = in_place ? parser.parse(line.data(), line.size(), false) : parser.parse(sj::padded_string(line));
  if (auto err = parsed.get(doc); err) throw std::runtime_error(sj::error_message(err));
  sj::dom::object o;
  if (doc.get_object().get(o) != sj::SUCCESS) return out;
  int64_t rid;
  if (o["id"].get_int64().get(rid) != sj::SUCCESS || rid != id) return out;  // an event or another reply
  out.ours = true;
  bool ok = false;
  out.ok = o["ok"].get_bool().get(ok) == sj::SUCCESS && ok;
  if (!out.ok) {
    sj::dom::object error;
    if (o["error"].get_object().get(error) == sj::SUCCESS) {
      out.error_code = opt_string(error, "code").value_or("internal");
      out.error_message = opt_string(error, "message").value_or("the daemon refused the request");
    }
    return out;
  }
  sj::dom::array tasks;
  if (o["tasks"].get_array().get(tasks) != sj::SUCCESS) return out;
  out.tasks.reserve(tasks.size());
  for (auto t : tasks) {
    sj::dom::object record;
    if (t.get_object().get(record) != sj::SUCCESS)
      throw std::runtime_error("a task record that is not an object");
    out.tasks.push_back(table_record(record));
    if (want_raw) out.raw_tasks.push_back(sj::minify(t));
  }
  return out;
}

}  // namespace ptt::taskcli
