// Dictation on one libuv loop: stdin feeds the UtteranceCollector, the worker thread
// sends utterances, and transcripts are printed here in utterance order.
#include <csignal>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "core/cli.h"
#include "core/exit_status.h"
#include "core/ndjson.h"
#include "transcribe/curl_transport.h"
#include "transcribe/dictation.h"
#include "transcribe/transcribe_worker.h"
#include "transcribe/utterance_collector.h"
#include "uvutil/owned_loop.h"
#include "uvutil/stdin_reader.h"

namespace ptt::transcribe {
using nlohmann::json;
using uvutil::close_loop;
using uvutil::handle_stop_signals;
using uvutil::OwnedLoop;

namespace {

constexpr const char* kTool = "ptt-realtime";

class DictationRunner {
  template <typename Runner>
  friend void ptt::uvutil::handle_stop_signals(uv_loop_t*, uv_signal_t&, uv_signal_t&,
                                               Runner*);  // calls shutdown()

 public:
  DictationRunner(const DictationOptions& options, std::string url)
      : options_(options),
        url_(std::move(url)),
        stdin_(
            &loop_, [this](std::string_view d) { reader_.feed(d); }, [this] { on_stdin_eof(); }),
        reader_([this](json&& v, std::size_t) { handle(collector_.on_event(v)); },
                [](const std::string& message, std::size_t line) {
                  print_error(kTool, fmt::format("stdin line {}: {}; the line was skipped", line, message));
                }),
        worker_(
            &loop_, [this](const Utterance& u, const std::atomic<bool>& abort) { return send(u, abort); },
            [this](WorkerReport&& r) { on_report(std::move(r)); }) {}

  ~DictationRunner() {
    shutdown(exit_code_);  // a no-op after a normal end
    if (int rc = close_loop(&loop_); rc != 0)
      print_warning(kTool, fmt::format("the event loop did not close cleanly ({})", uv_err_name(rc)));
  }

  int run() {
    handle_stop_signals(&loop_, sigint_, sigterm_, this);
    stdin_.start();
    uv_run(&loop_, UV_RUN_DEFAULT);
    return exit_code_;
  }

 private:
  // On the worker thread: the WAV is made there too, off the loop.
  HttpResponse send(const Utterance& u, const std::atomic<bool>& abort) {
    try {
      return perform_request(build_transcription_request(url_, options_.model, options_.api_key, u),
                             transport_, abort);
    } catch (const std::exception& e) {
      HttpResponse r;
      r.transport_error = e.what();
      return r;
    }
  }

  void handle(CollectorOutput&& out) {
    for (const auto& note : out.notes) std::fprintf(stderr, "%s: %s\n", kTool, note.c_str());
    for (auto& u : out.utterances) worker_.submit(std::move(u));
  }

  void on_stdin_eof() {
    reader_.finish();
    handle(collector_.on_eof());
    eof_ = true;
    check_done();
  }

  void on_report(WorkerReport&& r) {
    if (shutting_down_) return;
    using Kind = TranscriptionResult::Kind;
    if (r.kind == WorkerReport::Kind::kRetrying) {
      std::fprintf(stderr, "%s: utterance %llu: %s; retrying in %.1f s\n", kTool,
                   static_cast<unsigned long long>(r.seq), r.result.message.c_str(), r.retry_in_ms / 1000.0);
      return;
    }
    switch (r.result.kind) {
      case Kind::kText:
        print_transcript(r);
        break;
      case Kind::kRejectedKey:
        print_error(kTool, fmt::format("OPENAI_API_KEY was rejected ({}); check the key and its access",
                                       r.result.message));
        if (options_.json)
          print({{"type", "error"},
                 {"source", "transcribe"},
                 {"code", "unauthorized"},
                 {"message", "OPENAI_API_KEY was rejected"}});
        shutdown(kExitUsage);
        return;
      case Kind::kRetryable:
      case Kind::kFailed:
        ++failures_;
        print_error(kTool,
                    fmt::format("utterance {} ({} ms) was not transcribed: {}; it was dropped, say it again",
                                r.seq, r.ms, r.result.message));
        if (options_.json)
          print({{"type", "error"},
                 {"source", "transcribe"},
                 {"code", "not_transcribed"},
                 {"utterance", r.seq},
                 {"message", r.result.message}});
        break;
    }
    check_done();
  }

  void print_transcript(const WorkerReport& r) {
    std::string line = single_line(r.result.text);
    if (options_.json) {
      print({{"type", "transcript"}, {"utterance", r.seq}, {"ms", r.ms}, {"text", line}});
    } else if (line.empty()) {
      std::fprintf(stderr, "%s: utterance %llu: no words were heard; nothing printed\n", kTool,
                   static_cast<unsigned long long>(r.seq));
    } else {
      write_stdout(line + '\n');
    }
  }

  void print(const json& value) { write_stdout(to_ndjson(value)); }

  // Each line goes out at once: the next tool in the pipe acts on it.
  void write_stdout(const std::string& text) {
    if (stdout_closed_) return;
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
      stdout_closed_ = true;  // the reader went away: end quietly, as a filter does
      shutdown(kExitOk);
    }
  }

  void check_done() {
    if (eof_ && worker_.pending() == 0) shutdown(failures_ ? kExitFailure : kExitOk);
  }

  void shutdown(int code) {
    if (shutting_down_) return;
    shutting_down_ = true;
    exit_code_ = code;
    stdin_.stop();
    worker_.close();
    for (auto* s : {&sigint_, &sigterm_})
      if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(s)))
        uv_close(reinterpret_cast<uv_handle_t*>(s), nullptr);
  }

  OwnedLoop loop_holder_;
  uv_loop_t& loop_ = loop_holder_.loop;
  const DictationOptions& options_;
  std::string url_;
  TransportOptions transport_{options_.ca_file};
  UtteranceCollector collector_;
  uvutil::StdinReader stdin_;
  NdjsonReader reader_;
  TranscribeWorker worker_;
  uv_signal_t sigint_{}, sigterm_{};
  bool eof_ = false, shutting_down_ = false, stdout_closed_ = false;
  int failures_ = 0;
  int exit_code_ = kExitOk;
};

}  // namespace

int run_dictation(const DictationOptions& options) {
  std::string error;
  auto url = transcription_url(options.base_url, error);
  if (!url) {
    print_error(kTool, error + "; pass --base-url https://HOST/v1 (or set OPENAI_BASE_URL)");
    return kExitUsage;
  }
  auto runner = std::make_unique<DictationRunner>(options, *url);
  return runner->run();
}

}  // namespace ptt::transcribe
