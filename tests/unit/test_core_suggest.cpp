#include <catch2/catch.hpp>

#include "core/suggest.h"

using ptt::edit_distance;
using ptt::nearest_word;

TEST_CASE("edit distance counts insertions, deletions, substitutions and adjacent swaps", "[core][suggest]") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("spawn", "spawn") == 0);
  CHECK(edit_distance("spwan", "spawn") == 1);  // one swap, not two substitutions
  CHECK(edit_distance("--jsno", "--json") == 1);
  CHECK(edit_distance("lst", "list") == 1);
  CHECK(edit_distance("lists", "list") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abc", "") == 3);
}

TEST_CASE("nearest word: a typo's reach, not any word", "[core][suggest]") {
  const std::vector<std::string> commands = {"spawn", "list",  "status", "result", "logs", "cancel",
                                             "wait",  "watch", "retry",  "clean",  "ping", "doctor"};
  CHECK(nearest_word("spwan", commands) == "spawn");
  CHECK(nearest_word("stauts", commands) == "status");
  CHECK(nearest_word("retyr", commands) == "retry");
  CHECK(nearest_word("lsit", commands) == "list");
  CHECK(nearest_word("wiat", commands) == "wait");
  CHECK_FALSE(nearest_word("deploy", commands));
  CHECK_FALSE(nearest_word("x", commands));  // one letter is no typo of anything
  const std::vector<std::string> flags = {"--json", "--socket", "--no-autostart", "--name", "--wait"};
  CHECK(nearest_word("--jsno", flags) == "--json");
  CHECK(nearest_word("--no-autostrat", flags) == "--no-autostart");
  CHECK_FALSE(nearest_word("--verbose", flags));
}
