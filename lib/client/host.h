#pragma once
// Which machine's daemon a front end talks to (issue 22, docs/hosts.md): this one, or
// another one reached over ssh, where `ptt-task dial-stdio` bridges the channel to that
// machine's own ptt-taskd. A host is named by `--host`/PTT_HOST as "local", an
// ssh://[user@]host[:port] URL, or the name of a [hosts.NAME] table in the config file:
//
//   [hosts.devbox]
//   url = "ssh://me@devbox.lan"
//   remote-command = "~/.local/bin/ptt-task"   # optional; default "ptt-task"
//
// This file only resolves names and builds the transport's command line; running it is
// the transport's business (client/ssh_transport.h, realtime's daemon client).
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ptt::client {

// A host name or URL that cannot be used; the message says what to do next.
struct HostError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Host {
  std::string name = "local";               // "local", a [hosts.NAME] name, or the URL as given
  std::string url;                          // "ssh://..."; empty for local
  std::string user;                         // empty: ssh's own choice (config, $USER)
  std::string hostname;                     // as ssh takes it: a name, an ssh_config alias, an address
  int port = 0;                             // 0: ssh's own choice
  std::string remote_command = "ptt-task";  // run on the host as `REMOTE_COMMAND dial-stdio`

  bool local() const { return url.empty(); }
  // How a task is named to a person: "" for local, else " on NAME" ("task 3 on devbox").
  std::string on_suffix() const { return local() ? std::string() : " on " + name; }
};

// The [hosts] table of a config file, by name.
using HostTable = std::map<std::string, Host, std::less<>>;

inline constexpr std::string_view kLocalHost = "local";

// Parses "ssh://[user@]host[:port]" (nothing after the authority but an optional "/").
// Throws HostError naming the URL and the expected form.
Host parse_ssh_url(std::string_view url);

// Reads the [hosts] table of a config file's text: each [hosts.NAME] has `url` (required)
// and `remote-command`. Other tables are ignored (config.h reads those). Throws
// HostError naming file and line for a malformed entry.
HostTable read_host_table(std::string_view toml_text, const std::string& file_name);
// The same for a file; a missing file gives an empty table.
HostTable load_host_table(const std::filesystem::path& file);

// "" or "local": this machine; "ssh://...": that URL; anything else: the entry of that
// name in `table`. Throws HostError for an unknown name (listing the names there are).
Host resolve_host(std::string_view spec, const HostTable& table);

// The command line that opens a protocol channel to `host`'s daemon (not for local):
//   ssh [-p PORT] [-l USER] -- HOSTNAME 'REMOTE_COMMAND dial-stdio'
// With `ssh_command` set (PTT_SSH, a command line as git's GIT_SSH_COMMAND) it runs
// through /bin/sh so the user's quoting works: {"/bin/sh", "-c", SSH_COMMAND + " \"$@\"",
// SSH_COMMAND, args...}. REMOTE_COMMAND reaches the remote shell unquoted, so it may
// hold `~` or `env A=1 ptt-task`.
std::vector<std::string> dial_argv(const Host& host, const char* ssh_command);

// The command line that runs `REMOTE_COMMAND ARGS...` on `host` (for the subcommands that
// work on the host's files, e.g. `diff` and `merge` run git there): as dial_argv, with each
// of `args` quoted for the remote shell, and `-t` when `terminal` (a pager, colours and a
// confirmation prompt need the remote side to see a terminal).
std::vector<std::string> remote_run_argv(const Host& host, const char* ssh_command,
                                         const std::vector<std::string>& args, bool terminal);

// `text` quoted for a POSIX shell: 'it'\''s' (plain words stay as they are).
std::string shell_quote(std::string_view text);

}  // namespace ptt::client
