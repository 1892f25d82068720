#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "core/config.h"
#include "core/toml_prescan.h"

namespace fs = std::filesystem;
using ptt::config_items_from_toml;
using ptt::ConfigFileError;

namespace {

// A small app shaped like ours: options with and without an environment variable,
// a switch, a list, and a subcommand with its own option.
struct TestApp {
  CLI::App app{"test", "ptt-taskd"};
  std::string socket = "default.sock", model;
  int max_running = 4;
  bool quiet = false;
  std::vector<std::string> roots;
  CLI::App* spawn = nullptr;
  TestApp() {
    ptt::add_config_file(app, "ptt-taskd");
    app.add_option("--socket", socket)->envname("PTT_TEST_SOCKET");
    app.add_option("--max-running", max_running)->check(CLI::Range(1, 1000));
    app.add_flag("--quiet", quiet);
    app.add_option("--allow-root", roots);
    app.add_option("positional", model);
    spawn = app.add_subcommand("spawn");
    spawn->add_option("--model", model);
  }
};

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ConfigFileError& e) {
    return e.what();
  }
  return "no error";
}

struct TempFile {
  fs::path path;
  explicit TempFile(const std::string& text) {
    path = fs::temp_directory_path() / ("ptt-config-test-" + std::to_string(::getpid()) + ".toml");
    std::ofstream(path) << text;
  }
  ~TempFile() { fs::remove(path); }
};

struct EnvVar {
  std::string name;
  EnvVar(std::string n, const char* value) : name(std::move(n)) { ::setenv(name.c_str(), value, 1); }
  ~EnvVar() { ::unsetenv(name.c_str()); }
};

}  // namespace

TEST_CASE("config: a tool's table becomes CLI11 items with the flags' names", "[core][config]") {
  TestApp t;
  auto items = config_items_from_toml(t.app, "ptt-taskd",
                                      "[ptt-task]\nsocket = \"other-tool.sock\"\n"
                                      "[ptt-taskd]\nmax-running = 2\nquiet = true\n"
                                      "allow-root = [\"/a\", \"/b\"]\n"
                                      "[ptt-taskd.spawn]\nmodel = \"opus\"\n",
                                      "c.toml");
  REQUIRE(items.size() == 4);  // toml++ keeps a table's keys sorted
  auto find = [&](const std::string& name) {
    for (const auto& i : items)
      if (i.name == name) return i;
    FAIL("no item " << name);
    return CLI::ConfigItem{};
  };
  CHECK(find("max-running").inputs == std::vector<std::string>{"2"});
  CHECK(find("max-running").parents.empty());
  CHECK(find("quiet").inputs == std::vector<std::string>{"true"});
  CHECK(find("allow-root").inputs == std::vector<std::string>{"/a", "/b"});
  CHECK(find("model").parents == std::vector<std::string>{"spawn"});
  CHECK(find("model").inputs == std::vector<std::string>{"opus"});
}

TEST_CASE("config: [hosts.NAME] tables are left to client/host.h", "[core][config]") {
  TestApp t;
  auto items = config_items_from_toml(
      t.app, "ptt-taskd", "[hosts.devbox]\nurl = \"ssh://devbox\"\n[ptt-taskd]\nquiet = true\n", "c.toml");
  REQUIRE(items.size() == 1);
  CHECK(items[0].name == "quiet");
}

TEST_CASE("config: mistakes name the file and the line", "[core][config]") {
  TestApp t;
  auto parse = [&](const std::string& text) {
    return message_of([&] { config_items_from_toml(t.app, "ptt-taskd", text, "/home/u/c.toml"); });
  };
  CHECK(parse("[ptt-taskd]\n\nmax-running = = 2\n").rfind("/home/u/c.toml:3: ", 0) == 0);
  CHECK(parse("[ptt-taskd]\nmax-runing = 2\n") ==
        "/home/u/c.toml:2: unknown key 'max-runing' in [ptt-taskd]; keys are the long flags without \"--\" "
        "(see "
        "`ptt-taskd --help`)");
  CHECK(parse("socket = \"x\"\n").find("c.toml:1: 'socket' is outside a tool's table") != std::string::npos);
  CHECK(parse("[ptt-taskdd]\n").find("c.toml:1: unknown table [ptt-taskdd]") != std::string::npos);
  CHECK(parse("[ptt-taskd.nope]\nx = 1\n").find("c.toml:1: [ptt-taskd.nope] is not a subcommand") !=
        std::string::npos);
  CHECK(parse("[ptt-taskd]\nquiet = \"yes\"\n").find("c.toml:2: 'quiet' is a switch") != std::string::npos);
  // Positionals, --help and --config are not keys.
  CHECK(parse("[ptt-taskd]\npositional = \"x\"\n").find("unknown key 'positional'") != std::string::npos);
  CHECK(parse("[ptt-taskd]\nhelp = true\n").find("unknown key 'help'") != std::string::npos);
  CHECK(parse("[ptt-taskd]\nconfig = \"x\"\n").find("unknown key 'config'") != std::string::npos);
}

TEST_CASE("config: precedence is flag > environment > file > default", "[core][config]") {
  TempFile file("[ptt-taskd]\nsocket = \"file.sock\"\nmax-running = 2\n");
  auto run = [&](std::vector<std::string> args) {
    auto t = std::make_unique<TestApp>();
    args.insert(args.begin(), {"--config", file.path.string()});
    std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
    t->app.parse(args);
    return t;
  };
  CHECK(run({})->socket == "file.sock");
  CHECK(run({})->max_running == 2);
  CHECK(run({"--max-running", "7"})->max_running == 7);
  {
    EnvVar env("PTT_TEST_SOCKET", "env.sock");
    CHECK(run({})->socket == "env.sock");
    CHECK(run({"--socket", "flag.sock"})->socket == "flag.sock");
  }
  CHECK(run({"--socket", "flag.sock"})->socket == "flag.sock");
  {
    EnvVar empty("PTT_TEST_SOCKET", "");  // empty counts as unset
    CHECK(run({})->socket == "file.sock");
  }
  TestApp no_file;  // a file named on purpose must exist
  CHECK_THROWS_AS(no_file.app.parse(std::vector<std::string>{"/nonexistent/ptt/config.toml", "--config"}),
                  CLI::FileError);
}

TEST_CASE("config: a bad value says which line of the file set it", "[core][config]") {
  TempFile file("[ptt-taskd]\n# limits\nmax-running = 0\n");
  TestApp t;
  std::string message;
  try {
    t.app.parse(std::vector<std::string>{file.path.string(), "--config"});
  } catch (const CLI::ParseError& e) {
    message = ptt::explain_config_origin(t.app, e.what());
  }
  CHECK(message.find("--max-running") != std::string::npos);
  CHECK(message.find("; fix " + file.path.string() + " line 3") != std::string::npos);
  // A flag that was not in the file is not blamed on it.
  CHECK(ptt::explain_config_origin(t.app, "--max-running-x: bad") == "--max-running-x: bad");
}

TEST_CASE("config: the default file is $PTT_CONFIG, else under $XDG_CONFIG_HOME", "[core][config]") {
  {
    EnvVar xdg("XDG_CONFIG_HOME", "/xdg");
    CHECK(ptt::default_config_file() == "/xdg/ptt/config.toml");
    EnvVar explicit_file("PTT_CONFIG", "/etc/ptt.toml");
    CHECK(ptt::default_config_file() == "/etc/ptt.toml");
  }
}

TEST_CASE("tables of subcommands left undefined for this run are skipped, typos are not", "[config]") {
  TestApp t;
  std::string text = "[ptt-taskd.list]\nstate = \"running\"\n[ptt-taskd.spawn]\nmodel = \"m\"\n";
  CHECK_THAT(message_of([&] { config_items_from_toml(t.app, "ptt-taskd", text, "c.toml"); }),
             Catch::Contains("[ptt-taskd.list] is not a subcommand"));
  auto items = config_items_from_toml(t.app, "ptt-taskd", text, "c.toml", nullptr, {"list", "wait"});
  REQUIRE(items.size() == 1);
  CHECK(items[0].parents == std::vector<std::string>{"spawn"});
  CHECK(items[0].inputs == std::vector<std::string>{"m"});
  CHECK_THAT(message_of([&] {
               config_items_from_toml(t.app, "ptt-taskd", "[ptt-taskd.lsit]\nstate = \"x\"\n", "c.toml",
                                      nullptr, {"list"});
             }),
             Catch::Contains("[ptt-taskd.lsit] is not a subcommand"));
}

TEST_CASE("config: keys nested deeper than 512 levels are refused before toml++ builds them",
          "[core][config]") {
  TestApp t;
  auto parse = [&](const std::string& text) {
    return message_of([&] { config_items_from_toml(t.app, "ptt-taskd", text, "c.toml"); });
  };
  std::string dotted;
  for (int i = 0; i < 1'000'000; ++i) dotted += "a.";
  CHECK(parse("[ptt-taskd]\n# a comment\n" + dotted + "a = 1\n") ==
        "c.toml:3: keys or values nested deeper than 512 levels; fix that line (the file is TOML)");
  CHECK(parse("[ptt-taskd." + dotted + "a]\nx = 1\n").rfind("c.toml:1: keys or values nested deeper", 0) ==
        0);
  // Dots, brackets and braces in strings and comments do not count; 512 on a line do not either.
  std::string many(2000, '.');
  CHECK(!ptt::toml_prescan("x = \"" + many + "\"\ny = '" + many + "'\n# " + many + "\n"));
  CHECK(!ptt::toml_prescan("x = \"\"\"\n" + many + "\n\"\"\"\ny = '''" + many + "'''\n"));
  CHECK(!ptt::toml_prescan("x = \"\\\"" + many + "\"\n"));
  CHECK(!ptt::toml_prescan(std::string(512, '.')));
  auto deep = ptt::toml_prescan("ok = 1\n" + std::string(513, '['));
  REQUIRE(deep);
  CHECK(deep->kind == ptt::TomlPrescanFault::Kind::kTooDeep);
  CHECK(deep->line == 2u);
}

TEST_CASE("a non-ASCII character outside strings and comments is refused before toml++ reads it",
          "[core][config]") {
  TestApp t;
  auto parse = [&](const std::string& text) {
    return message_of([&] { config_items_from_toml(t.app, "ptt-taskd", text, "c.toml"); });
  };
  // U+0496 where toml++ 3.3 looks for whitespace reaches __builtin_unreachable() there
  // (fuzz/regressions/fuzz_config/); TOML allows no such character outside strings.
  CHECK(parse("[ptt-taskd]\nsocket\xd2\x96= \"/tmp/s\"\n") ==
        "c.toml:2: a non-ASCII character outside a string or comment (quote a key that needs one); fix that "
        "line (the file is TOML)");
  CHECK(parse("[ptt-taskd\xd2\x96]\n").rfind("c.toml:1: a non-ASCII character", 0) == 0);
  // In strings and comments they are text.
  CHECK(!ptt::toml_prescan("# caf\xc3\xa9 \xd2\x96\nx = \"\xd2\x96\"\ny = '\xd2\x96'\n\"\xd2\x96\" = 1\n"));
  CHECK(!ptt::toml_prescan("x = \"\"\"\n\xd2\x96\n\"\"\"\ny = '''\xd2\x96'''\n"));
  // A string glued to a number: toml++ reads on into it for the number's end.
  CHECK(parse("[ptt-taskd]\nx = [1\"\xd2\x96\"]\n") ==
        "c.toml:2: a string, array or table right after a value (a missing comma or space?); fix that line "
        "(the file is TOML)");
  CHECK(parse("[ptt-taskd]\nx = 1.'\xd2\x96'\n")
            .rfind("c.toml:2: a string, array or table right after a value", 0) == 0);
  CHECK(parse("[ptt-taskd]\nx = [\n 1.'\xd2\x96'\n]\n")
            .rfind("c.toml:3: a string, array or table right after a value", 0) == 0);
  CHECK(parse("t=+{{\"\"\"\xcd\x84\"\"\"}}\n").rfind("c.toml:1: a string, array or table right after", 0) ==
        0);
  CHECK(parse("x = \"\"\"a \\\n\n  \xef\xba\xbf\"\"\"\n")
            .rfind("c.toml:3: a non-ASCII character first after a line-ending", 0) == 0);
  CHECK(!ptt::toml_prescan("x = \"\"\"a \\\n\n  b\xef\xba\xbf \\t\"\"\"\n"));
  CHECK(parse("x = \"\"\"a \\\xce\xa3\"\"\"\n").rfind("c.toml:1: a backslash before a non-ASCII", 0) == 0);
  CHECK(parse("x = \"a \\\xce\xa3\"\n").rfind("c.toml:1: a backslash before a non-ASCII", 0) == 0);
  CHECK(parse("x= 0={'a\xc7\x84"
              "a'}\n")
            .rfind("c.toml:1: a string, array or table right after", 0) == 0);
  CHECK(parse("H.\"\"\"?a.\t\\\t\t\xef\xbb\xbe\t\"\"\" = 1\n")
            .rfind("c.toml:1: a backslash before a non-ASCII", 0) == 0);
  // A control character inside a token would carry toml++ on to the next string.
  CHECK(parse("[ptt-taskd]\nx = 1\x05"
              "a.'''\xd2\x96'''\n") ==
        "c.toml:2: a control character outside a string or comment; fix that line (the file is TOML)");
  // Where TOML allows a string, it is not refused.
  CHECK(!ptt::toml_prescan(
      "\"k\" = \"v\"\na.\"b\" = 'c'\nx = [\"a\",'b', \"c\"]\ny={a=\"b\"}\nz=\"\"\"q\"\"\"\n"));
}
