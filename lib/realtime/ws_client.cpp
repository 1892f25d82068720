#include "realtime/ws_client.h"

// libuv first: libwebsockets' headers only declare their uv glue when uv.h is in.
#include <uv.h>

#include <libwebsockets.h>

#include <curl/curl.h>

#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>

#include <fmt/format.h>

namespace ptt::realtime {

namespace {

// Why a TCP connect failed ("connection refused"), from the socket itself: lws 4.1 on
// libuv says only "closed before established". Empty when the socket has no error.
std::string socket_error(lws* wsi) {
  int fd = wsi ? static_cast<int>(lws_get_socket_fd(wsi)) : -1;
  int err = 0;
  socklen_t len = sizeof err;
  if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err == 0) return {};
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

int protocol_callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len) {
  (void)user;
  auto* self = static_cast<WsClient*>(lws_get_opaque_user_data(wsi));
  if (!self) return lws_callback_http_dummy(wsi, reason, user, in, len);
  return self->handle(wsi, static_cast<int>(reason), in, len);
}

const lws_protocols kProtocols[] = {
    {"ptt-realtime", protocol_callback, 0, 64 * 1024, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

}  // namespace

bool parse_ws_url(const std::string& url, WsEndpoint& out, std::string& error) {
  if (url.rfind("wss://", 0) == 0) {
    out.tls = true;
    out.port = 443;
  } else if (url.rfind("ws://", 0) == 0) {
    out.tls = false;
    out.port = 80;
  } else {
    error = fmt::format("'{}' is not a ws:// or wss:// URL", url);
    return false;
  }
  // libcurl's URL parser (this libcurl may not speak WebSocket itself, hence
  // NON_SUPPORT_SCHEME; the default ports are set above).
  std::unique_ptr<CURLU, void (*)(CURLU*)> parsed(curl_url(), curl_url_cleanup);
  if (!parsed) {
    error = "out of memory";
    return false;
  }
  CURLUcode rc = curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (rc == CURLUE_BAD_PORT_NUMBER) {
    error = fmt::format("bad port in '{}'", url);
    return false;
  }
  auto part = [&](CURLUPart which) -> std::optional<std::string> {
    char* text = nullptr;
    if (curl_url_get(parsed.get(), which, &text, 0) != CURLUE_OK || !text) return std::nullopt;
    std::string value = text;
    curl_free(text);
    return value;
  };
  if (rc != CURLUE_OK && rc != CURLUE_NO_HOST) {
    error = fmt::format("'{}' is not a valid URL ({})", url, curl_url_strerror(rc));
    return false;
  }
  std::optional<std::string> host = rc == CURLUE_OK ? part(CURLUPART_HOST) : std::nullopt;
  if (!host || host->empty()) {
    error = fmt::format("no host in '{}'", url);
    return false;
  }
  out.host = *host;
  if (auto port = part(CURLUPART_PORT)) out.port = std::atoi(port->c_str());
  out.path = part(CURLUPART_PATH).value_or("/");
  if (auto query = part(CURLUPART_QUERY)) out.path += "?" + *query;
  return true;
}

WsClient::WsClient(uv_loop_t* loop, WsEndpoint endpoint, std::string bearer_token, Callbacks callbacks)
    : loop_(loop),
      endpoint_(std::move(endpoint)),
      bearer_(std::move(bearer_token)),
      callbacks_(std::move(callbacks)) {
  // Failures are reported through on_closed, in ptt's words; PTT_LWS_DEBUG shows lws's own.
  const char* debug = std::getenv("PTT_LWS_DEBUG");
  lws_set_log_level(debug && *debug ? std::atoi(debug) : 0, nullptr);
  lws_context_creation_info info;
  std::memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = kProtocols;
  info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  static void* foreign_loops[1];
  foreign_loops[0] = loop_;
  info.foreign_loops = foreign_loops;
  // Peers are always verified (certificate chain and host name): against --ca-file,
  // else the system's CA bundle.
  if (!endpoint_.ca_file.empty())
    info.client_ssl_ca_filepath = endpoint_.ca_file.c_str();
  else if (std::filesystem::exists("/etc/ssl/certs/ca-certificates.crt"))
    info.client_ssl_ca_filepath = "/etc/ssl/certs/ca-certificates.crt";
  context_ = lws_create_context(&info);
}

WsClient::~WsClient() { destroy(); }

void WsClient::destroy() {
  if (!context_) return;
  callbacks_ = {};  // nothing is reported during teardown
  lws_context* context = std::exchange(context_, nullptr);
  // On a foreign libuv loop the first call only starts the teardown: libuv closes
  // handles asynchronously, so the loop must run until lws's handles are closed,
  // and a second call then frees the context, its vhost and the SSL_CTX (lws 4.1
  // never finishes by itself on a foreign loop: warmcat/libwebsockets#1969, #2595).
  lws_context_destroy(context);
  uv_run(loop_, UV_RUN_DEFAULT);  // returns once no handle is left (blocks, never spins)
  lws_context_destroy(context);
}

void WsClient::connect() {
  if (!context_ || active_) return;
  lws_client_connect_info ci;
  std::memset(&ci, 0, sizeof ci);
  ci.context = context_;
  ci.address = endpoint_.host.c_str();
  ci.port = endpoint_.port;
  ci.path = endpoint_.path.c_str();
  ci.host = endpoint_.host.c_str();
  ci.origin = endpoint_.host.c_str();
  ci.ssl_connection = endpoint_.tls ? LCCSCF_USE_SSL : 0;  // full verification: no ALLOW_* flags
  ci.protocol = nullptr;
  ci.local_protocol_name = kProtocols[0].name;
  ci.opaque_user_data = this;
  closing_ = false;
  active_ = true;
  rx_.clear();
  rx_overflow_ = false;
  lws* wsi = lws_client_connect_via_info(&ci);
  // lws reports most failures through CONNECTION_ERROR (possibly before returning);
  // a NULL with the attempt still active failed before any callback.
  if (!wsi && active_) closed(0, "could not start the connection");
  if (wsi && active_) wsi_ = wsi;
}

void WsClient::send(const std::string& text) {
  if (!open_ || !wsi_) return;
  std::string framed(LWS_PRE, '\0');
  framed += text;
  outbox_.push_back(std::move(framed));
  lws_callback_on_writable(wsi_);
}

void WsClient::close() {
  if (!wsi_) return;
  closing_ = true;
  lws_callback_on_writable(wsi_);  // the close goes out from the writeable callback
}

void WsClient::closed(int http_status, const std::string& reason) {
  if (!active_) return;  // one report per connection attempt
  active_ = false;
  open_ = false;
  wsi_ = nullptr;
  outbox_.clear();
  rx_.clear();
  if (callbacks_.on_closed) callbacks_.on_closed(http_status, reason);
}

int WsClient::handle(lws* wsi, int reason, void* in, std::size_t len) {
  switch (static_cast<lws_callback_reasons>(reason)) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
      auto** p = static_cast<unsigned char**>(in);
      unsigned char* end = *p + len;
      std::string value = "Bearer " + bearer_;
      if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
                                       reinterpret_cast<const unsigned char*>(value.data()),
                                       static_cast<int>(value.size()), p, end))
        return -1;
      return 0;
    }
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
      open_ = true;
      wsi_ = wsi;
      if (callbacks_.on_open) callbacks_.on_open();
      return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE: {
      if (!rx_overflow_) {
        if (rx_.size() + len > kMaxMessage) {
          rx_overflow_ = true;
          rx_.clear();
          rx_.shrink_to_fit();
        } else {
          rx_.append(static_cast<const char*>(in), len);
        }
      }
      // A message may span many frames and each frame many reads: deliver it whole.
      if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
        if (rx_overflow_) {
          rx_overflow_ = false;
        } else {
          std::string message = std::move(rx_);
          rx_.clear();
          if (callbacks_.on_message) callbacks_.on_message(std::move(message));
        }
      }
      return 0;
    }
    case LWS_CALLBACK_CLIENT_WRITEABLE: {
      if (closing_) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, nullptr, 0);
        return -1;
      }
      // Several queued messages go out per wake-up (a commit right behind a burst of
      // appends must not wait one loop turn per append), until the socket pushes back.
      for (int budget = 64; budget > 0 && !outbox_.empty(); --budget) {
        std::string& msg = outbox_.front();
        std::size_t n = msg.size() - LWS_PRE;
        int written =
            lws_write(wsi, reinterpret_cast<unsigned char*>(msg.data()) + LWS_PRE, n, LWS_WRITE_TEXT);
        outbox_.pop_front();
        if (written < static_cast<int>(n)) return -1;
        if (lws_send_pipe_choked(wsi)) break;
      }
      if (!outbox_.empty()) lws_callback_on_writable(wsi);
      return 0;
    }
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
      int status = static_cast<int>(lws_http_client_http_response(wsi));
      // An HTTP answer other than 101 is the server saying no; lws's own words
      // ("HS: ws upgrade response not 101") are for PTT_LWS_DEBUG.
      std::string why = status >= 200 && status != 101
                            ? std::string("the server refused the WebSocket upgrade")
                        : in ? std::string(static_cast<const char*>(in),
                                           strnlen(static_cast<const char*>(in), len ? len : 256))
                             : std::string("connection failed");
      if (std::string error = status ? std::string() : socket_error(wsi); !error.empty()) why = error;
      closed(status == 101 ? 0 : status, why);
      return 0;
    }
    case LWS_CALLBACK_CLIENT_CLOSED:
      closed(0, "connection closed");
      return 0;
    default:
      return 0;
  }
}

}  // namespace ptt::realtime
