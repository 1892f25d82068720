#pragma once
// The config file shared by the four tools: one TOML file with a table per tool
// ([ptt-taskd], [ptt-task], [ptt-task.spawn], ...) whose keys are the long flags
// without "--". CLI11 reads it (app.set_config) through our formatter, which
// parses real TOML (toml++) so that every error can name the file and line.
//
// Precedence: flag > environment (an option's ->envname()) > file > default.
// CLI11 2.1 applies the file before the environment, so the formatter drops a
// file entry whose option has its environment variable set.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace ptt {

// $PTT_CONFIG, else $XDG_CONFIG_HOME/ptt/config.toml, else ~/.config/ptt/config.toml.
std::filesystem::path default_config_file();

// A malformed file, or a key no flag has: the message names file and line.
struct ConfigFileError : CLI::ConfigError {
  explicit ConfigFileError(const std::string& message) : CLI::ConfigError(message) {}
};

// Where a value the file applied came from, for error messages.
struct ConfigOrigin {
  std::string flag;  // "--max-running"
  std::string file;
  long line = 0;
};

// Turns the [tool] table of a TOML text into CLI11 items for `app` (a subtable
// for a subcommand gives items with that parent). Throws ConfigFileError.
// Entries for options already given on the command line, or whose environment
// variable is set, are left out (they win over the file). Tables of the
// subcommands in `unbuilt` (known, but not defined in `app` for this run) are skipped.
std::vector<CLI::ConfigItem> config_items_from_toml(const CLI::App& app, std::string_view tool,
                                                    std::string_view toml_text, const std::string& file_name,
                                                    std::vector<ConfigOrigin>* origins = nullptr,
                                                    const std::vector<std::string>& unbuilt = {});

class TomlConfig : public CLI::Config {
 public:
  TomlConfig(const CLI::App& app, std::string tool) : app_(app), tool_(std::move(tool)) {}
  std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                        std::string prefix) const override;
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
  const std::vector<ConfigOrigin>& origins() const { return origins_; }
  // A tool that defines only the subcommand it runs names the others here.
  void skip_subcommand_tables(std::vector<std::string> names) { unbuilt_ = std::move(names); }

 private:
  const CLI::App& app_;
  std::string tool_;
  std::vector<std::string> unbuilt_;
  mutable std::vector<ConfigOrigin> origins_;
};

// Adds --config FILE to `app` and reads the [tool] table from the file at parse
// time (a missing default file is fine; a missing --config or $PTT_CONFIG file is
// an error).
void add_config_file(CLI::App& app, std::string_view tool);

// A CLI11 error about a value the file set gets "(from FILE line N)" appended.
std::string explain_config_origin(const CLI::App& app, const std::string& message);

}  // namespace ptt
