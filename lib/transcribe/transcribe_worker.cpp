#include "transcribe/transcribe_worker.h"

#include <chrono>

namespace ptt::transcribe {

TranscribeWorker::TranscribeWorker(uv_loop_t* loop, SendFn send, ReportFn on_report, RetryPolicy policy)
    : send_(std::move(send)), on_report_(std::move(on_report)), policy_(policy) {
  uv_async_init(loop, &async_, [](uv_async_t* a) { static_cast<TranscribeWorker*>(a->data)->deliver(); });
  async_.data = this;
  thread_ = std::thread([this] { run(); });
}

TranscribeWorker::~TranscribeWorker() {
  abort();
  if (thread_.joinable()) thread_.join();
}

void TranscribeWorker::submit(Utterance utterance) {
  ++pending_;
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(utterance));
  }
  wake_.notify_one();
}

void TranscribeWorker::abort() {
  {
    std::lock_guard lock(mutex_);
    abort_ = true;
    jobs_.clear();
  }
  wake_.notify_one();
}

void TranscribeWorker::close() {
  abort();
  if (thread_.joinable()) thread_.join();
  if (!closed_) {
    closed_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
  }
}

bool TranscribeWorker::wait_or_abort(std::uint64_t ms) {
  std::unique_lock lock(mutex_);
  return wake_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return abort_.load(); });
}

void TranscribeWorker::run() {
  for (;;) {
    Utterance job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return abort_ || !jobs_.empty(); });
      if (abort_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    for (int retries = 0;; ++retries) {
      TranscriptionResult result = parse_transcription_response(send_(job, abort_));
      if (abort_) return;
      auto delay = policy_.delay_ms(retries, result);
      if (!delay) {
        bool rejected = result.kind == TranscriptionResult::Kind::kRejectedKey;
        post({WorkerReport::Kind::kFinished, job.seq, job.ms(), std::move(result), 0});
        if (rejected) return;  // every later request would be refused too
        break;
      }
      post({WorkerReport::Kind::kRetrying, job.seq, job.ms(), std::move(result), *delay});
      if (wait_or_abort(*delay)) return;
    }
  }
}

void TranscribeWorker::post(WorkerReport&& report) {
  {
    std::lock_guard lock(mutex_);
    reports_.push_back(std::move(report));
  }
  uv_async_send(&async_);
}

void TranscribeWorker::deliver() {
  std::deque<WorkerReport> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(reports_);
  }
  for (auto& r : batch) {
    if (r.kind == WorkerReport::Kind::kFinished) --pending_;
    on_report_(std::move(r));
  }
}

}  // namespace ptt::transcribe
