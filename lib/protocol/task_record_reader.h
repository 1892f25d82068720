#pragma once
// A task record read from nlohmann's SAX events straight into a TaskRecord, with no
// JSON tree in between. The daemon reads every journal line at start-up and ptt-task
// reads list replies of as many records: over 100,000 records, building a tree per
// record and then converting it was nearly all of their time.
//
// The caller forwards the events of one record object, from its start_object (call
// begin() instead) to its end_object, and stops forwarding when one returns false.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/task_record.h"

namespace ptt::protocol {

class TaskRecordReader {
 public:
  enum class Mode {
    // Every field, exactly as from_json reads it. A record from_json might read
    // otherwise (a mistyped, duplicated or oddly shaped value, a "forget" line, more
    // than a few levels deep) is refused (false), so the caller can fall back to
    // from_json and its error messages. The result's usage and model_usage objects
    // are built as JSON trees (only they: most real records have them).
    kExact,
    // Only what ptt-task's list table shows; a mistyped field is ignored (a nullable
    // string is unset). Throws std::runtime_error on a record without an integer id or
    // a known state; never refuses.
    kTable,
  };

  explicit TaskRecordReader(Mode mode);
  ~TaskRecordReader();

  void begin(TaskRecord& record);                // at the record's start_object
  bool done() const { return frames_.empty(); }  // the record's end_object was seen

  bool key(std::string& k);
  bool null();
  bool boolean(bool v);
  bool number_integer(std::int64_t v);
  bool number_unsigned(std::uint64_t v);
  bool number_float(double v);
  bool string(std::string& v);
  bool start_object();
  bool start_array();
  bool end_container();  // end_object or end_array

 private:
  // Where a value goes: the container being read, and for objects the current key.
  enum class In { kRecord, kAfter, kResult, kOptions, kAllowedTools, kAddDirs, kErrors, kDenials, kSkipped };
  struct Frame {
    In in;
    int field = -1;  // in an object: the current key's field (see the .cpp), -1 unknown
  };
  struct Value;  // one scalar event

  bool scalar(const Value& v);
  bool record_field(int field, const Value& v);
  bool result_field(int field, const Value& v);
  bool options_field(int field, const Value& v);
  bool container(bool object);
  bool refuse();  // false in kExact; kTable ignores what it cannot use
  // usage and model_usage (kExact): their events go to a JSON tree builder until the
  // object ends.
  struct Capture;
  bool capture_object(nlohmann::json& into);

  Mode mode_;
  TaskRecord* record_ = nullptr;
  std::vector<Frame> frames_;
  std::uint64_t seen_ = 0;            // kExact: the fields met so far (a duplicate key is refused)
  std::unique_ptr<Capture> capture_;  // while inside usage or model_usage
  // kTable: the worktree object, captured whole (few records have one) and read with
  // from_json when it ends: the table shows what became of it and what it changed.
  nlohmann::json worktree_;
  bool capturing_worktree_ = false;
};

// The record in one journal line, read as from_json(json::parse(line)) would; false
// when the line is anything else or in doubt (then read it that slower way, which
// also says what is wrong with it).
bool read_task_record(std::string_view line, TaskRecord& out);

}  // namespace ptt::protocol
