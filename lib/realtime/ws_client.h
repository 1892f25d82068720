#pragma once
// A thin libwebsockets client on a libuv loop: one text-message WebSocket with a
// bearer token, whole messages in (fragments joined), queued messages out.
// Reconnect policy is the caller's; this only reports what happened.
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <uv.h>

struct lws;
struct lws_context;

namespace ptt::realtime {

struct WsEndpoint {
  bool tls = true;
  std::string host;
  int port = 443;
  std::string path = "/";  // with the query
  std::string ca_file;     // PEM CA bundle to trust; empty: the system's
};

// Parses ws:// or wss:// URLs; returns false with `error` set otherwise.
bool parse_ws_url(const std::string& url, WsEndpoint& out, std::string& error);

class WsClient {
 public:
  struct Callbacks {
    std::function<void()> on_open;
    std::function<void(std::string&& message)> on_message;
    // The connection failed or closed. http_status is the handshake's status when
    // the server refused the upgrade (e.g. 401), else 0.
    std::function<void(int http_status, const std::string& reason)> on_closed;
  };

  WsClient(uv_loop_t* loop, WsEndpoint endpoint, std::string bearer_token, Callbacks callbacks);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  bool ok() const { return context_ != nullptr; }
  void connect();  // asynchronous; on_open or on_closed follows
  void send(const std::string& text);
  void close();  // graceful: on_closed follows
  // Frees the lws context, turning the loop until lws's handles have closed: call it
  // once every other handle on the loop is closed or closing.
  void destroy();
  bool is_open() const { return open_; }
  std::size_t queued() const { return outbox_.size(); }

  // Messages larger than this are dropped (memory stays bounded).
  static constexpr std::size_t kMaxMessage = 64u << 20;

  int handle(lws* wsi, int reason, void* in, std::size_t len);  // the lws protocol callback

 private:
  void closed(int http_status, const std::string& reason);

  uv_loop_t* loop_;
  WsEndpoint endpoint_;
  std::string bearer_;
  Callbacks callbacks_;
  lws_context* context_ = nullptr;
  lws* wsi_ = nullptr;
  bool active_ = false;  // between connect() and the one on_closed report
  bool open_ = false;
  bool closing_ = false;
  bool rx_overflow_ = false;
  std::string rx_;
  std::deque<std::string> outbox_;  // each with LWS_PRE bytes of head room
};

}  // namespace ptt::realtime
