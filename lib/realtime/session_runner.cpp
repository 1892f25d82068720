// The session on one libuv loop: stdin, the WebSocket, the daemon client and the
// audio sink feed the pure RealtimeSession; its actions are carried out here.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "core/cli.h"
#include "core/exit_status.h"
#include "core/ndjson.h"
#include "realtime/audio_sink.h"
#include "realtime/backoff.h"
#include "realtime/conversation_view.h"
#include "realtime/daemon_client.h"
#include "realtime/run_options.h"
#include "realtime/session.h"
#include "realtime/task_command_runner.h"
#include "realtime/typed_input.h"
#include "realtime/ws_client.h"
#include "uvutil/owned_loop.h"
#include "uvutil/stdin_reader.h"

namespace ptt::realtime {
using nlohmann::json;
using uvutil::close_loop;
using uvutil::handle_stop_signals;
using uvutil::OwnedLoop;
using uvutil::StdinReader;

namespace {

constexpr const char* kTool = "ptt-realtime";

class SessionRunner {
  template <typename Runner>
  friend void ptt::uvutil::handle_stop_signals(uv_loop_t*, uv_signal_t&, uv_signal_t&,
                                               Runner*);  // calls shutdown()

 public:
  SessionRunner(const RunOptions& options, std::unique_ptr<AudioSink> sink, const WsEndpoint& endpoint)
      : options_(options),
        sink_(std::move(sink)),
        session_(options.session),
        ws_(&loop_, endpoint, options.api_key,
            {[this] {
               first_attempt_pending_ = false;
               ws_was_open_ = true;
               apply(session_.on_connected());
             },
             [this](std::string&& m) { on_server_message(std::move(m)); },
             [this](int status, const std::string& why) { on_ws_closed(status, why); }}),
        stdin_(
            &loop_, [this](std::string_view d) { on_stdin_data(d); }, [this] { on_stdin_eof(); }),
        reader_([this](json&& v, std::size_t) { on_stdin_event(v); },
                [](const std::string& message, std::size_t line) {
                  print_error(kTool, fmt::format("stdin line {}: {}; the line was skipped", line, message));
                }) {
    add_daemon({options.socket_path, {}, {}, {}});
    for (const DaemonEndpoint& remote : options.remote_daemons) add_daemon(remote);
  }

  ~SessionRunner() {
    flush_handles_ = false;
    flush_stdout();  // lines printed while shutting down
    if (stop_timer_started_) uv_close(reinterpret_cast<uv_handle_t*>(&stop_timer_), nullptr);
    ws_.destroy();  // turns the loop until every handle, lws's and ours, has closed
    if (int rc = close_loop(&loop_); rc != 0)
      print_warning(kTool, fmt::format("the event loop did not close cleanly ({})", uv_err_name(rc)));
  }

  int run() {
    if (!ws_.ok()) {
      print_error(kTool, "cannot create the WebSocket context (is libwebsockets-evlib-uv installed?)");
      return kExitFailure;
    }
    uv_timer_init(&loop_, &reconnect_timer_);
    reconnect_timer_.data = this;
    uv_timer_init(&loop_, &drain_timer_);
    drain_timer_.data = this;
    uv_timer_init(&loop_, &renew_timer_);
    renew_timer_.data = this;
    uv_idle_init(&loop_, &flush_idle_);
    uv_check_init(&loop_, &flush_check_);
    flush_check_.data = this;
    uv_check_start(&flush_check_, [](uv_check_t* c) { static_cast<SessionRunner*>(c->data)->on_check(); });
    flush_handles_ = true;
    handle_stop_signals(&loop_, sigint_, sigterm_, this);
    for (auto& [host, daemon] : daemons_) daemon->start();
    stdin_.start();
    apply(session_.on_connecting(stdin_is_tty_ && options_.readable));
    ws_.connect();
    uv_run(&loop_, UV_RUN_DEFAULT);
    return exit_code_;
  }

 private:
  void apply(SessionActions&& actions) {
    for (auto& a : actions) {
      switch (a.kind) {
        case SessionAction::Kind::kSend:
          ws_.send(a.json.dump());
          break;
        case SessionAction::Kind::kPrint:
          write_line(a.json);
          break;
        case SessionAction::Kind::kPlayAudio:
          if (options_.output == RunOptions::Output::kNone && !warned_silent_) {
            warned_silent_ = true;
            print_warning(kTool,
                          "replies are not played (no --speaker or --audio-out); pass --speaker to hear them "
                          "or --audio-out FILE.wav to keep them");
          }
          sink_->play(a.item_id, a.audio);
          break;
        case SessionAction::Kind::kStopPlayback:
          sink_->stop();
          break;
        case SessionAction::Kind::kDaemonRequest: {
          std::uint64_t token = a.token;
          // The session names only hosts of the projects, each with its client (add_daemon).
          daemons_.at(a.text)->request(std::move(a.json), [this, token](const json& reply) {
            apply(session_.on_daemon_reply(token, reply));
          });
          break;
        }
        case SessionAction::Kind::kTaskCommand: {
          std::uint64_t token = a.token;
          std::vector<std::string> args;
          // A host's name means what the config file we read says it means.
          std::error_code ec;
          if (!a.text.empty() && std::filesystem::exists(options_.config_file, ec))
            args.insert(args.end(), {"--config", options_.config_file});
          for (const auto& arg : a.json.value("args", json::array())) args.push_back(arg.get<std::string>());
          run_task_command(&loop_, options_.socket_path, a.text, args,
                           [this, token](int status, std::string output) {
                             apply(session_.on_task_command_done(token, status, output));
                           });
          break;
        }
        case SessionAction::Kind::kLog:
          std::fprintf(stderr, "%s: %s\n", kTool, a.text.c_str());
          break;
        case SessionAction::Kind::kEnd:
          print_error(kTool, a.text);
          shutdown(kExitFailure);
          break;
        case SessionAction::Kind::kRenew:
          std::fprintf(stderr, "%s: renewing the Realtime session (%s)\n", kTool, a.text.c_str());
          uv_timer_stop(&renew_timer_);
          ws_.close();  // on_ws_closed connects again at once
          break;
      }
    }
  }

  // One client per daemon in use: this machine's ("") and each host a project names.
  void add_daemon(const DaemonEndpoint& endpoint) {
    std::string host = endpoint.host;
    auto daemon = std::make_unique<DaemonClient>(
        &loop_, endpoint, [this, host](const TaskUpdate& u) { apply(session_.on_task_update(u, host)); },
        [this, host](bool up) { apply(session_.on_daemon_connection(up, host)); },
        [](const std::string& problem) { print_error(kTool, problem); });
    daemon->on_permission(
        [this, host](const protocol::PermissionEvent& e) { apply(session_.on_permission_event(e, host)); });
    daemons_[host] = std::move(daemon);
  }

  // Every stdout line is a session kPrint action. Lines wait
  // until the messages queued for the wire have been written (at
  // most two loop turns): the server hears of a ptt.stop before our log does.
  void write_line(const json& line) {
    if (stdout_closed_) return;
    if (options_.readable) {
      // Our own hang-up at the end is no news to the person who ended the session.
      if (shutting_down_ && line.value("type", json()) == "session") return;
      for (const std::string& text : render_event(line, ViewStyle{options_.color}))
        stdout_buf_ += text + '\n';
      if (stdout_buf_.empty()) return;
    } else {
      stdout_buf_ += to_ndjson(line);
    }
    if (flush_handles_ && !uv_is_active(reinterpret_cast<uv_handle_t*>(&flush_idle_))) {
      print_age_ = 0;
      uv_idle_start(&flush_idle_, [](uv_idle_t*) {});  // keeps the loop turning until flushed
    }
    if (!flush_handles_) flush_stdout();
  }

  void on_check() {
    if (stdout_buf_.empty()) return;
    if (ws_.queued() == 0 || ++print_age_ > 2) flush_stdout();
  }

  void flush_stdout() {
    if (flush_handles_) uv_idle_stop(&flush_idle_);
    if (stdout_buf_.empty() || stdout_closed_) return;
    std::string out = std::move(stdout_buf_);
    stdout_buf_.clear();
    if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
      // The reader went away (`ptt-realtime | head`): end quietly, as a filter does.
      stdout_closed_ = true;
      shutdown(kExitOk);
    }
  }

  void on_server_message(std::string&& message) {
    ServerEvent event = parse_server_message(message);
    if (std::holds_alternative<server::SessionCreated>(event)) {
      backoff_.session_started(uv_now(&loop_));
      if (options_.renew_after_seconds > 0)  // counted from the server's session, as its limit is
        uv_timer_start(
            &renew_timer_,
            [](uv_timer_t* t) {
              auto* self = static_cast<SessionRunner*>(t->data);
              self->apply(self->session_.on_renew_due());
            },
            static_cast<std::uint64_t>(options_.renew_after_seconds * 1000), 0);
    }
    PlaybackStatus playback = RealtimeSession::needs_playback(event) ? sink_->status() : PlaybackStatus{};
    apply(session_.on_server_event(event, playback));
    if (draining_) check_drained();
  }

  void on_ws_closed(int http_status, const std::string& why) {
    first_attempt_pending_ = false;
    bool was_open = std::exchange(ws_was_open_, false);
    uv_timer_stop(&renew_timer_);
    apply(session_.on_disconnected());
    if (http_status == 401 || http_status == 403) {
      print_error(kTool,
                  fmt::format("OPENAI_API_KEY was rejected (HTTP {}); check the key and its Realtime access",
                              http_status));
      apply(session_.on_key_rejected());
      shutdown(kExitUsage);
      return;
    }
    if (shutting_down_) return;
    if (http_status == 400 || http_status == 404) {  // a wrong --url or --model: a retry gets the same
      print_error(kTool,
                  fmt::format("the server refused the connection to {} (HTTP {}); check --url and --model",
                              options_.url, http_status));
      apply(session_.on_connection_refused(http_status));
      shutdown(kExitFailure);
      return;
    }
    if (session_.renewing()) {  // a renewal, not a failure: no backoff, no retry line
      uv_timer_start(
          &reconnect_timer_, [](uv_timer_t* t) { static_cast<SessionRunner*>(t->data)->ws_.connect(); }, 0,
          0);
      return;
    }
    if (draining_) {
      check_drained();
      return;
    }
    std::uint64_t delay = backoff_.next_ms(uv_now(&loop_));
    std::string reason = http_status ? fmt::format("{}, HTTP {}", why, http_status) : why;
    // Every retry line names the endpoint and why, so a wrong --url or a dead proxy is plain.
    std::fprintf(stderr, "%s: %s %s (%s); reconnecting in %.1f s\n", kTool,
                 was_open ? "lost the connection to" : "cannot connect to", options_.url.c_str(),
                 reason.c_str(), delay / 1000.0);
    apply(session_.on_reconnecting(delay, reason));
    uv_timer_start(
        &reconnect_timer_, [](uv_timer_t* t) { static_cast<SessionRunner*>(t->data)->ws_.connect(); }, delay,
        0);
  }

  // A terminal's lines are typed by a person: plain words are a text turn.
  void on_stdin_data(std::string_view data) {
    if (!stdin_is_tty_) {
      reader_.feed(data);
      return;
    }
    typed_.feed(
        data, [this](std::string_view line) { on_typed_line(line); },
        [](std::size_t) { print_error(kTool, "a typed line was too long; it was skipped"); });
  }

  void on_typed_line(std::string_view line) {
    TypedLine typed = typed_line_to_event(line);
    if (typed.event)
      on_stdin_event(*typed.event);
    else if (!typed.error.empty())
      print_error(kTool, typed.error + "; type plain words, or one JSON event per line");
  }

  void on_stdin_event(const json& event) {
    PlaybackStatus playback = RealtimeSession::needs_playback(event) ? sink_->status() : PlaybackStatus{};
    apply(session_.on_stdin_event(event, playback));
  }

  void on_stdin_eof() {
    if (stdin_is_tty_)
      typed_.finish([this](std::string_view line) { on_typed_line(line); }, [](std::size_t) {});
    reader_.finish();
    apply(session_.on_stdin_eof());
    draining_ = true;
    drain_deadline_ = uv_now(&loop_) + static_cast<std::uint64_t>(options_.drain_seconds * 1000);
    uv_timer_start(
        &drain_timer_, [](uv_timer_t* t) { static_cast<SessionRunner*>(t->data)->check_drained(); }, 20, 20);
    check_drained();
  }

  void check_drained() {
    if (shutting_down_) return;
    // Until the first attempt is decided, a rejected key must still be reported.
    bool done = !first_attempt_pending_ && session_.idle() && sink_->drained() && ws_.queued() == 0;
    if (done || uv_now(&loop_) >= drain_deadline_) {
      if (!done)
        std::fprintf(stderr, "%s: end of input; in-flight work did not finish in %.1f s, leaving it\n", kTool,
                     options_.drain_seconds);
      shutdown(kExitOk);
    }
  }

  void shutdown(int code) {
    if (shutting_down_) return;
    shutting_down_ = true;
    exit_code_ = code;
    flush_stdout();
    flush_handles_ = false;  // from here on lines go out at once; the handles close below
    stdin_.stop();
    for (auto& [host, daemon] : daemons_) daemon->stop();
    sink_->close();
    ws_.close();
    for (uv_handle_t* h :
         {reinterpret_cast<uv_handle_t*>(&reconnect_timer_), reinterpret_cast<uv_handle_t*>(&drain_timer_),
          reinterpret_cast<uv_handle_t*>(&renew_timer_), reinterpret_cast<uv_handle_t*>(&sigint_),
          reinterpret_cast<uv_handle_t*>(&sigterm_), reinterpret_cast<uv_handle_t*>(&flush_idle_),
          reinterpret_cast<uv_handle_t*>(&flush_check_)})
      if (!uv_is_closing(h)) uv_close(h, nullptr);
    // The lws context holds the loop open; a short grace lets the close frame go out.
    uv_timer_init(&loop_, &stop_timer_);
    stop_timer_started_ = true;
    stop_timer_.data = this;
    uv_timer_start(
        &stop_timer_, [](uv_timer_t* t) { uv_stop(t->loop); }, ws_.is_open() ? 200 : 0, 0);
  }

  OwnedLoop loop_holder_;
  uv_loop_t& loop_ = loop_holder_.loop;
  const RunOptions& options_;
  std::unique_ptr<AudioSink> sink_;
  RealtimeSession session_;
  WsClient ws_;
  std::map<std::string, std::unique_ptr<DaemonClient>> daemons_;  // by host ("": this machine)
  StdinReader stdin_;
  NdjsonReader reader_;
  LineFramer typed_;
  bool stdin_is_tty_ = is_tty(0);
  bool warned_silent_ = false;  // the "replies are not played" warning is given once
  bool ws_was_open_ = false;    // the attempt that just ended had connected
  Backoff backoff_;
  uv_timer_t reconnect_timer_{}, drain_timer_{}, renew_timer_{}, stop_timer_{};
  uv_signal_t sigint_{}, sigterm_{};
  uv_idle_t flush_idle_{};
  uv_check_t flush_check_{};
  bool flush_handles_ = false;  // once set up, stdout waits for the wire (see write_line)
  int print_age_ = 0;
  std::string stdout_buf_;
  bool draining_ = false, shutting_down_ = false, stdout_closed_ = false, stop_timer_started_ = false,
       first_attempt_pending_ = true;
  std::uint64_t drain_deadline_ = 0;
  int exit_code_ = kExitOk;
};

}  // namespace

int run_session(const RunOptions& options) {
  WsEndpoint endpoint;
  std::string error;
  if (!parse_ws_url(options.url, endpoint, error)) {
    print_error(kTool, error + "; pass --url ws://HOST:PORT/PATH or wss://...");
    return kExitUsage;
  }
  endpoint.ca_file = options.ca_file;
  std::unique_ptr<AudioSink> sink;
  try {
    if (options.output == RunOptions::Output::kWav)
      sink = make_wav_sink(options.audio_out);
    else if (options.output == RunOptions::Output::kSpeaker)
      sink = make_speaker_sink(options.output_device);
    else
      sink = make_null_sink();
  } catch (const std::exception& e) {
    print_error(kTool, std::string(e.what()));
    return kExitUsage;
  }
  auto runner = std::make_unique<SessionRunner>(options, std::move(sink), endpoint);
  return runner->run();
}

}  // namespace ptt::realtime
