#pragma once
// Runs transcription requests one at a time on a worker thread, so stdin keeps being
// read while a request is out, and answers come back in utterance order. Retries
// follow RetryPolicy; a rejected key stops the work. Results are handed to the libuv loop's thread
// (uv_async).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <uv.h>

#include "transcribe/transcription_api.h"
#include "transcribe/utterance_collector.h"

namespace ptt::transcribe {

struct WorkerReport {
  enum class Kind { kRetrying, kFinished } kind = Kind::kFinished;
  std::uint64_t seq = 0;
  std::int64_t ms = 0;  // the utterance's length
  TranscriptionResult result;
  std::uint64_t retry_in_ms = 0;  // kRetrying
};

class TranscribeWorker {
 public:
  // Sends one utterance and waits for the answer; may block; must return soon after `abort`.
  using SendFn = std::function<HttpResponse(const Utterance&, const std::atomic<bool>& abort)>;
  using ReportFn = std::function<void(WorkerReport&&)>;  // on the loop's thread

  TranscribeWorker(uv_loop_t* loop, SendFn send, ReportFn on_report, RetryPolicy policy = {});
  ~TranscribeWorker();  // aborts and joins if still running
  TranscribeWorker(const TranscribeWorker&) = delete;
  TranscribeWorker& operator=(const TranscribeWorker&) = delete;

  void submit(Utterance utterance);
  // Stops at once: the request in flight is cut, queued ones are dropped.
  void abort();
  // Joins the thread and closes the async handle (the loop must run to finish closing).
  void close();
  // Utterances submitted and not yet finished (as seen on the loop's thread).
  std::size_t pending() const { return pending_; }

 private:
  void run();
  void post(WorkerReport&& report);
  void deliver();
  bool wait_or_abort(std::uint64_t ms);

  SendFn send_;
  ReportFn on_report_;
  RetryPolicy policy_;
  uv_async_t async_{};
  bool closed_ = false;
  std::size_t pending_ = 0;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Utterance> jobs_;
  std::deque<WorkerReport> reports_;
  std::atomic<bool> abort_{false};
  std::thread thread_;
};

}  // namespace ptt::transcribe
