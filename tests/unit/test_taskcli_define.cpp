#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "taskcli/commands.h"

using ptt::taskcli::requested_command;

namespace {
std::string_view requested(std::vector<const char*> args) {
  args.insert(args.begin(), "ptt-task");
  return requested_command(static_cast<int>(args.size()), const_cast<char**>(args.data()));
}
}  // namespace

TEST_CASE("the requested subcommand is found past global options and their values", "[taskcli]") {
  CHECK(requested({"spawn", "--cwd", "/x", "list"}) == "spawn");
  CHECK(requested({"--json", "list"}) == "list");
  CHECK(requested({"--socket", "spawn", "list"}) == "list");  // "spawn" is the socket path
  CHECK(requested({"--config", "wait", "status", "3"}) == "status");
  CHECK(requested({"--host", "list", "wait"}) == "wait");  // "list" is the host's name
  CHECK(requested({"--socket=/s", "follow-up", "2", "more"}) == "follow-up");
  // Nothing to narrow down: every subcommand is defined (help, version, typos, none).
  CHECK(requested({}).empty());
  CHECK(requested({"--help"}).empty());
  CHECK(requested({"--version"}).empty());
  CHECK(requested({"lsit"}).empty());
  CHECK(requested({"--", "spawn"}).empty());
}

TEST_CASE("every defined subcommand is in kCommandNames, and each can be defined alone", "[taskcli]") {
  CLI::App full{"test", "ptt-task"};
  ptt::taskcli::Invocation inv;
  ptt::taskcli::define_commands(full, inv);
  std::vector<std::string> defined;
  for (const auto* sub : full.get_subcommands({})) defined.push_back(sub->get_name());
  std::vector<std::string> named(std::begin(ptt::taskcli::kCommandNames), std::end(ptt::taskcli::kCommandNames));
  std::sort(defined.begin(), defined.end());
  std::sort(named.begin(), named.end());
  CHECK(defined == named);
  for (std::string_view name : ptt::taskcli::kCommandNames) {
    CLI::App one{"test", "ptt-task"};
    ptt::taskcli::Invocation only;
    ptt::taskcli::define_commands(one, only, name);
    auto subs = one.get_subcommands({});
    REQUIRE(subs.size() == 1);
    CHECK(subs[0]->get_name() == name);
  }
}

TEST_CASE("a narrowed definition parses like the full one", "[taskcli]") {
  std::vector<const char*> argv = {"ptt-task", "--json", "spawn", "--name", "n", "--after", "1,2", "do it"};
  for (std::string_view only : {std::string_view{}, requested_command(8, const_cast<char**>(argv.data()))}) {
    CLI::App app{"test", "ptt-task"};
    ptt::taskcli::Invocation inv;
    ptt::taskcli::define_commands(app, inv, only);
    CHECK(app.get_subcommands({}).size() == (only.empty() ? std::size(ptt::taskcli::kCommandNames) : 1u));
    app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
    CHECK(inv.global.json);
    CHECK(inv.args.spawn.name == "n");
    CHECK(inv.args.spawn.after == std::vector<std::string>{"1", "2"});
    CHECK(inv.args.spawn.prompt == std::vector<std::string>{"do it"});
    CHECK(inv.action);
  }
}

TEST_CASE("unquoted prompt words stay in order, options between them or not", "[taskcli]") {
  std::vector<const char*> argv = {"ptt-task", "spawn", "fix", "the", "--name", "n", "failing", "tests"};
  CLI::App app{"test", "ptt-task"};
  ptt::taskcli::Invocation inv;
  ptt::taskcli::define_commands(app, inv, "spawn");
  app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
  CHECK(inv.args.spawn.prompt == std::vector<std::string>{"fix", "the", "failing", "tests"});
  CHECK(inv.args.spawn.name == "n");
}
