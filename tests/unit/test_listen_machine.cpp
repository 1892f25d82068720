#include <csignal>
#include <sstream>

#include <unistd.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "listen/capture_machine.h"
#include "listen/line_writer.h"
#include "listen/pipeline.h"

using nlohmann::json;
using ptt::audio::Chunk;
using ptt::listen::CaptureMachine;
using ptt::listen::MachineConfig;

namespace {

// Drives a machine with numbered 20 ms chunks whose samples all equal their index.
struct Driver {
  explicit Driver(MachineConfig config) : machine(config) {}
  CaptureMachine machine;
  std::string out;
  std::int64_t next = 0;

  void chunks(int n) {
    for (int i = 0; i < n; ++i, ++next) {
      machine.chunk(Chunk{next, std::vector<std::int16_t>(480, static_cast<std::int16_t>(next))}, out);
    }
  }
  std::vector<json> lines() {
    std::vector<json> result;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) result.push_back(json::parse(line));
    out.clear();
    return result;
  }
};

std::vector<std::int64_t> audio_ms(const std::vector<json>& lines) {
  std::vector<std::int64_t> ms;
  for (const auto& l : lines)
    if (l["type"] == "audio") ms.push_back(l["ms"]);
  return ms;
}

}  // namespace

TEST_CASE("an utterance is ptt.start, pre-roll, held audio, tail, ptt.stop", "[listen][machine]") {
  Driver d({20, 300, 200, 0});
  d.chunks(40);          // 800 ms heard before the press
  CHECK(d.out.empty());  // nothing is sent while idle
  d.machine.press(d.out);
  auto lines = d.lines();
  REQUIRE(lines.size() == 16);
  CHECK(lines[0] == json({{"type", "ptt.start"}, {"ms", 800}, {"preroll_ms", 300}}));
  CHECK(lines[1]["ms"] == 500);   // exactly 300 ms before the press
  CHECK(lines[15]["ms"] == 780);  // up to the last chunk heard
  CHECK(lines[1]["seq"] == 0);
  d.chunks(25);  // 500 ms held
  d.machine.release(d.out);
  d.chunks(9);
  auto held = d.lines();
  CHECK(held.size() == 34);
  CHECK(held.back()["type"] == "audio");  // the tail is not over yet
  d.chunks(1);
  auto rest = d.lines();
  REQUIRE(rest.size() == 2);
  CHECK(rest[0]["ms"] == 1480);  // 10 chunks = 200 ms after the release at 1300
  CHECK(rest[1] == json({{"type", "ptt.stop"}, {"ms", 1300}, {"reason", "release"}, {"audio_ms", 1000}}));
  // Contiguous: every chunk from 500 to 1480 ms once, in order, seq 0..49.
  auto all_ms = audio_ms(lines);
  auto more = audio_ms(held);
  all_ms.insert(all_ms.end(), more.begin(), more.end());
  all_ms.push_back(1480);
  REQUIRE(all_ms.size() == 50);
  for (std::size_t i = 0; i < all_ms.size(); ++i) CHECK(all_ms[i] == 500 + 20 * static_cast<std::int64_t>(i));
  CHECK(rest[0]["seq"] == 49);
  d.chunks(5);
  CHECK(d.out.empty());
}

TEST_CASE("the audio payload is the chunk's PCM16 in base64", "[listen][machine]") {
  Driver d({20, 0, 0, 0});
  d.chunks(3);
  d.machine.press(d.out);
  d.chunks(1);
  auto lines = d.lines();
  REQUIRE(lines.size() == 2);
  auto bytes = ptt::base64_decode(lines[1]["data"].get<std::string>());
  REQUIRE(bytes);
  REQUIRE(bytes->size() == 960);
  CHECK((*bytes)[0] == 3);  // little-endian sample value 3 (the chunk's index)
  CHECK((*bytes)[1] == 0);
  CHECK(lines[0]["preroll_ms"] == 0);
}

TEST_CASE("a press soon after start has only the audio there is", "[listen][machine]") {
  Driver d({20, 300, 0, 0});
  d.chunks(4);
  d.machine.press(d.out);
  auto lines = d.lines();
  CHECK(lines[0]["preroll_ms"] == 80);
  CHECK(audio_ms(lines) == std::vector<std::int64_t>{0, 20, 40, 60});
  d.machine.release(d.out);  // no tail: stop at once
  lines = d.lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["reason"] == "release");
}

TEST_CASE("pressing again during the tail continues the same utterance", "[listen][machine]") {
  Driver d({20, 0, 200, 0});
  d.machine.press(d.out);
  d.chunks(5);
  d.machine.release(d.out);
  d.chunks(3);
  d.machine.press(d.out);
  d.chunks(20);
  auto lines = d.lines();
  CHECK(lines.size() == 1 + 28);  // one start, no stop, no gap
  d.machine.release(d.out);
  d.chunks(10);
  lines = d.lines();
  CHECK(lines.back()["type"] == "ptt.stop");
  CHECK(lines.back()["audio_ms"] == 760);
}

TEST_CASE("repeated presses and stray releases change nothing", "[listen][machine]") {
  Driver d({20, 0, 0, 0});
  d.machine.release(d.out);
  CHECK(d.out.empty());
  d.machine.press(d.out);
  d.machine.press(d.out);
  d.chunks(2);
  d.machine.release(d.out);
  d.machine.release(d.out);
  auto lines = d.lines();
  CHECK(lines.size() == 4);
  CHECK(d.machine.utterances() == 1);
}

TEST_CASE("a max-seconds cap stops the utterance and waits for the release", "[listen][machine]") {
  Driver d({20, 100, 200, 1.0});
  d.chunks(10);
  d.machine.press(d.out);
  d.chunks(60);
  auto lines = d.lines();
  REQUIRE(lines.size() == 1 + 5 + 50 + 1);  // start, pre-roll, 1 s held, stop
  CHECK(lines.back() ==
        json({{"type", "ptt.stop"}, {"ms", 1200}, {"reason", "max_seconds"}, {"audio_ms", 1100}}));
  d.machine.press(d.out);  // still held: no new utterance
  d.chunks(5);
  CHECK(d.out.empty());
  d.machine.release(d.out);
  d.chunks(10);
  d.machine.press(d.out);
  lines = d.lines();
  REQUIRE(!lines.empty());
  CHECK(lines[0]["type"] == "ptt.start");
  CHECK(d.machine.utterances() == 2);
}

TEST_CASE("the end of audio closes an open utterance", "[listen][machine]") {
  Driver d({20, 0, 200, 0});
  d.machine.press(d.out);
  d.chunks(3);
  d.machine.end(d.out);
  auto lines = d.lines();
  CHECK(lines.back() == json({{"type", "ptt.stop"}, {"ms", 60}, {"reason", "end"}, {"audio_ms", 60}}));
  d.machine.end(d.out);
  CHECK(d.out.empty());
}

TEST_CASE("the pipeline turns 48 kHz stereo into 20 ms lines of 24 kHz mono", "[listen][pipeline]") {
  ptt::listen::Pipeline pipeline({20, 0, 0, 0}, 48000, 2);
  pipeline.machine().press(pipeline.lines());
  std::vector<std::int16_t> second(48000 * 2, 1000);
  pipeline.push(second.data(), 48000);
  pipeline.finish();
  pipeline.machine().end(pipeline.lines());
  std::istringstream in(pipeline.lines());
  std::size_t samples = 0, lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    auto j = json::parse(line);
    if (j["type"] == "audio") samples += ptt::base64_decode(j["data"].get<std::string>())->size() / 2;
  }
  CHECK(samples == 24000);
  CHECK(lines == 52);
}

TEST_CASE("the line writer reports a reader that went away", "[listen][writer]") {
  std::signal(SIGPIPE, SIG_IGN);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ptt::listen::LineWriter writer(fds[1]);
  CHECK(writer.write("{\"type\":\"ptt.start\"}\n"));
  char buf[64];
  CHECK(::read(fds[0], buf, sizeof buf) == 21);
  ::close(fds[0]);
  CHECK_FALSE(writer.write("{}\n"));
  CHECK_FALSE(writer.ok());
  ::close(fds[1]);
}
