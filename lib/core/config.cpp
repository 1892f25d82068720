#include "core/config.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/paths.h"
#include "core/toml_prescan.h"

namespace ptt {
namespace {

constexpr std::string_view kTools[] = {"ptt-listen", "ptt-realtime", "ptt-task", "ptt-taskd"};

bool env_set(const std::string& name) {
  const char* v = name.empty() ? nullptr : std::getenv(name.c_str());
  return v && *v;
}

std::string table_name(std::string_view tool, const std::vector<std::string>& parents) {
  std::string name(tool);
  for (const auto& p : parents) name += "." + p;
  return name;
}

// A scalar TOML value as the text a flag would have been given.
bool scalar_text(const toml::node& node, std::string& out) {
  if (auto s = node.as_string()) {
    out = s->get();
  } else if (auto i = node.as_integer()) {
    out = std::to_string(i->get());
  } else if (auto f = node.as_floating_point()) {
    out = fmt::format("{}", f->get());
  } else if (auto b = node.as_boolean()) {
    out = b->get() ? "true" : "false";
  } else {
    return false;
  }
  return true;
}

const CLI::App* find_subcommand(const CLI::App& app, const std::string& name) {
  auto found = app.get_subcommands([&](const CLI::App* s) { return s->get_name() == name; });
  return found.empty() ? nullptr : found.front();
}

bool is_configurable(const CLI::App& app, const CLI::Option* op) {
  return op && op->nonpositional() && op->get_configurable() && op != app.get_help_ptr() &&
         op != app.get_version_ptr() && op != app.get_config_ptr();
}

struct Reader {
  const CLI::App& root;
  std::string_view tool;
  const std::string& file;
  std::vector<CLI::ConfigItem> items;
  std::vector<ConfigOrigin>* origins;
  const std::vector<std::string>& unbuilt;

  [[noreturn]] void fail(const toml::source_region& where, const std::string& what) const {
    throw ConfigFileError(fmt::format("{}:{}: {}", file, where.begin.line, what));
  }

  void read_table(const toml::table& table, const CLI::App& app, const std::vector<std::string>& parents) {
    for (auto&& [key, node] : table) {
      std::string name(key.str());
      if (node.is_table()) {
        const CLI::App* sub = find_subcommand(app, name);
        if (!sub && parents.empty() && std::find(unbuilt.begin(), unbuilt.end(), name) != unbuilt.end()) {
          continue;  // another subcommand's settings: not this run's business
        }
        if (!sub) {
          fail(key.source(), fmt::format("[{}] is not a subcommand of {}; remove it or check the spelling",
                                         table_name(tool, parents) + "." + name, tool));
        }
        auto sub_parents = parents;
        sub_parents.push_back(name);
        read_table(*node.as_table(), *sub, sub_parents);
        continue;
      }
      const CLI::Option* op = app.get_option_no_throw("--" + name);
      if (!is_configurable(app, op)) {
        fail(key.source(),
             fmt::format("unknown key '{}' in [{}]; keys are the long flags without \"--\" "
                         "(see `{}{} --help`)",
                         name, table_name(tool, parents), tool, parents.empty() ? "" : " " + parents.back()));
      }
      std::vector<std::string> inputs;
      std::string text;
      if (auto array = node.as_array()) {
        for (const auto& element : *array) {
          if (!scalar_text(element, text))
            fail(element.source(), fmt::format("'{}' takes a list of plain values", name));
          inputs.push_back(text);
        }
      } else if (scalar_text(node, text)) {
        inputs.push_back(text);
      } else {
        fail(key.source(), fmt::format("'{}' needs a string, number, boolean or list", name));
      }
      if (op->get_expected_min() == 0 && !node.is_boolean()) {
        fail(key.source(), fmt::format("'{}' is a switch: write {} = true or false", name, name));
      }
      // The command line and the environment win over the file.
      if (op->count() > 0 || env_set(op->get_envname())) continue;
      CLI::ConfigItem item;
      item.parents = parents;
      item.name = name;
      item.inputs = std::move(inputs);
      items.push_back(std::move(item));
      if (origins) origins->push_back({"--" + name, file, static_cast<long>(key.source().begin.line)});
    }
  }
};

}  // namespace

std::filesystem::path default_config_file() {
  if (const char* p = std::getenv("PTT_CONFIG"); p && *p) return p;
  return default_config_dir() / "config.toml";
}

std::vector<CLI::ConfigItem> config_items_from_toml(const CLI::App& app, std::string_view tool,
                                                    std::string_view toml_text, const std::string& file_name,
                                                    std::vector<ConfigOrigin>* origins,
                                                    const std::vector<std::string>& unbuilt) {
  if (auto fault = toml_prescan(toml_text))
    throw ConfigFileError(fmt::format("{}:{}: {}; fix that line (the file is TOML)", file_name, fault->line,
                                      toml_prescan_fault_text(fault->kind)));
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(file_name));
  } catch (const toml::parse_error& e) {
    throw ConfigFileError(fmt::format("{}:{}: {}; fix that line (the file is TOML)", file_name,
                                      e.source().begin.line, e.description()));
  }
  Reader reader{app, tool, file_name, {}, origins, unbuilt};
  for (auto&& [key, node] : root) {
    std::string name(key.str());
    if (name == "hosts" && node.is_table()) continue;  // [hosts.NAME]: client/host.h reads them
    bool known = std::find(std::begin(kTools), std::end(kTools), name) != std::end(kTools);
    if (!node.is_table() || !known) {
      reader.fail(
          key.source(),
          node.is_table()
              ? fmt::format("unknown table [{}]; tables are [ptt-listen], [ptt-realtime], [ptt-task], "
                            "[ptt-taskd] and [hosts.NAME]",
                            name)
              : fmt::format("'{}' is outside a tool's table; put it under [ptt-listen], "
                            "[ptt-realtime], [ptt-task] or [ptt-taskd]",
                            name));
    }
    if (name == tool) reader.read_table(*node.as_table(), app, {});
  }
  return std::move(reader.items);
}

std::string TomlConfig::to_config(const CLI::App* app, bool default_also, bool write_description,
                                  std::string prefix) const {
  return CLI::ConfigTOML().to_config(app, default_also, write_description, std::move(prefix));
}

std::vector<CLI::ConfigItem> TomlConfig::from_config(std::istream& input) const {
  // CLI11 opens the file it took from --config (or its default) and hands us the stream.
  const CLI::Option* config = app_.get_config_ptr();
  std::string file = config ? config->as<std::string>() : std::string("config file");
  std::string text{std::istreambuf_iterator<char>(input), std::istreambuf_iterator<char>()};
  return config_items_from_toml(app_, tool_, text, file, &origins_, unbuilt_);
}

void add_config_file(CLI::App& app, std::string_view tool) {
  bool from_env = std::getenv("PTT_CONFIG") && *std::getenv("PTT_CONFIG");
  app.config_formatter(std::make_shared<TomlConfig>(app, std::string(tool)));
  app.set_config("--config", default_config_file().string(),
                 fmt::format("Read settings from this TOML file, table [{}] ($PTT_CONFIG)", tool), from_env)
      ->type_name("FILE");
}

std::string explain_config_origin(const CLI::App& app, const std::string& message) {
  auto config = std::dynamic_pointer_cast<TomlConfig>(app.get_config_formatter());
  if (!config) return message;
  for (const auto& origin : config->origins()) {
    auto at = message.find(origin.flag);
    // Whole flag names only: --max-turns must not match --max-turns-x.
    bool whole = at != std::string::npos &&
                 (at + origin.flag.size() == message.size() ||
                  !(std::isalnum(static_cast<unsigned char>(message[at + origin.flag.size()])) ||
                    message[at + origin.flag.size()] == '-'));
    if (whole) return fmt::format("{}; fix {} line {}", message, origin.file, origin.line);
  }
  return message;
}

}  // namespace ptt
