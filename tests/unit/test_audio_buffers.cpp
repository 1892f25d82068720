#include <atomic>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <thread>

#include <sndfile.h>
#include <catch2/catch.hpp>

#include "audio/chunker.h"
#include "audio/level_meter.h"
#include "audio/preroll_buffer.h"
#include "audio/silence_detector.h"
#include "audio/spsc_ring.h"
#include "audio/wav_file.h"

using namespace ptt::audio;

TEST_CASE("the chunker cuts exact 20 ms chunks numbered from 0", "[audio][chunker]") {
  Chunker chunker(20);
  std::vector<Chunk> chunks;
  auto collect = [&](Chunk&& c) { chunks.push_back(std::move(c)); };
  std::vector<std::int16_t> samples(1000);
  std::iota(samples.begin(), samples.end(), 0);
  chunker.push(samples, collect);  // 2 whole chunks of 480, 40 left over
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[0].index == 0);
  CHECK(chunks[1].index == 1);
  CHECK(chunks[1].samples.size() == 480);
  CHECK(chunks[1].samples.front() == 480);
  chunker.push(std::vector<std::int16_t>(440, 7), collect);
  REQUIRE(chunks.size() == 3);
  CHECK(chunks[2].samples[39] == 999);  // the leftover comes first, in order
  CHECK(chunks[2].samples[40] == 7);
  chunker.push(std::vector<std::int16_t>(10, 1), collect);
  chunker.finish(collect);
  REQUIRE(chunks.size() == 4);
  CHECK(chunks[3].samples.size() == 10);  // a short final chunk, nothing lost
  CHECK(chunks[3].index == 3);
}

TEST_CASE("the pre-roll buffer keeps the newest chunks, oldest first", "[audio][preroll]") {
  PrerollBuffer preroll(3);
  for (int i = 0; i < 5; ++i)
    preroll.push(Chunk{i, std::vector<std::int16_t>(4, static_cast<std::int16_t>(i))});
  CHECK(preroll.size() == 3);
  auto held = preroll.take();
  REQUIRE(held.size() == 3);
  CHECK(held[0].index == 2);
  CHECK(held[2].index == 4);
  CHECK(held[2].samples[0] == 4);
  CHECK(preroll.size() == 0);
  preroll.push(Chunk{9, {1}});
  CHECK(preroll.take().front().index == 9);
  PrerollBuffer none(0);
  none.push(Chunk{1, {1}});
  CHECK(none.take().empty());
}

TEST_CASE("digital silence is reported once after 2 s, again after sound returns", "[audio][silence]") {
  SilenceDetector detector(2000);
  std::vector<std::int16_t> chunk(480, 0);
  int fired = 0, at = -1;
  for (int i = 0; i < 150; ++i) {
    if (detector.push(chunk)) ++fired, at = i;
  }
  CHECK(fired == 1);
  CHECK(at == 99);                                // the 100th 20 ms chunk completes 2 s
  std::vector<std::int16_t> quiet_noise(480, 1);  // not digital silence: a live but quiet mic
  for (int i = 0; i < 150; ++i) CHECK_FALSE(detector.push(quiet_noise));
  for (int i = 0; i < 100; ++i) fired += detector.push(chunk);
  CHECK(fired == 2);
}

TEST_CASE("the level meter reads dBFS and draws a bar", "[audio][meter]") {
  std::vector<std::int16_t> square(480);
  for (std::size_t i = 0; i < square.size(); ++i) square[i] = i % 2 ? 16384 : -16384;
  CHECK(rms_dbfs(square) == Approx(-6.02).margin(0.01));
  CHECK(rms_dbfs(std::vector<std::int16_t>(480, 0)) == -120.0);
  CHECK(render_meter(0.0, 10) == "    [##########]    0 dBFS");
  CHECK(render_meter(-30.0, 10, true) == "REC [#####.....]  -30 dBFS");
  CHECK(render_meter(-120.0, 4) == "    [....]  -99 dBFS");
}

TEST_CASE("the SPSC ring wraps, refuses overflow and survives a concurrent producer", "[audio][ring]") {
  SpscRing ring(5);
  CHECK(ring.capacity() == 8);
  std::int16_t data[6] = {1, 2, 3, 4, 5, 6};
  CHECK(ring.write(data, 6) == 6);
  std::vector<std::int16_t> out;
  CHECK(ring.read(out, 4) == 4);
  CHECK(ring.write(data, 6) == 6);  // wraps around the end
  CHECK(ring.write(data, 6) == 0);  // full
  CHECK(ring.read(out) == 8);
  CHECK(out == std::vector<std::int16_t>{1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6});

  SpscRing shared(1024);
  constexpr int kTotal = 200000;
  std::thread producer([&] {
    for (int i = 0; i < kTotal;) {
      auto v = static_cast<std::int16_t>(i);
      i += static_cast<int>(shared.write(&v, 1));
    }
  });
  std::vector<std::int16_t> got;
  while (got.size() < kTotal) shared.read(got);
  producer.join();
  bool in_order = true;
  for (int i = 0; i < kTotal; ++i) in_order = in_order && got[i] == static_cast<std::int16_t>(i);
  CHECK(in_order);
}

TEST_CASE("a sound file is read at its own rate and channels; a bad one is refused", "[audio][wav]") {
  auto path = std::filesystem::temp_directory_path() / ("ptt-wav-" + std::to_string(::getpid()) + ".wav");
  SF_INFO info{};
  info.samplerate = 22050;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  REQUIRE(f);
  std::vector<short> frames(2 * 1000, 8192);
  sf_writef_short(f, frames.data(), 1000);
  sf_close(f);

  WavFile wav(path);
  CHECK(wav.rate() == 22050);
  CHECK(wav.channels() == 2);
  CHECK(wav.frames() == 1000);
  std::vector<float> buf;
  CHECK(wav.read(600, buf) == 600);
  CHECK(buf.size() == 1200);
  CHECK(buf[0] == Approx(0.25));
  CHECK(wav.read(600, buf) == 400);
  CHECK(wav.read(600, buf) == 0);
  std::filesystem::remove(path);

  CHECK_THROWS_AS(WavFile("/nonexistent/x.wav"), std::runtime_error);
  auto junk = std::filesystem::temp_directory_path() / ("ptt-junk-" + std::to_string(::getpid()) + ".wav");
  std::FILE* j = std::fopen(junk.c_str(), "w");
  std::fputs("this is not audio", j);
  std::fclose(j);
  CHECK_THROWS_AS(WavFile(junk), std::runtime_error);
  std::filesystem::remove(junk);
}
