#include "portal/portal_source.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include <poll.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <fmt/format.h>

namespace ptt::hotkey::portal {
namespace {

constexpr const char* kService = "org.freedesktop.portal.Desktop";
constexpr const char* kObject = "/org/freedesktop/portal/desktop";
constexpr const char* kInterface = "org.freedesktop.portal.GlobalShortcuts";
constexpr std::uint64_t kCallTimeoutUsec = 10'000'000;

// Frees an sd-bus error or message at scope end.
struct ScopedError {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  ~ScopedError() { sd_bus_error_free(&e); }
  std::string text(int r) const {
    return e.message ? fmt::format("{}: {}", e.name ? e.name : "error", e.message) : std::strerror(-r);
  }
};
struct ScopedMessage {
  sd_bus_message* m = nullptr;
  ~ScopedMessage() { sd_bus_message_unref(m); }
};

void check(int r, const char* what) {
  if (r < 0) throw PortalRefused(fmt::format("D-Bus: cannot {}: {}", what, std::strerror(-r)));
}

sd_bus* open_session_bus() {
  sd_bus* bus = nullptr;
  int r = sd_bus_open_user(&bus);
  // sd-bus says ENOMEDIUM when it has no address to try at all.
  if (r == -ENOMEDIUM)
    throw PortalUnavailable(
        "no session bus: DBUS_SESSION_BUS_ADDRESS is not set and $XDG_RUNTIME_DIR/bus is missing");
  if (r < 0) throw PortalUnavailable(fmt::format("cannot connect to the session bus: {}", std::strerror(-r)));
  sd_bus_set_method_call_timeout(bus, kCallTimeoutUsec);
  return bus;
}

// The interface's version, or PortalUnavailable saying why there is none.
std::uint32_t global_shortcuts_version(sd_bus* bus) {
  ScopedError error;
  std::uint32_t version = 0;
  int r = sd_bus_get_property_trivial(bus, kService, kObject, kInterface, "version", &error.e, 'u', &version);
  if (r == -EINTR) throw WaitInterrupted{};  // SIGINT/SIGTERM: not an answer about the portal
  if (r < 0) throw PortalUnavailable(fmt::format("{} has no {}: {}", kService, kInterface, error.text(r)));
  return version;
}

// Skips a variant, or reads it as a string when it holds one ("s" or "o").
std::string read_string_variant(sd_bus_message* m) {
  char type = 0;
  const char* contents = nullptr;
  if (sd_bus_message_peek_type(m, &type, &contents) < 0 || !contents ||
      (std::strcmp(contents, "s") != 0 && std::strcmp(contents, "o") != 0)) {
    sd_bus_message_skip(m, "v");
    return "";
  }
  const char* value = nullptr;
  if (sd_bus_message_read(m, "v", contents, &value) < 0 || !value) return "";
  return value;
}

// BindShortcuts' "shortcuts" result: a(sa{sv}), each with a trigger_description.
std::vector<BoundShortcut> read_bound_shortcuts(sd_bus_message* m) {
  std::vector<BoundShortcut> out;
  if (sd_bus_message_enter_container(m, 'v', "a(sa{sv})") <= 0) {
    sd_bus_message_skip(m, "v");
    return out;
  }
  sd_bus_message_enter_container(m, 'a', "(sa{sv})");
  while (sd_bus_message_enter_container(m, 'r', "sa{sv}") > 0) {
    const char* id = nullptr;
    sd_bus_message_read(m, "s", &id);
    BoundShortcut b{id ? id : "", ""};
    sd_bus_message_enter_container(m, 'a', "{sv}");
    while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
      const char* key = nullptr;
      sd_bus_message_read(m, "s", &key);
      if (key && std::strcmp(key, "trigger_description") == 0) {
        b.trigger_description = read_string_variant(m);
      } else {
        sd_bus_message_skip(m, "v");
      }
      sd_bus_message_exit_container(m);
    }
    sd_bus_message_exit_container(m);
    sd_bus_message_exit_container(m);
    out.push_back(std::move(b));
  }
  sd_bus_message_exit_container(m);
  sd_bus_message_exit_container(m);
  return out;
}

// Sends a portal method call and waits for its reply (the Request handle, which we
// already know). SIGINT/SIGTERM interrupt the wait (EINTR): that is WaitInterrupted.
void call_portal(sd_bus* bus, sd_bus_message* call, const char* name) {
  ScopedMessage reply;
  ScopedError error;
  int r = sd_bus_call(bus, call, 0, &error.e, &reply.m);
  if (r == -EINTR) throw WaitInterrupted{};
  if (r < 0) throw PortalRefused(fmt::format("the desktop portal failed {}: {}", name, error.text(r)));
}

int response_signal(sd_bus_message* m, void* self, sd_bus_error*) {
  std::uint32_t code = 2;
  std::string session_handle;
  std::vector<BoundShortcut> bound;
  if (sd_bus_message_read(m, "u", &code) < 0 || sd_bus_message_enter_container(m, 'a', "{sv}") < 0) code = 2;
  while (code == 0 && sd_bus_message_enter_container(m, 'e', "sv") > 0) {
    const char* key = nullptr;
    sd_bus_message_read(m, "s", &key);
    std::string k = key ? key : "";
    if (k == "session_handle") {
      session_handle = read_string_variant(m);
    } else if (k == "shortcuts") {
      bound = read_bound_shortcuts(m);
    } else {
      sd_bus_message_skip(m, "v");
    }
    sd_bus_message_exit_container(m);
  }
  static_cast<PortalSource*>(self)->on_response(sd_bus_message_get_path(m), code, session_handle, bound);
  return 0;
}

int shortcut_signal(sd_bus_message* m, void* self, sd_bus_error*) {
  const char* session = nullptr;
  const char* id = nullptr;
  std::uint64_t timestamp = 0;
  if (sd_bus_message_read(m, "ost", &session, &id, &timestamp) < 0) return 0;
  static_cast<PortalSource*>(self)->on_shortcut_signal(sd_bus_message_get_member(m), session, id);
  return 0;
}

int closed_signal(sd_bus_message* m, void* self, sd_bus_error*) {
  static_cast<PortalSource*>(self)->on_closed(sd_bus_message_get_path(m));
  return 0;
}

}  // namespace

PortalSource::PortalSource(const ShortcutSpec& spec, int interrupt_fd, std::chrono::milliseconds timeout) {
  bus_ = open_session_bus();
  // A constructor that throws runs no destructor: the bus is closed here, or it leaks.
  try {
    handshake(spec, interrupt_fd, timeout);
  } catch (...) {
    sd_bus_flush_close_unref(bus_);
    bus_ = nullptr;
    throw;
  }
}

void PortalSource::handshake(const ShortcutSpec& spec, int interrupt_fd, std::chrono::milliseconds timeout) {
  global_shortcuts_version(bus_);
  const char* unique = nullptr;
  check(sd_bus_get_unique_name(bus_, &unique), "read our bus name");
  session_ = std::make_unique<ShortcutSession>(spec, unique, fmt::format("ptt_listen_{}", ::getpid()));
  // Subscribed before each call, so a quick Response cannot pass unseen.
  for (const char* member : {"Activated", "Deactivated"})
    check(sd_bus_match_signal(bus_, nullptr, nullptr, kObject, kInterface, member, shortcut_signal, this),
          "subscribe to the shortcut signals");
  create_session();
  wait_while(ShortcutSession::Stage::kCreating, interrupt_fd, timeout, "CreateSession");
  check(sd_bus_match_signal(bus_, nullptr, nullptr, session_->session_handle().c_str(),
                            "org.freedesktop.portal.Session", "Closed", closed_signal, this),
        "subscribe to the session's end");
  bind_shortcut();
  wait_while(ShortcutSession::Stage::kBinding, interrupt_fd, timeout, "BindShortcuts");
}

PortalSource::~PortalSource() {
  // Closing the connection ends the portal session too; flush what is queued first.
  if (bus_) sd_bus_flush_close_unref(bus_);
}

void PortalSource::create_session() {
  check(sd_bus_match_signal(bus_, nullptr, nullptr, session_->create_request_path().c_str(),
                            "org.freedesktop.portal.Request", "Response", response_signal, this),
        "subscribe to the portal's answer");
  ScopedMessage call;
  check(sd_bus_message_new_method_call(bus_, &call.m, kService, kObject, kInterface, "CreateSession"),
        "build CreateSession");
  check(
      sd_bus_message_append(call.m, "a{sv}", 2, "handle_token", "s", session_->create_handle_token().c_str(),
                            "session_handle_token", "s", session_->session_handle_token().c_str()),
      "build CreateSession");
  call_portal(bus_, call.m, "CreateSession");
}

void PortalSource::bind_shortcut() {
  check(sd_bus_match_signal(bus_, nullptr, nullptr, session_->bind_request_path().c_str(),
                            "org.freedesktop.portal.Request", "Response", response_signal, this),
        "subscribe to the portal's answer");
  const ShortcutSpec& spec = session_->spec();
  ScopedMessage call;
  check(sd_bus_message_new_method_call(bus_, &call.m, kService, kObject, kInterface, "BindShortcuts"),
        "build BindShortcuts");
  int r = sd_bus_message_append(call.m, "o", session_->session_handle().c_str());
  if (r >= 0) r = sd_bus_message_open_container(call.m, 'a', "(sa{sv})");
  if (r >= 0) r = sd_bus_message_open_container(call.m, 'r', "sa{sv}");
  if (r >= 0) r = sd_bus_message_append(call.m, "s", spec.id.c_str());
  if (r >= 0 && spec.preferred_trigger.empty())
    r = sd_bus_message_append(call.m, "a{sv}", 1, "description", "s", spec.description.c_str());
  else if (r >= 0)
    r = sd_bus_message_append(call.m, "a{sv}", 2, "description", "s", spec.description.c_str(),
                              "preferred_trigger", "s", spec.preferred_trigger.c_str());
  if (r >= 0) r = sd_bus_message_close_container(call.m);
  if (r >= 0) r = sd_bus_message_close_container(call.m);
  // No parent window: ptt-listen has none.
  if (r >= 0)
    r = sd_bus_message_append(call.m, "sa{sv}", "", 1, "handle_token", "s",
                              session_->bind_handle_token().c_str());
  check(r, "build BindShortcuts");
  call_portal(bus_, call.m, "BindShortcuts");
}

void PortalSource::wait_while(ShortcutSession::Stage stage, int interrupt_fd,
                              std::chrono::milliseconds timeout, const char* call) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (session_->stage() == stage) {
    int r = sd_bus_process(bus_, nullptr);
    rethrow_failure();
    if (r < 0)
      throw PortalRefused(fmt::format("lost the session bus during {}: {}", call, std::strerror(-r)));
    if (r > 0) continue;  // more may be queued
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      throw PortalRefused(fmt::format("the desktop portal did not answer {} within {} s; {}", call,
                                      timeout.count() / 1000, "is a dialog waiting for you?"));
    pollfd fds[2] = {{sd_bus_get_fd(bus_), static_cast<short>(sd_bus_get_events(bus_)), 0},
                     {interrupt_fd, POLLIN, 0}};
    if (::poll(fds, interrupt_fd >= 0 ? 2 : 1, static_cast<int>(left.count())) < 0 && errno != EINTR)
      throw PortalRefused(fmt::format("poll: {}", std::strerror(errno)));
    if (interrupt_fd >= 0 && fds[1].revents) throw WaitInterrupted{};
  }
}

void PortalSource::on_response(const std::string& path, std::uint32_t code, const std::string& session_handle,
                               const std::vector<BoundShortcut>& bound) {
  // Called from inside sd-bus (C): nothing may be thrown through it, so a refusal waits
  // in failure_ until sd_bus_process has returned.
  try {
    if (path == session_->create_request_path()) session_->on_session_created(code, session_handle);
    if (path == session_->bind_request_path()) session_->on_shortcuts_bound(code, bound);
  } catch (...) {
    failure_ = std::current_exception();
  }
}

void PortalSource::rethrow_failure() {
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

void PortalSource::on_shortcut_signal(const std::string& member, const std::string& session,
                                      const std::string& id) {
  if (auto e = session_->on_signal(member, session, id)) pending_.push_back(*e);
}

void PortalSource::on_closed(const std::string& path) {
  if (path == session_->session_handle()) closed_ = true;
}

std::vector<int> PortalSource::fds() const { return {sd_bus_get_fd(bus_)}; }

void PortalSource::on_readable(int, std::vector<HotkeyEvent>& out) {
  int r;
  while ((r = sd_bus_process(bus_, nullptr)) > 0) {
  }
  out.insert(out.end(), pending_.begin(), pending_.end());
  pending_.clear();
  if (r < 0)
    throw PortalRefused(
        fmt::format("lost the session bus ({}); the portal shortcut no longer works; start "
                    "ptt-listen again",
                    std::strerror(-r)));
  if (closed_) session_->on_session_closed();
}

PortalProbe probe_global_shortcuts() {
  PortalProbe p;
  sd_bus* bus = nullptr;
  try {
    bus = open_session_bus();
    p.version = global_shortcuts_version(bus);
    p.available = true;
  } catch (const std::exception& e) {
    p.error = e.what();
  }
  if (bus) sd_bus_flush_close_unref(bus);
  return p;
}

}  // namespace ptt::hotkey::portal
