#include "taskcli/fast_list.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/json_depth.h"
#include "core/json_simple_scan.h"
#include "protocol/replies.h"
#include "protocol/task_record_reader.h"

namespace ptt::taskcli {
namespace reply_field = protocol::reply_field;
using protocol::TaskRecord;

namespace {

// SAX events in, ListReply out. The reply's shape (protocol::TasksReply, by the names
// in protocol::reply_field), by nesting depth:
//   {"id":N, "ok":B, "error":{"code","message"}, "tasks":[ {record}, … ]}
// Each record's events go to a TaskRecordReader (the table's fields only); anything
// else (other fields, deeper values) is skipped.
class ListSax {
 public:
  using json = nlohmann::json;

  ListSax(ListReply& out, const RecordSink& on_record) : out_(out), on_record_(on_record) {}

  bool null() { return in_record() ? reader_.null() : scalar(Scalar{}); }
  bool boolean(bool v) {
    return in_record() ? reader_.boolean(v) : scalar(Scalar{.kind = Scalar::kBool, .b = v});
  }
  bool number_integer(json::number_integer_t v) {
    return in_record() ? reader_.number_integer(v) : scalar(Scalar{.kind = Scalar::kInt, .i = v});
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return in_record() ? reader_.number_unsigned(v)
                       : scalar(Scalar{.kind = Scalar::kInt, .i = static_cast<std::int64_t>(v)});
  }
  bool number_float(json::number_float_t v, const std::string&) {
    return in_record() ? reader_.number_float(v) : scalar(Scalar{.kind = Scalar::kFloat, .f = v});
  }
  bool string(std::string& v) {
    return in_record() ? reader_.string(v) : scalar(Scalar{.kind = Scalar::kString, .s = &v});
  }
  bool binary(json::binary_t&) { return true; }

  bool key(std::string& k) {
    if (in_record()) return reader_.key(k);
    stack_.back().key = std::move(k);
    return true;
  }
  bool start_object(std::size_t) {
    if (in_record()) return reader_.start_object();
    if (in_tasks_array()) {
      record_ = on_record_ ? &scratch_ : &out_.tasks.emplace_back();
      reader_.begin(*record_);
      return true;
    }
    stack_.push_back({true, {}});
    return true;
  }
  bool end_object() {
    if (in_record()) {
      reader_.end_container();
      if (reader_.done()) finish_record();
      return true;
    }
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    if (in_record()) return reader_.start_array();
    if (in_tasks_array()) throw std::runtime_error("a task record that is not an object");
    stack_.push_back({false, {}});
    return true;
  }
  bool end_array() {
    if (in_record()) return reader_.end_container();
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    throw std::runtime_error(e.what());
  }

  bool id_matches(long id) const { return has_id_ && reply_id_ == id; }
  // The reply's queue_hold, when it had a readable one.
  std::optional<protocol::QueueHold> queue_hold() const {
    if (hold_.is_null()) return std::nullopt;
    try {
      return hold_.get<protocol::QueueHold>();
    } catch (const json::exception&) {
      return std::nullopt;  // a hold this version cannot read hides no task
    }
  }

 private:
  struct Frame {
    bool object;
    std::string key;  // in an object: the key of the value being read
  };
  struct Scalar {
    enum Kind { kNull, kBool, kInt, kFloat, kString } kind = kNull;
    bool b = false;
    std::int64_t i = 0;
    double f = 0;
    std::string* s = nullptr;
  };

  bool in_record() const { return record_ != nullptr; }
  bool in_tasks_array() const {
    return stack_.size() == 2 && stack_[0].object && stack_[0].key == reply_field::kTasks &&
           !stack_[1].object;
  }

  bool scalar(const Scalar& v) {
    if (stack_.empty()) return true;  // a bare value: not a reply
    const std::string& k = stack_.back().key;
    if (stack_.size() == 1) {
      if (!stack_[0].object) return true;
      if (k == reply_field::kId && v.kind == Scalar::kInt) {
        has_id_ = true;
        reply_id_ = v.i;
      } else if (k == reply_field::kOk) {
        out_.ok = v.kind == Scalar::kBool && v.b;
      } else if (k == reply_field::kFinishedOmitted && v.kind == Scalar::kInt && v.i > 0) {
        out_.finished_omitted = static_cast<std::uint64_t>(v.i);
      }
    } else if (in_tasks_array()) {
      throw std::runtime_error("a task record that is not an object");
    } else if (stack_.size() == 2 && stack_[0].key == reply_field::kQueueHold && stack_[1].object) {
      // The hold's few fields, read whole once the reply is (protocol::QueueHold).
      json& field = hold_[k];
      if (v.kind == Scalar::kString) field = *v.s;
      if (v.kind == Scalar::kInt) field = v.i;
      if (v.kind == Scalar::kFloat) field = v.f;
    } else if (stack_.size() == 2 && stack_[0].key == reply_field::kError && stack_[1].object &&
               v.kind == Scalar::kString) {
      (k == reply_field::kCode      ? out_.error_code
       : k == reply_field::kMessage ? out_.error_message
                                    : ignored_) = *v.s;
    }
    return true;
  }

  void finish_record() {
    if (on_record_) on_record_(std::move(scratch_));
    record_ = nullptr;
  }

  ListReply& out_;
  const RecordSink& on_record_;
  protocol::TaskRecordReader reader_{protocol::TaskRecordReader::Mode::kTable};
  TaskRecord scratch_;  // the record being read, when they go to on_record_
  std::vector<Frame> stack_;
  TaskRecord* record_ = nullptr;  // the record being read
  bool has_id_ = false;
  std::int64_t reply_id_ = 0;
  std::string ignored_;
  json hold_;  // the queue_hold object's scalar fields
};

}  // namespace

std::size_t count_records(std::string_view line) {
  // Each record has one "state" key (in a JSON string its quotes would be escaped).
  std::size_t records = 0;
  for (auto at = line.find(R"("state":)"); at != std::string_view::npos;
       at = line.find(R"("state":)", at + 8))
    ++records;
  return records;
}

ListReply parse_list_reply(std::string_view line, long id, bool want_raw, const RecordSink& on_record) {
  ListReply out;
  // Records are big (a TaskRecord is most of a KB): growing the vector by doubling
  // would move and page-fault them twice over, so it is sized once.
  if (!on_record) out.tasks.reserve(count_records(line));
  ListSax sax(out, on_record);
  // The SAX walk does not recurse, but --json's whole parse and dump below do.
  if (!json_depth_within(line)) throw std::runtime_error(json_too_deep_message());
  // A reply of the daemon's own making is simple JSON, which JsonSimpleScanner reads
  // several times faster than nlohmann's lexer. It is asked first whether it can read
  // all of it: records go to on_record as they are read, so there is no starting over.
  if (json_is_simple(line)) {
    JsonSimpleScanner(line, sax).run();
  } else {
    nlohmann::json::sax_parse(line.begin(), line.end(), &sax);
  }
  if (!sax.id_matches(id)) return {};  // an event, another reply, or no object at all
  out.ours = true;
  out.queue_hold = sax.queue_hold();
  if (out.ok) {
    out.error_code.clear();
    out.error_message.clear();
  } else {
    out.tasks.clear();
    if (out.error_code.empty()) out.error_code = protocol::ErrorReply::kUnnamedCode;
    if (out.error_message.empty()) out.error_message = protocol::ErrorReply::kUnnamedMessage;
    return out;
  }
  if (want_raw) {
    // ordered_json keeps the daemon's key order, so --json prints what it sent.
    auto doc = nlohmann::ordered_json::parse(line);
    for (const auto& t : doc.at(reply_field::kTasks)) out.raw_tasks.push_back(t.dump());
  }
  return out;
}

}  // namespace ptt::taskcli
