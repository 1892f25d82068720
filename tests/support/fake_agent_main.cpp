// fake-agent: stands in for `claude -p PROMPT --output-format stream-json --verbose`
// in tests. It accepts (and ignores) claude's flags and acts out a small script
// written in the prompt: directives separated by ';' or newlines, e.g.
//   "tool Bash npm test; sleep 0.2; result success all green"
// Directives:
//   tool NAME ARG…      an assistant tool_use block (Bash→command, Edit/Write/Read→file_path, …)
//   tools N NAME ARG…   N tool calls in a row, ARG numbered (ARG-0, ARG-1, …): many activity events
//   text WORDS…         an assistant text block
//   sleep SECONDS       pause
//   wait-file PATH      block until PATH exists (lets tests step an agent without sleeps; 120 s at most)
//   result SUBTYPE [TEXT…]  the result line; success, error_max_turns, error_max_budget_usd,
//                       error_during_execution, or api_error (an API error message + is_error result)
//   exit N              exit with status N now, without a result line
//   refuse NAME ARG…    a tool_use that Claude Code refuses: the call, then a `system` line of
//                       subtype permission_denied naming it, then its error tool_result
//   stderr TEXT…        write TEXT to stderr
//   garbage             a line that is not JSON
//   unknown             a JSON line of a type claude never sends
//   bigline MB          one JSON line of MB mebibytes
//   flood N             N small JSON lines
//   deep-tool N         a Bash tool_use whose input is N arrays deep (written raw: no recursion here)
//   grandchild          fork a process that sleeps 300 s and would outlive the agent;
//                       its pid is printed as {"type":"fake_grandchild","pid":N}
//   ignore-term         ignore SIGTERM (cancel must escalate to SIGKILL)
//   no-init             do not start with the system/init line
//   linger              after the result line, do not exit (until a signal ends it)
//   exit-after PATH     after the result line, exit once PATH exists (whatever stdin does)
// A prompt with no directive gets: init, `tool Bash echo hi`, `result success done: PROMPT`.
// With `--input-format stream-json` (as ptt-taskd runs it) the prompt is the first `user`
// line on stdin, echoed back (`isReplay`, its uuid) as with --replay-user-messages; after
// a result line it reads on: each further user message is echoed and run as a script of
// its own (its result ends that turn), and the end of stdin makes it exit.
// Always emitted after init:
// {"type":"fake_agent","argv":[…],"cwd":"…","task_id":"…","pid","pgid","sid","umask","prompt"}.
// PTT_FAKE_AGENT_ARGV_FILE, when set, gets that same object appended as a line.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

std::string session_id;
std::string model = "claude-fake-1";
int turns = 1;

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) std::exit(3);
    off += static_cast<std::size_t>(n);
  }
}

void emit(const json& j) { write_all(1, j.dump() + "\n"); }

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string rest(const std::vector<std::string>& w, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < w.size(); ++i) out += (i > from ? " " : "") + w[i];
  return out;
}

json tool_input(const std::string& tool, const std::string& arg) {
  if (tool == "Bash") return {{"command", arg}, {"description", "fake"}};
  if (tool == "Edit" || tool == "Write" || tool == "Read" || tool == "MultiEdit") return {{"file_path", arg}};
  if (tool == "Grep" || tool == "Glob") return {{"pattern", arg}};
  return {{"arg", arg}};
}

void assistant(const json& content, bool api_error = false) {
  json line = {{"type", "assistant"},
               {"message",
                {{"id", "msg_fake"},
                 {"type", "message"},
                 {"role", "assistant"},
                 {"model", model},
                 {"content", content}}},
               {"parent_tool_use_id", nullptr},
               {"session_id", session_id}};
  if (api_error) line["is_api_error_message"] = true;
  emit(line);
}

bool linger = false;     // `linger`: do not exit after the result line
std::string exit_after;  // `exit-after PATH`: exit once PATH exists, after the result line
void wait_for_file(const std::string& path);
bool stream_input = false;      // --input-format stream-json: messages come on stdin
std::vector<std::string> args;  // our argv
void run_script(const std::string& prompt);

// One line of stdin; nullopt at its end, or after 120 s without one: an agent whose daemon
// went away (a test's cleanup) must not wait for its input to close forever.
std::optional<std::string> read_input_line() {
  static std::string buffered;
  for (;;) {
    if (auto nl = buffered.find('\n'); nl != std::string::npos) {
      std::string line = buffered.substr(0, nl);
      buffered.erase(0, nl + 1);
      return line;
    }
    pollfd in{0, POLLIN, 0};
    if (::poll(&in, 1, 120'000) <= 0) return std::nullopt;
    char chunk[65536];
    ssize_t n = ::read(0, chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    buffered.append(chunk, static_cast<std::size_t>(n));
  }
}

json first_echo;  // the prompt's echo: written after the init line, as the CLI does

// The next user message on stdin, echoed as the CLI does; nullopt at its end.
std::optional<std::string> next_message(bool first = false) {
  while (auto line = read_input_line()) {
    json j = json::parse(*line, nullptr, false);
    if (!j.is_object() || j.value("type", "") != "user") continue;
    json content = j["message"]["content"];
    std::string text;
    if (content.is_string()) text = content.get<std::string>();
    for (const auto& block : content.is_array() ? content : json::array()) text += block.value("text", "");
    json echo = {{"type", "user"},
                 {"message", j["message"]},
                 {"isReplay", true},
                 {"uuid", j.value("uuid", "")},
                 {"session_id", session_id}};
    if (first)
      first_echo = echo;
    else
      emit(echo);
    return text;
  }
  return std::nullopt;
}

[[noreturn]] void result(const std::string& subtype, const std::string& text) {
  bool api_error = subtype == "api_error";
  if (api_error) assistant(json::array({{{"type", "text"}, {"text", "API Error: 400 " + text}}}), true);
  bool ok = subtype == "success";
  json line = {{"type", "result"},         {"subtype", api_error ? "success" : subtype},
               {"is_error", !ok},          {"duration_ms", 1234},
               {"duration_api_ms", 1000},  {"num_turns", turns},
               {"result", text},           {"session_id", session_id},
               {"total_cost_usd", 0.0123}, {"usage", {{"input_tokens", 10}, {"output_tokens", 5}}}};
  if (api_error) line["terminal_reason"] = "api_error";
  emit(line);
  while (linger) ::pause();  // until a signal ends it, as claude -p with a background command
  if (!exit_after.empty()) {
    wait_for_file(exit_after);
    std::exit(ok ? 0 : 1);
  }
  if (stream_input) {
    if (auto next = next_message()) run_script(*next);  // the next turn (it ends in a result)
  }
  std::exit(ok ? 0 : 1);
}

bool run_directive(const std::vector<std::string>& w) {
  const std::string& d = w[0];
  if ((d == "tool" || d == "refuse") && w.size() >= 2) {
    static int n = 0;
    std::string id = "toolu_fake" + std::to_string(++n);
    bool refused = d == "refuse";
    assistant(json::array(
        {{{"type", "tool_use"}, {"id", id}, {"name", w[1]}, {"input", tool_input(w[1], rest(w, 2))}}}));
    if (refused) {
      emit({{"type", "system"},
            {"subtype", "permission_denied"},
            {"tool_name", w[1]},
            {"tool_use_id", id},
            {"session_id", session_id}});
    }
    json tool_result = {{"type", "tool_result"},
                        {"tool_use_id", id},
                        {"content", refused ? "This command requires approval" : "ok"}};
    if (refused) tool_result["is_error"] = true;
    emit({{"type", "user"},
          {"message", {{"role", "user"}, {"content", json::array({tool_result})}}},
          {"session_id", session_id}});
    ++turns;
  } else if (d == "tools" && w.size() >= 3) {  // tools N NAME ARG…: N tool calls, ARG numbered
    int n = std::atoi(w[1].c_str());
    for (int i = 0; i < n; ++i) {
      std::vector<std::string> one = {"tool", w[2], rest(w, 3) + "-" + std::to_string(i)};
      run_directive(one);
    }
  } else if (d == "text") {
    assistant(json::array({{{"type", "text"}, {"text", rest(w, 1)}}}));
  } else if (d == "sleep" && w.size() >= 2) {
    std::this_thread::sleep_for(std::chrono::duration<double>(std::atof(w[1].c_str())));
  } else if (d == "wait-file" && w.size() >= 2) {
    wait_for_file(w[1]);
  } else if (d == "exit-after" && w.size() >= 2) {
    exit_after = w[1];
  } else if (d == "result" && w.size() >= 2) {
    result(w[1], rest(w, 2));
  } else if (d == "exit" && w.size() >= 2) {
    std::exit(std::atoi(w[1].c_str()));
  } else if (d == "stderr") {
    write_all(2, rest(w, 1) + "\n");
  } else if (d == "linger") {
    linger = true;
  } else if (d == "garbage") {
    write_all(1, "this is not json {{{\n");
  } else if (d == "unknown") {
    emit({{"type", "mystery_event"}, {"payload", {1, 2, 3}}, {"session_id", session_id}});
  } else if (d == "bigline" && w.size() >= 2) {
    std::size_t bytes = static_cast<std::size_t>(std::atof(w[1].c_str()) * 1024 * 1024);
    std::string chunk(1 << 20, 'x');
    write_all(1, R"({"type":"big","data":")");
    for (std::size_t done = 0; done < bytes; done += chunk.size())
      write_all(1, chunk.substr(0, std::min(chunk.size(), bytes - done)));
    write_all(1, "\"}\n");
  } else if (d == "deep-tool" && w.size() >= 2) {
    std::size_t depth = std::strtoul(w[1].c_str(), nullptr, 10);
    write_all(
        1,
        R"({"type":"assistant","message":{"content":[{"type":"tool_use","id":"toolu_deep","name":"Bash","input":)" +
            std::string(depth, '[') + std::string(depth, ']') + "}]},\"session_id\":\"" + session_id +
            "\"}\n");
  } else if (d == "flood" && w.size() >= 2) {
    int n = std::atoi(w[1].c_str());
    for (int i = 0; i < n; ++i) emit({{"type", "flood"}, {"n", i}});
  } else if (d == "grandchild") {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(1);  // a real grandchild might keep the pipe; ours only needs to outlive the agent
      ::execlp("sleep", "sleep", "300", static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    emit({{"type", "fake_grandchild"}, {"pid", pid}});
  } else if (d == "ignore-term") {
    std::signal(SIGTERM, SIG_IGN);
  } else {
    return false;
  }
  return true;
}

// Gives up after 120 s so an agent of a failed test does not wait forever.
void wait_for_file(const std::string& path) {
  struct stat st {};
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (::stat(path.c_str(), &st) != 0) {
    if (std::chrono::steady_clock::now() > give_up) std::exit(3);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool is_directive(const std::string& w) {
  static const std::vector<std::string> known = {
      "tool",    "tools",     "text",    "sleep",   "wait-file", "result",     "exit",
      "stderr",  "garbage",   "unknown", "bigline", "flood",     "grandchild", "ignore-term",
      "no-init", "deep-tool", "linger",  "refuse",  "exit-after"};
  return std::find(known.begin(), known.end(), w) != known.end();
}

void run_script(const std::string& prompt) {
  std::vector<std::vector<std::string>> script;
  bool init = true;
  std::string segment;
  std::istringstream in(prompt);
  while (std::getline(in, segment, ';')) {
    std::istringstream lines(segment);
    for (std::string line; std::getline(lines, line);) {
      auto w = words(line);
      if (w.empty() || !is_directive(w[0])) continue;
      if (w[0] == "no-init")
        init = false;
      else
        script.push_back(w);
    }
  }
  if (script.empty()) {
    script = {{"tool", "Bash", "echo", "hi"}, {"result", "success", "done:"}};
    auto p = words(prompt);
    script.back().insert(script.back().end(), p.begin(), p.end());
  }
  static bool first = true;
  if (!std::exchange(first, false)) {  // a later turn: its own init line, as the CLI writes
    for (const auto& w : script) run_directive(w);
    result("success", "done");
  }

  char cwd[4096] = "";
  if (!::getcwd(cwd, sizeof cwd)) cwd[0] = 0;
  const char* task = std::getenv("PTT_TASK_ID");
  mode_t mask = ::umask(0);
  ::umask(mask);
  json self = {{"type", "fake_agent"},        {"argv", args},      {"cwd", cwd},
               {"task_id", task ? task : ""}, {"pid", ::getpid()}, {"pgid", ::getpgrp()},
               {"sid", ::getsid(0)},          {"umask", mask},     {"prompt", prompt}};
  if (const char* f = std::getenv("PTT_FAKE_AGENT_ARGV_FILE"); f && *f)
    std::ofstream(f, std::ios::app) << self.dump() << "\n";
  if (init) {
    emit({{"type", "system"},
          {"subtype", "init"},
          {"cwd", cwd},
          {"session_id", session_id},
          {"model", model},
          {"tools", {"Bash", "Edit", "Read"}},
          {"permissionMode", "acceptEdits"}});
  }
  if (!first_echo.is_null()) emit(first_echo);
  emit(self);
  for (const auto& w : script) run_directive(w);
  result("success", "done");
}

}  // namespace

int main(int argc, char** argv) {
  std::string prompt;
  args.assign(argv, argv + argc);
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--input-format" && i + 1 < args.size())
      stream_input = args[++i] == "stream-json";
    else if ((args[i] == "-p" || args[i] == "--print") && i + 1 < args.size() && prompt.empty() &&
             args[i + 1].rfind("--", 0) != 0)
      prompt = args[++i];
    else if (args[i] == "--model" && i + 1 < args.size())
      model = args[++i];
  }
  session_id = "fake-session-" + std::to_string(::getpid());
  if (stream_input) prompt = next_message(true).value_or("");
  run_script(prompt);
}
