// The daemon's open questions (taskd/open_questions.h): order, answers, restarts, ends.
#include <catch2/catch.hpp>

#include "taskd/open_questions.h"

using ptt::protocol::PermissionQuestion;
using ptt::taskd::OpenQuestions;

namespace {
PermissionQuestion question(std::int64_t task, std::string request, double at) {
  return {.task = task,
          .request = std::move(request),
          .tool = "Bash",
          .input = {},
          .summary = "",
          .requested_at = at};
}
}  // namespace

TEST_CASE("open questions: oldest first, the task's oldest answered when no request is named",
          "[approvals]") {
  OpenQuestions q;
  CHECK(q.ask(question(1, "b", 20)));
  CHECK(q.ask(question(2, "c", 5)));  // read back after a restart: keeps its earlier time
  CHECK(q.ask(question(1, "a", 10)));
  REQUIRE(q.all().size() == 3);
  CHECK(q.all()[0].request == "c");
  CHECK(q.all()[1].request == "a");
  CHECK(q.oldest() == 5);
  CHECK(q.take(1, std::nullopt)->request == "a");
  CHECK_FALSE(q.take(1, std::string("zzz")));
  CHECK(q.take(1, std::string("b"))->request == "b");
  CHECK_FALSE(q.has(1));
  CHECK(q.has(2));
}

TEST_CASE("open questions: a request asked again (its stream read again) is not opened twice",
          "[approvals]") {
  OpenQuestions q;
  CHECK(q.ask(question(1, "a", 10)));
  CHECK_FALSE(q.ask(question(1, "a", 11)));
  q.take(1, std::nullopt);
  CHECK_FALSE(q.ask(question(1, "a", 12)));  // answered already
  q.settled(2, "x");                         // answered before a restart
  CHECK_FALSE(q.ask(question(2, "x", 1)));
  CHECK(q.all().empty());
  q.forget(1);
  CHECK(q.ask(question(1, "a", 13)));
}

TEST_CASE("open questions: timeouts and a task's end take them out", "[approvals]") {
  OpenQuestions q;
  q.ask(question(1, "a", 10));
  q.ask(question(2, "b", 20));
  q.ask(question(1, "c", 30));
  CHECK(q.asked_by(20).size() == 2);
  CHECK(q.asked_by(9).empty());
  auto ended = q.take_all(1);
  REQUIRE(ended.size() == 2);
  CHECK(ended[0].request == "a");
  CHECK(q.all().size() == 1);
}
