#include "protocol/task_record_reader.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/json_simple_scan.h"
#include "protocol/task_record_fields.h"

namespace ptt::protocol {
namespace rf = record_field;

namespace {

// Every key the reader knows, in one numbering (bits of TaskRecordReader::seen_).
enum Field : int {
  kId,
  kName,
  kState,
  kReason,
  kPrompt,
  kCwd,
  kAfter,
  kParent,
  kResumeSession,
  kRetryOf,
  kCreatedAt,
  kStartedAt,
  kFinishedAt,
  kPid,
  kSessionId,
  kModel,
  kActivity,
  kExitCode,
  kStderrTail,
  kResult,
  kOptions,
  kCancelRequested,
  kWorktree,  // an object: exact records with one go from_json's way (container() refuses it)
  kWaiting,
  kForget,
  kSubtype,
  kIsError,
  kText,
  kCostUsd,
  kNumTurns,
  kDurationMs,
  kErrors,
  kTerminalReason,
  kStartupFailureReason,
  kSessionCostUsd,
  kPermissionDenials,
  kUsage,
  kModelUsage,  // in "result"
  kOptModel,
  kMaxTurns,
  kMaxBudgetUsd,
  kPermissionMode,
  kAllowedTools,
  kAddDirs,
  kAppendSystemPrompt,
  kStallTimeout,
  kOptSandbox,  // in "options"
};

struct Name {
  std::string_view key;  // compared by length first: a miss costs no strcmp
  Field field;
};
constexpr Name kRecordNames[] = {
    {rf::kId, kId},
    {rf::kName, kName},
    {rf::kState, kState},
    {rf::kReason, kReason},
    {rf::kPrompt, kPrompt},
    {rf::kCwd, kCwd},
    {rf::kAfter, kAfter},
    {rf::kParent, kParent},
    {rf::kResumeSession, kResumeSession},
    {rf::kRetryOf, kRetryOf},
    {rf::kCreatedAt, kCreatedAt},
    {rf::kStartedAt, kStartedAt},
    {rf::kFinishedAt, kFinishedAt},
    {rf::kPid, kPid},
    {rf::kSessionId, kSessionId},
    {rf::kModel, kModel},
    {rf::kActivity, kActivity},
    {rf::kExitCode, kExitCode},
    {rf::kStderrTail, kStderrTail},
    {rf::kResult, kResult},
    {rf::kOptions, kOptions},
    {rf::kCancelRequested, kCancelRequested},
    {rf::kWorktree, kWorktree},
    {rf::kWaiting, kWaiting},
    {rf::kForget, kForget},
};
constexpr Name kResultNames[] = {
    {rf::kResultSubtype, kSubtype},
    {rf::kResultIsError, kIsError},
    {rf::kResultText, kText},
    {rf::kResultCostUsd, kCostUsd},
    {rf::kResultNumTurns, kNumTurns},
    {rf::kResultDurationMs, kDurationMs},
    {rf::kResultErrors, kErrors},
    {rf::kResultTerminalReason, kTerminalReason},
    {rf::kResultStartupFailureReason, kStartupFailureReason},
    {rf::kResultSessionCostUsd, kSessionCostUsd},
    {rf::kResultPermissionDenials, kPermissionDenials},
    {rf::kResultUsage, kUsage},
    {rf::kResultModelUsage, kModelUsage},
};
constexpr Name kOptionNames[] = {
    {rf::kOptionModel, kOptModel},
    {rf::kOptionMaxTurns, kMaxTurns},
    {rf::kOptionMaxBudgetUsd, kMaxBudgetUsd},
    {rf::kOptionPermissionMode, kPermissionMode},
    {rf::kOptionAllowedTools, kAllowedTools},
    {rf::kOptionAddDirs, kAddDirs},
    {rf::kOptionAppendSystemPrompt, kAppendSystemPrompt},
    {rf::kOptionStallTimeout, kStallTimeout},
    {rf::kOptionSandbox, kOptSandbox},
};

template <std::size_t N>
int field_of(const Name (&names)[N], std::string_view key) {
  for (const Name& n : names) {
    if (key.size() == n.key.size() && key == n.key) return n.field;
  }
  return -1;
}

}  // namespace

// A JSON tree built from the events of one object (nlohmann's own DOM builder, which
// json::parse uses too), and how deep the events are inside it.
struct TaskRecordReader::Capture {
  explicit Capture(nlohmann::json& into) : dom(into) {}
  nlohmann::detail::json_sax_dom_parser<nlohmann::json> dom;
  std::vector<bool> open;  // the containers open in it: object (true) or array
  // Deeper lines go from_json's way, which bounds depth (core/json_depth.h).
  static constexpr std::size_t kMaxDepth = 16;
};

TaskRecordReader::TaskRecordReader(Mode mode) : mode_(mode) {}
TaskRecordReader::~TaskRecordReader() = default;

bool TaskRecordReader::capture_object(nlohmann::json& into) {
  capture_ = std::make_unique<Capture>(into);
  capture_->open.push_back(true);
  return capture_->dom.start_object(static_cast<std::size_t>(-1));
}

struct TaskRecordReader::Value {
  enum Kind { kNull, kBool, kInt, kFloat, kString } kind = kNull;
  bool b = false;
  std::int64_t i = 0;
  bool int_exact = true;  // i is the number sent (an unsigned past INT64_MAX is not)
  double d = 0;
  std::string* s = nullptr;

  bool is_number() const { return kind == kInt || kind == kFloat; }
  bool fits_int() const {
    return kind == kInt && int_exact && i >= std::numeric_limits<int>::min() &&
           i <= std::numeric_limits<int>::max();
  }
};

void TaskRecordReader::begin(TaskRecord& record) {
  record = {};
  record_ = &record;
  frames_.assign(1, Frame{In::kRecord});
  seen_ = 0;
  capture_.reset();
  capturing_worktree_ = false;
}

bool TaskRecordReader::refuse() { return mode_ != Mode::kExact; }

bool TaskRecordReader::key(std::string& k) {
  if (capture_) return capture_->dom.key(k);
  Frame& f = frames_.back();
  switch (f.in) {
    case In::kRecord:
      f.field = field_of(kRecordNames, k);
      break;
    case In::kResult:
      f.field = field_of(kResultNames, k);
      break;
    case In::kOptions:
      f.field = field_of(kOptionNames, k);
      break;
    default:
      f.field = -1;
      return true;
  }
  if (mode_ == Mode::kExact && f.field >= 0) {
    // from_json reads the last of duplicated keys; this reader does not try to.
    std::uint64_t bit = std::uint64_t{1} << f.field;
    if (seen_ & bit) return false;
    seen_ |= bit;
  }
  return true;
}

bool TaskRecordReader::null() { return capture_ ? capture_->dom.null() : scalar(Value{}); }
bool TaskRecordReader::boolean(bool v) {
  return capture_ ? capture_->dom.boolean(v) : scalar(Value{.kind = Value::kBool, .b = v});
}
bool TaskRecordReader::number_integer(std::int64_t v) {
  if (capture_) return capture_->dom.number_integer(v);
  return scalar(Value{.kind = Value::kInt, .i = v, .d = static_cast<double>(v)});
}
bool TaskRecordReader::number_unsigned(std::uint64_t v) {
  if (capture_) return capture_->dom.number_unsigned(v);
  return scalar(Value{.kind = Value::kInt,
                      .i = static_cast<std::int64_t>(v),
                      .int_exact = v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()),
                      .d = static_cast<double>(v)});
}
bool TaskRecordReader::number_float(double v) {
  // from_json's parser refuses a number out of double's range (1E400).
  if (mode_ == Mode::kExact && !std::isfinite(v)) return false;
  if (capture_) return capture_->dom.number_float(v, {});
  return scalar(Value{.kind = Value::kFloat, .d = v});
}
bool TaskRecordReader::string(std::string& v) {
  return capture_ ? capture_->dom.string(v) : scalar(Value{.kind = Value::kString, .s = &v});
}

bool TaskRecordReader::scalar(const Value& v) {
  Frame& f = frames_.back();
  switch (f.in) {
    case In::kRecord:
      return f.field < 0 || record_field(f.field, v);
    case In::kResult:
      return f.field < 0 || result_field(f.field, v);
    case In::kOptions:
      return f.field < 0 || options_field(f.field, v);
    case In::kAfter:
      if (v.kind == Value::kInt && (v.int_exact || mode_ == Mode::kTable)) {
        record_->after.push_back(v.i);
        return true;
      }
      return refuse();
    case In::kAllowedTools:
    case In::kAddDirs: {
      if (v.kind != Value::kString) return refuse();
      auto& list = f.in == In::kAddDirs ? record_->options.add_dirs : *record_->options.allowed_tools;
      list.push_back(std::move(*v.s));
      return true;
    }
    case In::kErrors:
      if (v.kind == Value::kString) record_->result->errors.push_back(std::move(*v.s));
      return true;      // from_json skips what is not a string
    case In::kDenials:  // the list table view: each refused call's description
      if (v.kind == Value::kString) record_->result->permission_denials.push_back({{}, std::move(*v.s), {}});
      return true;
    case In::kSkipped:
      return true;
  }
  return true;
}

namespace {

// Each sets `out` from `v` and returns true, or returns false when v is of another
// type (a nullable field takes null as unset).
bool take(std::optional<std::string>& out, const auto& v) {
  if (v.kind == std::decay_t<decltype(v)>::kNull) {
    out.reset();
  } else if (v.kind == std::decay_t<decltype(v)>::kString) {
    out = std::move(*v.s);
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool TaskRecordReader::record_field(int field, const Value& v) {
  TaskRecord& t = *record_;
  bool exact = mode_ == Mode::kExact;
  if (!exact) {
    // What the list table shows, and no more.
    switch (field) {
      case kId:
        if (v.kind != Value::kInt) throw std::runtime_error("a task record without an integer id");
        t.id = v.i;
        seen_ |= 1u << kId;
        return true;
      case kState: {
        auto state = v.kind == Value::kString ? parse_task_state(*v.s) : std::nullopt;
        if (!state) throw std::runtime_error("a task record without a known state");
        t.state = *state;
        seen_ |= 1u << kState;
        return true;
      }
      case kName:
      case kReason:
      case kActivity: {
        auto& out = field == kName ? t.name : field == kReason ? t.reason : t.activity;
        if (!take(out, v)) out.reset();
        return true;
      }
      case kCreatedAt:
        if (v.is_number()) t.created_at = v.d;
        return true;
      case kStartedAt:
      case kFinishedAt:
        if (v.is_number()) (field == kStartedAt ? t.started_at : t.finished_at) = v.d;
        return true;
      case kExitCode:
        if (v.kind == Value::kInt) t.exit_code = static_cast<int>(v.i);
        return true;
      case kPrompt:
        if (v.kind == Value::kString) t.prompt = std::move(*v.s);
        return true;
      case kParent:
        if (v.kind == Value::kInt) t.parent = v.i;
        return true;
      case kCancelRequested:
        if (v.kind == Value::kBool) t.cancel_requested = v.b;
        return true;
      case kWaiting:
        if (!take(t.waiting, v)) t.waiting.reset();
        return true;
      default:
        return true;
    }
  }
  switch (field) {
    case kId:
      if (v.kind != Value::kInt || !v.int_exact) return false;
      t.id = v.i;
      return true;
    case kState: {
      auto state = v.kind == Value::kString ? parse_task_state(*v.s) : std::nullopt;
      if (!state) return false;
      t.state = *state;
      return true;
    }
    case kName:
      return take(t.name, v);
    case kReason:
      return take(t.reason, v);
    case kResumeSession:
      return take(t.resume_session, v);
    case kSessionId:
      return take(t.session_id, v);
    case kModel:
      return take(t.model, v);
    case kActivity:
      return take(t.activity, v);
    case kStderrTail:
      return take(t.stderr_tail, v);
    case kPrompt:
    case kCwd:
      if (v.kind != Value::kString) return false;
      (field == kPrompt ? t.prompt : t.cwd) = std::move(*v.s);
      return true;
    case kParent:
    case kRetryOf: {
      auto& out = field == kParent ? t.parent : t.retry_of;
      if (v.kind == Value::kNull) return true;
      if (v.kind != Value::kInt || !v.int_exact) return false;
      out = v.i;
      return true;
    }
    case kPid:
    case kExitCode: {
      auto& out = field == kPid ? t.pid : t.exit_code;
      if (v.kind == Value::kNull) return true;
      if (!v.fits_int()) return false;
      out = static_cast<int>(v.i);
      return true;
    }
    case kCreatedAt:
      if (!v.is_number()) return false;
      t.created_at = v.d;
      return true;
    case kStartedAt:
    case kFinishedAt:
      if (v.kind == Value::kNull) return true;
      if (!v.is_number()) return false;
      (field == kStartedAt ? t.started_at : t.finished_at) = v.d;
      return true;
    case kCancelRequested:
      if (v.kind == Value::kBool) t.cancel_requested = v.b;  // anything else is ignored
      return true;
    case kWorktree:  // from_json ignores anything but an object
    case kWaiting:
      if (!take(t.waiting, v)) t.waiting.reset();  // as from_json: only a string counts
      return true;
    case kAfter:
    case kResult:
    case kOptions:
      return v.kind == Value::kNull;  // unset; their other values are containers
    default:                          // kForget: a forget line, not a record
      return false;
  }
}

bool TaskRecordReader::result_field(int field, const Value& v) {
  AgentResult& r = *record_->result;
  if (mode_ == Mode::kTable) {
    if (field == kText && v.kind == Value::kString) r.text = std::move(*v.s);
    if (field == kSubtype && v.kind == Value::kString) r.subtype = std::move(*v.s);
    if (field == kCostUsd && v.is_number()) r.cost_usd = v.d;
    return true;
  }
  // In "result", after the core fields: the ones a result line may add (null or absent
  // is unset). permission_denials holds objects: those records go from_json's way
  // (container() refuses them); usage and model_usage objects are captured whole.
  switch (field) {
    case kTerminalReason:
    case kStartupFailureReason:
      if (v.kind == Value::kNull) return false;  // from_json's value() refuses a null too
      if (v.kind != Value::kString) return false;
      (field == kTerminalReason ? r.terminal_reason : r.startup_failure_reason) = std::move(*v.s);
      return true;
    case kSessionCostUsd:
      if (v.is_number()) r.session_cost_usd = v.d;
      return true;
    case kErrors:
    case kPermissionDenials:
    case kUsage:
    case kModelUsage:
      return true;  // a scalar: not a list or object, so unset
    default:
      break;
  }
  switch (field) {
    case kSubtype:
    case kText:
      if (v.kind != Value::kString) return false;
      (field == kText ? r.text : r.subtype) = std::move(*v.s);
      return true;
    case kIsError:
      if (v.kind != Value::kBool) return false;
      r.is_error = v.b;
      return true;
    case kCostUsd:
      if (!v.is_number()) return false;
      r.cost_usd = v.d;
      return true;
    case kNumTurns:  // only an integer that fits counts (core/json_integer.h)
      if (v.kind != Value::kInt) return true;
      if (!v.fits_int()) return false;
      r.num_turns = static_cast<int>(v.i);
      return true;
    case kDurationMs:
      if (v.kind != Value::kInt) return true;
      if (!v.int_exact) return false;
      r.duration_ms = v.i;
      return true;
  }
  return true;
}

bool TaskRecordReader::options_field(int field, const Value& v) {
  AgentOptions& o = record_->options;
  switch (field) {
    case kOptModel:
      return take(o.model, v);
    case kPermissionMode:
      return take(o.permission_mode, v);
    case kAppendSystemPrompt:
      return take(o.append_system_prompt, v);
    case kMaxTurns:
      if (v.kind == Value::kNull) return true;
      if (!v.fits_int()) return false;
      o.max_turns = static_cast<int>(v.i);
      return true;
    case kMaxBudgetUsd:
      if (v.kind == Value::kNull) return true;
      if (!v.is_number()) return false;
      o.max_budget_usd = v.d;
      return true;
    case kStallTimeout:
      if (v.kind == Value::kNull) return true;
      if (!v.is_number()) return false;
      o.stall_timeout_s = v.d;
      return true;
    case kOptSandbox:
      if (v.kind == Value::kBool) o.sandbox = v.b;  // anything else is ignored, as from_json does
      return true;
    case kAllowedTools:
    case kAddDirs:
      return v.kind == Value::kNull;  // unset; their other values are arrays
  }
  return true;
}

bool TaskRecordReader::start_object() { return container(true); }
bool TaskRecordReader::start_array() { return container(false); }

bool TaskRecordReader::container(bool object) {
  if (capture_) {
    if (capture_->open.size() >= Capture::kMaxDepth) return false;
    capture_->open.push_back(object);
    return object ? capture_->dom.start_object(static_cast<std::size_t>(-1))
                  : capture_->dom.start_array(static_cast<std::size_t>(-1));
  }
  const Frame& f = frames_.back();
  In in = In::kSkipped;
  bool exact = mode_ == Mode::kExact;
  if (f.in == In::kRecord && f.field == kAfter && !object) {
    in = In::kAfter;
  } else if (f.in == In::kRecord && f.field == kResult && object) {
    record_->result.emplace();
    in = In::kResult;
  } else if (exact && f.in == In::kRecord && f.field == kOptions && object) {
    in = In::kOptions;
  } else if (f.in == In::kOptions && f.field == kAllowedTools && !object) {
    record_->options.allowed_tools.emplace();
    in = In::kAllowedTools;
  } else if (f.in == In::kOptions && f.field == kAddDirs && !object) {
    in = In::kAddDirs;
  } else if (f.in == In::kResult && f.field == kErrors && !object) {
    in = In::kErrors;
  } else if (!exact && f.in == In::kResult && f.field == kPermissionDenials && !object) {
    in = In::kDenials;
  } else if (exact && f.in == In::kResult && (f.field == kUsage || f.field == kModelUsage) && object) {
    return capture_object(f.field == kUsage ? record_->result->usage : record_->result->model_usage);
  } else if (!exact && f.in == In::kRecord && f.field == kWorktree && object) {
    capturing_worktree_ = true;
    return capture_object(worktree_ = nullptr);
  } else if (exact) {
    // A known field of another shape, or a container inside a skipped one or an array
    // of scalars: refused. Only an unknown field's value is skipped, as from_json does,
    // and only one level deep: a deeper line goes to from_json's path, which bounds depth.
    bool in_object_read = f.in == In::kRecord || f.in == In::kResult || f.in == In::kOptions;
    if (f.field >= 0 || !in_object_read) return false;
  }
  frames_.push_back(Frame{in});
  return true;
}

bool TaskRecordReader::end_container() {
  if (capture_) {
    bool object = capture_->open.back();
    capture_->open.pop_back();
    bool ok = object ? capture_->dom.end_object() : capture_->dom.end_array();
    if (capture_->open.empty()) {
      capture_.reset();
      if (capturing_worktree_) {
        capturing_worktree_ = false;
        try {
          record_->worktree = worktree_.get<TaskWorktree>();
        } catch (const nlohmann::json::exception&) {
          // kTable ignores a field it cannot use
        }
      }
    }
    return ok;
  }
  frames_.pop_back();
  if (!frames_.empty()) return true;
  bool has_id = seen_ & (1u << kId), has_state = seen_ & (1u << kState);
  if (mode_ == Mode::kExact) return has_id && has_state;  // from_json requires both
  if (!has_id) throw std::runtime_error("a task record without an integer id");
  if (!has_state) throw std::runtime_error("a task record without a known state");
  return true;
}

namespace {

// One journal line: a single record object and nothing else.
class JournalLineSax {
 public:
  using json = nlohmann::json;
  explicit JournalLineSax(TaskRecord& out) : out_(out) {}

  bool null() { return in_record() && reader_.null(); }
  bool boolean(bool v) { return in_record() && reader_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return in_record() && reader_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return in_record() && reader_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const std::string&) {
    return in_record() && reader_.number_float(v);
  }
  bool string(std::string& v) { return in_record() && reader_.string(v); }
  bool binary(json::binary_t&) { return false; }
  bool key(std::string& k) { return in_record() && reader_.key(k); }
  bool start_object(std::size_t) {
    if (in_record()) return reader_.start_object();
    if (started_) return false;
    started_ = true;
    reader_.begin(out_);
    return true;
  }
  bool start_array(std::size_t) { return in_record() && reader_.start_array(); }
  bool end_object() { return in_record() && reader_.end_container(); }
  bool end_array() { return in_record() && reader_.end_container(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  bool in_record() const { return started_ && !reader_.done(); }

  TaskRecord& out_;
  TaskRecordReader reader_{TaskRecordReader::Mode::kExact};
  bool started_ = false;
};

}  // namespace

bool read_task_record(std::string_view line, TaskRecord& out) {
  JournalLineSax simple(out);
  switch (JsonSimpleScanner(line, simple).run()) {
    case SimpleScan::kAccepted:
      return true;
    case SimpleScan::kRefusedByHandler:
      return false;
    case SimpleScan::kNotSimple:
      break;  // a \u escape, non-ASCII text, …: nlohmann's lexer reads it
  }
  JournalLineSax sax(out);
  return nlohmann::json::sax_parse(line.begin(), line.end(), &sax);
}

}  // namespace ptt::protocol
