#pragma once
// Where ptt keeps things, following the XDG base-directory spec and DESIGN.md.
#include <filesystem>

namespace ptt {

// $PTT_SOCKET, else $XDG_RUNTIME_DIR/ptt/taskd.sock, else /tmp/ptt-$UID/taskd.sock.
std::filesystem::path default_socket_path();
// $PTT_STATE_DIR, else $XDG_STATE_HOME/ptt, else ~/.local/state/ptt.
std::filesystem::path default_state_dir();
// $XDG_CONFIG_HOME/ptt, else ~/.config/ptt.
std::filesystem::path default_config_dir();

// Creates the missing parts of `dir`, each with mode 0700; existing directories are
// left untouched. Throws std::filesystem::filesystem_error on failure.
void ensure_private_dir(const std::filesystem::path& dir);

}  // namespace ptt
