// Dictation mode's pure parts: the utterance collector, the in-memory WAV, the
// transcription request and response, the retry policy, and the worker's ordering.
#include <cstring>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "transcribe/transcribe_worker.h"
#include "transcribe/transcription_api.h"
#include "transcribe/utterance_collector.h"
#include "transcribe/wav_memory.h"

using nlohmann::json;
namespace tr = ptt::transcribe;
using Kind = tr::TranscriptionResult::Kind;

namespace {

std::string samples(std::size_t ms, char fill = 1) { return std::string(ms * 48, fill); }

json audio(const std::string& pcm) { return {{"type", "audio"}, {"data", ptt::base64_encode(pcm)}}; }

std::uint32_t le32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(s[at + i]);
  return v;
}
std::uint16_t le16(const std::string& s, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(s[at]) |
                                    (static_cast<std::uint8_t>(s[at + 1]) << 8));
}

}  // namespace

TEST_CASE("collector: a turn's audio becomes one utterance, numbered in order", "[transcribe]") {
  tr::UtteranceCollector c;
  CHECK(c.on_event(audio(samples(50))).utterances.empty());  // key not held: ignored
  c.on_event({{"type", "ptt.start"}});
  CHECK(c.in_turn());
  std::string a = samples(60, 'a'), b = samples(60, 'b');
  c.on_event(audio(a));
  c.on_event({{"type", "ptt.start"}});  // a second start mid-turn changes nothing
  c.on_event(audio(b));
  auto out = c.on_event({{"type", "ptt.stop"}, {"reason", "release"}});
  REQUIRE(out.utterances.size() == 1);
  CHECK(out.utterances[0].seq == 1);
  CHECK(out.utterances[0].pcm == a + b);
  CHECK(out.utterances[0].ms() == 120);
  CHECK(out.notes.empty());
  CHECK(c.on_event({{"type", "ptt.stop"}}).utterances.empty());  // stray stop

  c.on_event({{"type", "ptt.start"}});
  c.on_event(audio(samples(200)));
  out = c.on_eof();  // end of input ends the open turn
  REQUIRE(out.utterances.size() == 1);
  CHECK(out.utterances[0].seq == 2);
}

TEST_CASE("collector: turns under 100 ms are dropped with a note and use no number", "[transcribe]") {
  tr::UtteranceCollector c;
  c.on_event({{"type", "ptt.start"}});
  c.on_event(audio(samples(99)));
  auto out = c.on_event({{"type", "ptt.stop"}});
  CHECK(out.utterances.empty());
  REQUIRE(out.notes.size() == 1);
  CHECK(out.notes[0].find("too short (99 ms") != std::string::npos);
  c.on_event({{"type", "ptt.start"}});
  c.on_event(audio(samples(100)));
  out = c.on_event({{"type", "ptt.stop"}});
  REQUIRE(out.utterances.size() == 1);
  CHECK(out.utterances[0].seq == 1);
}

TEST_CASE("collector: bad lines are noted and skipped; the turn goes on", "[transcribe]") {
  tr::UtteranceCollector c;
  c.on_event({{"type", "ptt.start"}});
  CHECK(c.on_event({{"type", "audio"}, {"data", "not base64!"}}).notes.size() == 1);
  CHECK(c.on_event({{"type", "audio"}, {"data", 42}}).notes.size() == 1);
  CHECK(c.on_event({{"type", "bogus"}}).notes[0].find("'bogus'") != std::string::npos);
  CHECK(c.on_event(json::array()).notes.size() == 1);
  CHECK(c.on_event({{"type", "text"}, {"text", "hi"}}).notes.size() == 1);
  c.on_event(audio(samples(150)));
  auto out = c.on_event({{"type", "ptt.stop"}});
  REQUIRE(out.utterances.size() == 1);
  CHECK(out.utterances[0].ms() == 150);
}

TEST_CASE("collector: a turn past the upload limit is cut there, once", "[transcribe]") {
  tr::UtteranceCollector c;
  c.on_event({{"type", "ptt.start"}});
  std::string chunk(1'000'000, 'x');
  std::size_t notes = 0;
  for (int i = 0; i < 27; ++i) notes += c.on_event(audio(chunk)).notes.size();
  CHECK(notes == 1);
  auto out = c.on_event({{"type", "ptt.stop"}});
  REQUIRE(out.utterances.size() == 1);
  CHECK(out.utterances[0].pcm.size() <= tr::UtteranceCollector::kMaxPcmBytes);
  CHECK(out.utterances[0].pcm.size() == 24'000'000);
}

TEST_CASE("wav: PCM16 becomes a 24 kHz mono 16-bit WAV holding the same samples", "[transcribe]") {
  std::string pcm;
  for (int i = 0; i < 2400; ++i) {
    auto v = static_cast<std::uint16_t>(static_cast<std::int16_t>(i * 13 - 16000));
    pcm += static_cast<char>(v & 0xff);
    pcm += static_cast<char>(v >> 8);
  }
  std::string wav = tr::pcm16_to_wav(pcm, 24000);
  REQUIRE(wav.size() == 44 + pcm.size());
  CHECK(wav.compare(0, 4, "RIFF") == 0);
  CHECK(le32(wav, 4) == wav.size() - 8);
  CHECK(wav.compare(8, 8, "WAVEfmt ") == 0);
  CHECK(le16(wav, 20) == 1);      // PCM
  CHECK(le16(wav, 22) == 1);      // mono
  CHECK(le32(wav, 24) == 24000);  // rate
  CHECK(le16(wav, 34) == 16);     // bits
  CHECK(wav.compare(36, 4, "data") == 0);
  CHECK(le32(wav, 40) == pcm.size());
  CHECK(wav.substr(44) == pcm);
}

TEST_CASE("request: URL, bearer, model and a WAV file part", "[transcribe]") {
  std::string error;
  CHECK(tr::transcription_url("https://api.openai.com/v1", error) ==
        "https://api.openai.com/v1/audio/transcriptions");
  CHECK(tr::transcription_url("http://127.0.0.1:8080/v1/", error) ==
        "http://127.0.0.1:8080/v1/audio/transcriptions");
  CHECK_FALSE(tr::transcription_url("ftp://x/v1", error));
  CHECK(error.find("ftp://x/v1") != std::string::npos);

  tr::Utterance u{7, samples(200)};
  auto r = tr::build_transcription_request("http://h/v1/audio/transcriptions", "m-1", "sk-test", u);
  CHECK(r.url == "http://h/v1/audio/transcriptions");
  CHECK(std::find(r.headers.begin(), r.headers.end(), "Authorization: Bearer sk-test") != r.headers.end());
  REQUIRE(r.parts.size() == 3);
  CHECK((r.parts[0].name == "model" && r.parts[0].data == "m-1" && r.parts[0].filename.empty()));
  CHECK(r.parts[1].name == "file");
  CHECK(r.parts[1].filename == "utterance-7.wav");
  CHECK(r.parts[1].content_type == "audio/wav");
  CHECK(r.parts[1].data.size() == 44 + u.pcm.size());
  CHECK((r.parts[2].name == "response_format" && r.parts[2].data == "json"));
}

TEST_CASE("response: text, rejected key, retryable and final failures", "[transcribe]") {
  auto parse = [](long status, std::string body, std::string retry_after = "") {
    tr::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.retry_after = std::move(retry_after);
    return tr::parse_transcription_response(r);
  };
  auto ok = parse(200, R"({"text":"fix the tests","usage":{"type":"tokens"}})");
  CHECK((ok.kind == Kind::kText && ok.text == "fix the tests"));
  CHECK(parse(200, R"({"text":""})").kind == Kind::kText);
  CHECK(parse(200, R"({"txt":"x"})").kind == Kind::kFailed);
  CHECK(parse(200, "not json").kind == Kind::kFailed);
  CHECK(parse(200, R"(["text"])").kind == Kind::kFailed);
  auto denied =
      parse(401, R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}})");
  CHECK(denied.kind == Kind::kRejectedKey);
  CHECK(denied.message == "HTTP 401: Incorrect API key provided");
  CHECK(parse(403, "").kind == Kind::kRejectedKey);
  auto limited = parse(429, R"({"error":{"message":"slow down"}})", "3");
  CHECK((limited.kind == Kind::kRetryable && limited.retry_after_ms == 3000));
  CHECK(parse(429, "", "Wed, 21 Oct 2015 07:28:00 GMT").retry_after_ms == 0);
  CHECK(parse(500, "<html>oops</html>").kind == Kind::kRetryable);
  CHECK(parse(503, "").message == "HTTP 503: no details given");
  auto bad = parse(400, R"({"error":{"message":"Audio file is too short"}})");
  CHECK((bad.kind == Kind::kFailed && bad.message == "HTTP 400: Audio file is too short"));

  tr::HttpResponse refused;
  refused.transport_error = "Couldn't connect to server";
  refused.transport_retryable = true;
  CHECK(tr::parse_transcription_response(refused).kind == Kind::kRetryable);
  refused.transport_retryable = false;
  CHECK(tr::parse_transcription_response(refused).kind == Kind::kFailed);
}

TEST_CASE("retry policy: 0.5, 1, 2 s then give up; Retry-After honoured up to 8 s", "[transcribe]") {
  tr::RetryPolicy p;
  tr::TranscriptionResult r;
  r.kind = Kind::kRetryable;
  CHECK(p.delay_ms(0, r) == 500u);
  CHECK(p.delay_ms(1, r) == 1000u);
  CHECK(p.delay_ms(2, r) == 2000u);
  CHECK_FALSE(p.delay_ms(3, r));
  r.retry_after_ms = 5000;
  CHECK(p.delay_ms(0, r) == 5000u);
  r.retry_after_ms = 60000;
  CHECK(p.delay_ms(0, r) == 8000u);
  r.kind = Kind::kFailed;
  CHECK_FALSE(p.delay_ms(0, r));
  r.kind = Kind::kRejectedKey;
  CHECK_FALSE(p.delay_ms(0, r));
}

TEST_CASE("single_line: one line per transcript", "[transcribe]") {
  CHECK(tr::single_line("  fix the\ntests.\r\n Then  commit. ") == "fix the tests. Then commit.");
  CHECK(tr::single_line(" \n ").empty());
}

TEST_CASE("worker: answers come back in utterance order, after retries, off the loop thread",
          "[transcribe]") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::vector<tr::WorkerReport> reports;
  int attempts_for_2 = 0;
  std::thread::id loop_thread = std::this_thread::get_id(), send_thread;
  {
    tr::RetryPolicy fast{3, 1, 4};
    tr::TranscribeWorker worker(
        &loop,
        [&](const tr::Utterance& u, const std::atomic<bool>&) {
          send_thread = std::this_thread::get_id();
          tr::HttpResponse r;
          r.status = 200;
          if (u.seq == 2 && ++attempts_for_2 == 1) r.status = 500;  // 500, then 200
          if (u.seq == 3) r.status = 503;                           // always failing
          r.body = json{{"text", "u" + std::to_string(u.seq)}}.dump();
          return r;
        },
        [&](tr::WorkerReport&& r) {
          reports.push_back(std::move(r));
          if (worker.pending() == 0) worker.close();
        },
        fast);
    for (std::uint64_t seq = 1; seq <= 4; ++seq) worker.submit({seq, samples(100)});
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  CHECK(uv_loop_close(&loop) == 0);  // every handle the worker opened is closed
  std::vector<std::string> seen;
  for (auto& r : reports)
    seen.push_back(std::to_string(r.seq) + (r.kind == tr::WorkerReport::Kind::kRetrying ? "r" : "") +
                   (r.result.kind == Kind::kText ? "=" + r.result.text : ""));
  CHECK(seen == std::vector<std::string>{"1=u1", "2r", "2=u2", "3r", "3r", "3r", "3", "4=u4"});
  CHECK(send_thread != loop_thread);
}

TEST_CASE("worker: abort cuts the request in flight and drops the queue", "[transcribe]") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::atomic<int> sends{0};
  std::atomic<bool> started{false};
  {
    tr::TranscribeWorker worker(
        &loop,
        [&](const tr::Utterance&, const std::atomic<bool>& abort) {
          ++sends;
          started = true;
          while (!abort) std::this_thread::yield();
          return tr::HttpResponse{};
        },
        [&](tr::WorkerReport&&) { FAIL("no report expected after an abort"); });
    worker.submit({1, samples(100)});
    worker.submit({2, samples(100)});
    while (!started) std::this_thread::yield();
    worker.close();
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  CHECK(uv_loop_close(&loop) == 0);  // every handle the worker opened is closed
  CHECK(sends == 1);
}

TEST_CASE("worker: a rejected key stops the work; later utterances are not sent", "[transcribe]") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::atomic<int> sends{0};
  std::vector<tr::WorkerReport> reports;
  {
    tr::TranscribeWorker* self = nullptr;
    tr::TranscribeWorker worker(
        &loop,
        [&](const tr::Utterance&, const std::atomic<bool>&) {
          ++sends;
          tr::HttpResponse r;
          r.status = 401;
          return r;
        },
        [&](tr::WorkerReport&& r) {
          reports.push_back(std::move(r));
          self->close();
        });
    self = &worker;
    worker.submit({1, samples(100)});
    worker.submit({2, samples(100)});
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  CHECK(uv_loop_close(&loop) == 0);  // every handle the worker opened is closed
  CHECK(sends == 1);
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].result.kind == Kind::kRejectedKey);
}
