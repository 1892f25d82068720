#include "taskcli/doctor.h"

#include <fmt/format.h>

#include <tuple>

#include "core/ndjson.h"
#include "core/openai_models.h"

namespace ptt::taskcli::doctor {
namespace {

Check ok(std::string name, std::string detail) {
  return {std::move(name), Verdict::kOk, std::move(detail), ""};
}
Check warn(std::string name, std::string detail, std::string fix) {
  return {std::move(name), Verdict::kWarn, std::move(detail), std::move(fix)};
}
Check failed(std::string name, std::string detail, std::string fix) {
  return {std::move(name), Verdict::kFail, std::move(detail), std::move(fix)};
}

constexpr const char* kInstallClaude =
    "install Claude Code (npm install -g @anthropic-ai/claude-code), or point PTT_CLAUDE or "
    "`ptt-taskd --claude` (config: [ptt-taskd] claude) at it";

Check claude_check(const ClaudeFacts& c) {
  if (c.resolved.empty()) {
    return failed("claude", fmt::format("`{}` not found ({})", c.requested, c.source), kInstallClaude);
  }
  if (!c.version_ran) {
    return failed(
        "claude", fmt::format("{} does not run: {}", c.resolved, c.run_error),
        "check that it is executable and starts (`" + c.resolved + " --version`); " + kInstallClaude);
  }
  std::string found =
      fmt::format("{} ({})", c.resolved, c.version.empty() ? "no version printed" : c.version);
  if (!c.help_ran) {
    return warn("claude", found + "; could not read --help to check for stream-json",
                "run `" + c.resolved + " --help` and check it lists --output-format stream-json");
  }
  if (!c.stream_json) {
    return failed("claude", found + "; its --help does not mention --output-format stream-json",
                  "ptt-taskd runs `claude -p … --output-format stream-json --verbose`: upgrade "
                  "(npm install -g @anthropic-ai/claude-code@latest)");
  }
  return ok("claude", found + ", stream-json supported");
}

Check key_check(const KeyFacts& k) {
  if (!k.present) {
    return warn("OPENAI_API_KEY", "not set (only ptt-realtime needs it)",
                "export OPENAI_API_KEY=sk-... (a key with Realtime access) in your shell profile");
  }
  if (k.has_whitespace) {
    return warn("OPENAI_API_KEY", "set, but it contains whitespace (a pasted newline?)",
                "set it again without spaces or line breaks");
  }
  return ok("OPENAI_API_KEY", "set");
}

Check audio_check(const AudioFacts& a) {
  if (!a.error.empty()) {
    return warn("audio input", "cannot list audio devices: " + a.error,
                "check the sound system (PipeWire/PulseAudio/ALSA: `arecord -l`); ptt-listen --file X.wav "
                "works without one");
  }
  if (a.input_devices == 0) {
    return warn("audio input", "no input devices",
                "plug in or enable a microphone (`arecord -l`, pavucontrol); ptt-listen --file X.wav works "
                "without one");
  }
  return ok("audio input",
            fmt::format("{} input device{}{}", a.input_devices, a.input_devices == 1 ? "" : "s",
                        a.default_input.empty() ? "" : ", default: " + a.default_input));
}

Check keyboard_check(const KeyboardFacts& k) {
  const std::string other_hotkeys =
      "or use `ptt-listen --hotkey signal` (compositor bindings) or --hotkey tty";
  const std::string join_group =
      k.listed_in_input_group && !k.in_input_group
          ? "you are in the `input` group but this login is not: log out and in again, "
          : "join the `input` group (sudo usermod -aG input $USER, then log in again), ";
  if (!k.dir_exists || k.event_nodes == 0) {
    return warn("keyboard",
                fmt::format("no input devices under {} (a container or a remote session?)", k.dir),
                "the evdev hotkey needs a local keyboard; " + other_hotkeys);
  }
  if (k.keyboards > 0) {
    return ok("keyboard", fmt::format("{} readable keyboard{} under {} (e.g. {})", k.keyboards,
                                      k.keyboards == 1 ? "" : "s", k.dir, k.first_keyboard));
  }
  if (k.unreadable > 0) {
    return warn("keyboard",
                fmt::format("{} of {} input devices under {} are not readable by you", k.unreadable,
                            k.event_nodes, k.dir),
                join_group + other_hotkeys);
  }
  return warn("keyboard",
              fmt::format("no keyboard among the {} readable input devices under {}", k.event_nodes, k.dir),
              "connect a keyboard, " + other_hotkeys);
}

// Optional: only --hotkey portal needs it, so a warning at worst.
Check portal_check(const PortalFacts& p) {
  if (!p.error.empty())
    return warn("hotkey portal", "cannot ask: " + p.error, "install ptt-listen next to ptt-task");
  if (p.available)
    return ok(
        "hotkey portal",
        fmt::format("GlobalShortcuts version {} on the session bus (ptt-listen --hotkey portal)", p.version));
  return warn("hotkey portal", "no desktop portal with GlobalShortcuts: " + p.why,
              "only ptt-listen --hotkey portal needs it: on GNOME 48+, KDE Plasma or Hyprland install "
              "xdg-desktop-portal and the desktop's backend (xdg-desktop-portal-gnome, -kde or -hyprland); "
              "elsewhere use --hotkey signal, evdev or tty");
}

Check daemon_check(const DaemonFacts& d) {
  if (d.reachable) {
    return ok("daemon",
              fmt::format("{} (pid {}) at {}", d.server.empty() ? "ptt-taskd" : d.server, d.pid, d.socket));
  }
  if (d.nobody_listens) {
    return warn("daemon", "not running at " + d.socket,
                "it starts on first use (any ptt-task command without --no-autostart); or run `ptt-taskd &`");
  }
  if (d.not_answering) {
    std::string who = d.pid > 0 ? fmt::format("ptt-taskd (pid {})", d.pid) : std::string("the daemon");
    if (d.stopped) {
      return failed(
          "daemon", fmt::format("{} at {} does not answer: it is stopped", who, d.socket),
          fmt::format("resume it with `kill -CONT {}`; or end it (`kill -9 {}`) and run any ptt-task "
                      "command to start a new one",
                      d.pid, d.pid));
    }
    return failed("daemon", fmt::format("{} at {} does not answer in time (busy or stuck)", who, d.socket),
                  "look at its log (taskd.log in the state dir), then restart it: end it (`kill` its pid) "
                  "and run any ptt-task command to start a new one");
  }
  return failed(
      "daemon", fmt::format("{} does not answer properly: {}", d.socket, d.error),
      "stop whatever holds the socket, or restart the daemon (`ptt-task shutdown`, then any ptt-task "
      "command)");
}

Check state_dir_check(const StateDirFacts& s) {
  if (!s.writable) {
    return failed("state dir", fmt::format("{} is not writable: {}", s.path, s.error),
                  "fix its permissions (chmod u+rwx), or choose another with PTT_STATE_DIR or "
                  "`ptt-taskd --state-dir`");
  }
  return ok("state dir",
            s.exists ? s.path + " is writable" : s.path + " will be created (its parent is writable)");
}

// Only `spawn --sandbox` (or `ptt-taskd --sandbox`) needs it: a warning, never a failure.
Check sandbox_check(const SandboxFacts& s) {
  if (s.bwrap.empty() || s.socat.empty()) {
    std::string missing = s.bwrap.empty() && s.socat.empty() ? "bubblewrap (bwrap) and socat are"
                          : s.bwrap.empty()                  ? "bubblewrap (bwrap) is"
                                                             : "socat is";
    return warn("sandbox", missing + " not installed: a --sandbox task fails (sandbox_unavailable)",
                "sudo apt-get install bubblewrap socat (needed only for spawn --sandbox)");
  }
  if (!s.bwrap_ran) {
    return warn(
        "sandbox", fmt::format("{} cannot create namespaces here: {}", s.bwrap, s.bwrap_error),
        "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu "
        "kernel.apparmor_restrict_unprivileged_userns=0), or in a container run it with them; until then "
        "a --sandbox task fails (sandbox_unavailable)");
  }
  return ok("sandbox", fmt::format("{} makes namespaces, socat at {}", s.bwrap, s.socat));
}

const char* verdict_name(Verdict v) {
  return v == Verdict::kOk ? "ok" : v == Verdict::kWarn ? "warn" : "fail";
}
const char* verdict_color(Verdict v) {
  return v == Verdict::kOk ? "\033[32m" : v == Verdict::kWarn ? "\033[33m" : "\033[31m";
}

}  // namespace

namespace {

// The shutdown list is the openai package's (core/openai_models.h).
Check models_check(const ModelFacts& m) {
  std::string deprecated, fixes;
  for (auto [key, model, current] :
       {std::tuple{"model", m.realtime_model, openai::kDefaultRealtimeModel},
        std::tuple{"transcribe-model", m.transcription_model, openai::kDefaultTranscriptionModel}}) {
    const openai::DeprecatedModel* old = openai::find_deprecated(model);
    if (!old) continue;
    deprecated +=
        fmt::format("{}{} is deprecated (shutdown {})", deprecated.empty() ? "" : "; ", model, old->shutdown);
    fixes += fmt::format("{}{} = \"{}\"", fixes.empty() ? "" : ", ", key, current);
  }
  if (!deprecated.empty())
    return warn("models", fmt::format("{} (set in {})", deprecated, m.config_file),
                fmt::format("set {} in the [ptt-realtime] table of {}, or remove the key for the default",
                            fixes, m.config_file));
  return ok("models",
            fmt::format(
                "{}, {}", m.realtime_model.empty() ? openai::kDefaultRealtimeModel : m.realtime_model,
                m.transcription_model.empty() ? openai::kDefaultTranscriptionModel : m.transcription_model));
}

}  // namespace

std::vector<Check> diagnose(const Facts& f) {
  return {claude_check(f.claude),     key_check(f.key),
          models_check(f.models),     audio_check(f.audio),
          keyboard_check(f.keyboard), portal_check(f.portal),
          daemon_check(f.daemon),     state_dir_check(f.state_dir),
          sandbox_check(f.sandbox)};
}

std::vector<Check> diagnose_on_host(const Facts& f) {
  return {claude_check(f.claude), daemon_check(f.daemon), state_dir_check(f.state_dir),
          sandbox_check(f.sandbox)};
}

std::string on_host_preamble(const std::string& host) {
  return fmt::format(
      "checks on {}, for its ptt-taskd (run there over ssh)\n"
      "not checked there: OPENAI_API_KEY, models, audio input, keyboard, hotkey portal (ptt-realtime and "
      "ptt-listen run on your own machine: `ptt-task --host local doctor` checks them)\n",
      host);
}

std::string render_checks(const std::vector<Check>& checks, const Style& style) {
  std::string out;
  for (const auto& c : checks) {
    std::string label = fmt::format("{:<4}", verdict_name(c.verdict));
    if (style.color) label = std::string(verdict_color(c.verdict)) + label + "\033[0m";
    out += fmt::format("{} {:<15} {}\n", label, c.name, c.detail);
    if (!c.fix.empty()) out += fmt::format("     fix: {}\n", c.fix);
  }
  int failures = 0, warnings = 0;
  for (const auto& c : checks) {
    failures += c.verdict == Verdict::kFail;
    warnings += c.verdict == Verdict::kWarn;
  }
  out += fmt::format("{} failed, {} warning{}\n", failures, warnings, warnings == 1 ? "" : "s");
  return out;
}

std::string render_checks_ndjson(const std::vector<Check>& checks) {
  std::string out;
  for (const auto& c : checks) {
    nlohmann::json j = {{"check", c.name}, {"status", verdict_name(c.verdict)}, {"detail", c.detail}};
    j["fix"] = c.fix.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.fix);
    out += j.dump() + "\n";
  }
  return out;
}

int exit_status(const std::vector<Check>& checks) {
  for (const auto& c : checks)
    if (c.verdict == Verdict::kFail) return 1;
  return 0;
}

}  // namespace ptt::taskcli::doctor
