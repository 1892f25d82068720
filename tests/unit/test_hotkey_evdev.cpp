#include <csignal>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <linux/input.h>
#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include "hotkey/evdev_records.h"
#include "hotkey/evdev_source.h"
#include "hotkey/key_names.h"
#include "hotkey/signal_pipe.h"
#include "hotkey/signal_source.h"
#include "hotkey/tty_source.h"

using namespace ptt::hotkey;

namespace {

std::string record(std::uint16_t type, std::uint16_t code, std::int32_t value) {
  input_event ev{};
  ev.type = type;
  ev.code = code;
  ev.value = value;
  return std::string(reinterpret_cast<const char*>(&ev), sizeof ev);
}

std::string key(int code, int value) { return record(EV_KEY, code, value) + record(EV_SYN, SYN_REPORT, 0); }

}  // namespace

TEST_CASE("Linux key names map to codes and back", "[hotkey][keys]") {
  CHECK(key_code("F9") == KEY_F9);
  CHECK(key_code("f9") == KEY_F9);
  CHECK(key_code("KEY_F9") == KEY_F9);
  CHECK(key_code("rightctrl") == KEY_RIGHTCTRL);
  CHECK(key_code("PAUSE") == KEY_PAUSE);
  CHECK(key_code("1") == KEY_1);  // a name first: the "1" key, not code 1
  CHECK(key_code("190") == 190);  // a raw code where no name matches
  CHECK_FALSE(key_code("NOPE"));
  CHECK_FALSE(key_code(""));
  CHECK_FALSE(key_code("99999"));
  CHECK(key_name(KEY_F9) == "F9");
  CHECK(input_record_size() == sizeof(input_event));
}

TEST_CASE("input_event records split across reads are parsed whole", "[hotkey][evdev]") {
  std::string bytes = key(KEY_F9, 1) + key(KEY_F9, 0);
  InputRecordParser parser;
  std::vector<InputRecord> records;
  parser.feed(bytes.data(), 5, records);
  CHECK(records.empty());
  parser.feed(bytes.data() + 5, bytes.size() - 5 - 3, records);
  CHECK(records.size() == 3);
  CHECK(parser.buffered() == sizeof(input_event) - 3);
  parser.feed(bytes.data() + bytes.size() - 3, 3, records);
  REQUIRE(records.size() == 4);
  CHECK(records[0].type == EV_KEY);
  CHECK(records[0].code == KEY_F9);
  CHECK(records[0].value == 1);
  CHECK(records[3].type == EV_SYN);
}

TEST_CASE("only press and release of the hotkey count; autorepeat and other keys are ignored",
          "[hotkey][evdev]") {
  KeyFilter filter(KEY_F9);
  CHECK(filter.on_record({EV_KEY, KEY_F9, 1}) == HotkeyEvent::kPress);
  CHECK_FALSE(filter.on_record({EV_KEY, KEY_F9, 2}));  // autorepeat
  CHECK_FALSE(filter.on_record({EV_KEY, KEY_A, 1}));
  CHECK_FALSE(filter.on_record({EV_KEY, KEY_A, 0}));
  CHECK_FALSE(filter.on_record({EV_SYN, SYN_REPORT, 0}));
  CHECK_FALSE(filter.on_record({EV_MSC, KEY_F9, 1}));  // MSC_SCAN carries other codes
  CHECK(filter.on_record({EV_KEY, KEY_F9, 0}) == HotkeyEvent::kRelease);
}

TEST_CASE("an evdev source reads records from a FIFO given as --device", "[hotkey][evdev]") {
  auto fifo = std::filesystem::temp_directory_path() / ("ptt-evdev-" + std::to_string(::getpid()));
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  EvdevSource source(KEY_F9, fifo);
  int writer = ::open(fifo.c_str(), O_WRONLY);
  REQUIRE(writer >= 0);
  REQUIRE(source.fds().size() == 1);
  std::string bytes =
      key(KEY_F9, 1) + key(KEY_F9, 2) + key(KEY_F9, 2) + key(KEY_A, 1) + key(KEY_A, 0) + key(KEY_F9, 0);
  REQUIRE(::write(writer, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  std::vector<HotkeyEvent> events;
  source.on_readable(source.fds()[0], events);
  CHECK(events == std::vector<HotkeyEvent>{HotkeyEvent::kPress, HotkeyEvent::kRelease});
  CHECK(source.describe().find(fifo.string()) != std::string::npos);
  ::close(writer);  // the writer going away is like an unplugged keyboard
  events.clear();
  source.on_readable(source.fds()[0], events);
  CHECK(events.empty());
  CHECK(source.fds().empty());
  std::filesystem::remove(fifo);
}

TEST_CASE("no readable keyboard gives an error that says what to do", "[hotkey][evdev]") {
  auto empty_dir = std::filesystem::temp_directory_path() / ("ptt-input-" + std::to_string(::getpid()));
  std::filesystem::create_directories(empty_dir);
  try {
    EvdevSource source(KEY_F9, "", empty_dir);
    FAIL("expected NoKeyboardError");
  } catch (const NoKeyboardError& e) {
    std::string what = e.what();
    CHECK(what.find("no keyboard with F9") != std::string::npos);
    CHECK(what.find("`input` group") != std::string::npos);
    CHECK(what.find("--hotkey signal") != std::string::npos);
  }
  std::filesystem::remove_all(empty_dir);
  CHECK_THROWS_AS(EvdevSource(KEY_F9, "/nonexistent/event0"), NoKeyboardError);
}

TEST_CASE("SIGUSR1 and SIGUSR2 reach the loop as press and release", "[hotkey][signal]") {
  SignalPipe signals{SIGUSR1, SIGUSR2};
  ::raise(SIGUSR1);
  ::raise(SIGUSR2);
  auto got = signals.take();
  REQUIRE(got == std::vector<int>{SIGUSR1, SIGUSR2});
  CHECK(hotkey_for_signal(got[0]) == HotkeyEvent::kPress);
  CHECK(hotkey_for_signal(got[1]) == HotkeyEvent::kRelease);
  CHECK_FALSE(hotkey_for_signal(SIGINT));
  CHECK(signals.take().empty());
  std::signal(SIGUSR1, SIG_DFL);
  std::signal(SIGUSR2, SIG_DFL);
}

TEST_CASE("each Enter on the terminal is one toggle", "[hotkey][tty]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  TtySource tty(fds[0]);
  REQUIRE(::write(fds[1], "\n\nhello\n", 8) == 8);
  std::vector<HotkeyEvent> events;
  tty.on_readable(fds[0], events);
  CHECK(events.size() == 3);
  CHECK(events[0] == HotkeyEvent::kToggle);
  ::close(fds[1]);
  tty.on_readable(fds[0], events);
  CHECK(tty.fds().empty());  // end of input: stop polling it
  ::close(fds[0]);
}

TEST_CASE("a keyboard that appears later is picked up", "[hotkey][evdev]") {
  // Event nodes here are FIFOs: the source takes non-devices as record streams, so
  // this exercises the scan and the inotify hot-plug path without /dev/input.
  auto dir = std::filesystem::temp_directory_path() / ("ptt-hotplug-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  REQUIRE(::mkfifo((dir / "event0").c_str(), 0600) == 0);
  REQUIRE(::mkfifo((dir / "mouse0").c_str(), 0600) == 0);  // not an event node: ignored
  EvdevSource source(KEY_F9, "", dir);
  REQUIRE(source.fds().size() == 2);  // event0 and the inotify watch
  REQUIRE(::mkfifo((dir / "event7").c_str(), 0600) == 0);
  std::vector<HotkeyEvent> events;
  source.on_readable(source.fds().back(), events);  // the inotify fd comes last
  auto fds = source.fds();
  REQUIRE(fds.size() == 3);
  CHECK(source.describe().find("event7") != std::string::npos);
  int writer = ::open((dir / "event7").c_str(), O_WRONLY | O_NONBLOCK);
  REQUIRE(writer >= 0);
  std::string bytes = key(KEY_F9, 1);
  REQUIRE(::write(writer, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  source.on_readable(fds[1], events);
  CHECK(events == std::vector<HotkeyEvent>{HotkeyEvent::kPress});
  ::close(writer);
  std::filesystem::remove_all(dir);
}
