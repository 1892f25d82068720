// taskd/queue_hold_file.h: which rate limits hold the queue, which hold wins, and the
// saved hold a restarted daemon reads back (an ended one is dropped, an unreadable one kept).
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "taskd/queue_hold_file.h"

using namespace ptt::taskd;
using ptt::protocol::QueueHold;
namespace fs = std::filesystem;

namespace {

constexpr double kNow = 1764000000;

struct TempStateDir {
  fs::path path;
  TempStateDir() {
    std::string tmpl = (fs::temp_directory_path() / "ptt-queue-hold-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempStateDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("only a refusal with a reset ahead holds the queue", "[rate_limit]") {
  auto hold = hold_for_rate_limit({"rejected", kNow + 600, "five_hour"}, 7, kNow);
  REQUIRE(hold);
  CHECK(hold->until == kNow + 600);
  CHECK(hold->task == 7);
  CHECK(hold->rate_limit_type == "five_hour");
  CHECK(hold->reason == "rate_limited");
  CHECK_FALSE(hold_for_rate_limit({"allowed_warning", kNow + 600, "five_hour"}, 7, kNow));
  CHECK_FALSE(hold_for_rate_limit({"allowed", kNow + 600, ""}, 7, kNow));
  CHECK_FALSE(hold_for_rate_limit({"rejected", std::nullopt, ""}, 7, kNow));
  CHECK_FALSE(hold_for_rate_limit({"rejected", kNow - 1, ""}, 7, kNow));
}

TEST_CASE("a later reset extends a hold, an earlier one does not", "[rate_limit]") {
  QueueHold current{.until = kNow + 600};
  CHECK(extends_hold(std::nullopt, current));
  CHECK(extends_hold(current, QueueHold{.until = kNow + 601}));
  CHECK_FALSE(extends_hold(current, QueueHold{.until = kNow + 600}));
  CHECK_FALSE(extends_hold(current, QueueHold{.until = kNow + 60}));
}

TEST_CASE("a saved hold reads back until it ends; then its file is removed", "[rate_limit]") {
  TempStateDir dir;
  std::string problem;
  CHECK_FALSE(load_queue_hold(dir.path, kNow, problem));
  CHECK(problem.empty());

  QueueHold hold{.until = kNow + 600, .task = 3, .rate_limit_type = "seven_day"};
  save_queue_hold(dir.path, hold);
  CHECK(load_queue_hold(dir.path, kNow, problem) == hold);
  CHECK(problem.empty());
  // A daemon started after the reset drops the hold and its file.
  CHECK_FALSE(load_queue_hold(dir.path, kNow + 600, problem));
  CHECK(problem.empty());
  CHECK_FALSE(fs::exists(queue_hold_path(dir.path)));

  save_queue_hold(dir.path, hold);
  remove_queue_hold(dir.path);
  CHECK_FALSE(fs::exists(queue_hold_path(dir.path)));
}

TEST_CASE("an unreadable saved hold is reported and left for the user", "[rate_limit]") {
  TempStateDir dir;
  for (const char* content : {"not json", R"({"until":"soon"})", "{}"}) {
    std::ofstream(queue_hold_path(dir.path)) << content;
    std::string problem;
    CHECK_FALSE(load_queue_hold(dir.path, kNow, problem));
    CHECK_FALSE(problem.empty());
    CHECK(fs::exists(queue_hold_path(dir.path)));
  }
}
