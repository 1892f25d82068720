// --file: a sound file replaces the microphone and becomes one utterance, paced in
// real time (each chunk is written when it would have finished being spoken) or,
// with --fast, as fast as possible.
#include <poll.h>

#include <csignal>
#include <ctime>

#include <fmt/format.h>

#include "audio/wav_file.h"
#include "core/cli.h"
#include "core/exit_status.h"
#include "hotkey/signal_pipe.h"
#include "listen/latency_trace.h"
#include "listen/line_writer.h"
#include "listen/listen_options.h"
#include "listen/pipeline.h"

namespace ptt::listen {

int run_file(const ListenOptions& o) {
  std::unique_ptr<audio::WavFile> wav;
  try {
    wav = std::make_unique<audio::WavFile>(o.file);
  } catch (const std::exception& e) {
    print_error(kTool,
                fmt::format("cannot read '{}': {}; give a sound file libsndfile reads (WAV, FLAC, Ogg)",
                            o.file, e.what()));
    return kExitUsage;
  }
  hotkey::SignalPipe signals{SIGINT, SIGTERM};
  // A file is one utterance: no pre-roll before it, no tail after it.
  Pipeline pipeline({o.chunk_ms, 0, 0, o.max_seconds}, wav->rate(), wav->channels());
  LineWriter out;
  LatencyTrace trace;
  const std::size_t frames_per_read = static_cast<std::size_t>(wav->rate()) * o.chunk_ms / 1000;
  const std::int64_t start_ns = monotonic_ns();
  std::vector<float> buffer;

  pipeline.machine().press(pipeline.lines());
  for (bool more = true; more && out.ok();) {
    std::size_t got = wav->read(frames_per_read, buffer);
    if (got > 0) {
      pipeline.push(buffer.data(), got);
      more = pipeline.machine().in_utterance();  // false once --max-seconds cut it
    } else {
      pipeline.finish();
      pipeline.machine().release(pipeline.lines());
      pipeline.machine().end(pipeline.lines());
      more = false;
    }
    std::int64_t due_ns = start_ns;
    if (!pipeline.completed().empty()) {
      // A chunk is "captured" once its last sample has been spoken.
      due_ns = start_ns + (pipeline.completed().back() + o.chunk_ms) * 1000000LL;
      while (!o.fast) {
        std::int64_t wait_ns = due_ns - monotonic_ns();
        if (wait_ns <= 0) break;
        pollfd pfd{signals.fd(), POLLIN, 0};
        timespec ts{wait_ns / 1000000000, wait_ns % 1000000000};
        if (::ppoll(&pfd, 1, &ts, nullptr) > 0) {
          pipeline.machine().end(pipeline.lines());
          out.write(pipeline.lines());
          return signals.take().front() == SIGINT ? kExitInterrupted : kExitOk;
        }
      }
    }
    if (!pipeline.lines().empty()) {
      out.write(pipeline.lines());
      std::int64_t now = monotonic_ns();
      for (auto ms : pipeline.completed()) trace.record(ms, o.fast ? now : due_ns, now);
      pipeline.lines().clear();
    }
  }
  return kExitOk;
}

}  // namespace ptt::listen
