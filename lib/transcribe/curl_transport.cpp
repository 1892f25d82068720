#include "transcribe/curl_transport.h"

#include <memory>
#include <mutex>

#include <curl/curl.h>
#include <fmt/format.h>

namespace ptt::transcribe {

namespace {

constexpr std::size_t kMaxBody = 1 << 20;  // a transcript answer is small; more is refused

struct Unique {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_mime* m) const { curl_mime_free(m); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

bool retryable(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

}  // namespace

HttpResponse perform_request(const HttpRequest& request, const TransportOptions& options,
                             const std::atomic<bool>& abort) {
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  HttpResponse response;
  std::unique_ptr<CURL, Unique> curl(curl_easy_init());
  if (!curl) {
    response.transport_error = "cannot start libcurl";
    return response;
  }
  CURL* c = curl.get();
  std::unique_ptr<curl_mime, Unique> mime(curl_mime_init(c));
  for (const auto& p : request.parts) {
    curl_mimepart* part = curl_mime_addpart(mime.get());
    curl_mime_name(part, p.name.c_str());
    curl_mime_data(part, p.data.data(), p.data.size());
    if (!p.filename.empty()) curl_mime_filename(part, p.filename.c_str());
    if (!p.content_type.empty()) curl_mime_type(part, p.content_type.c_str());
  }
  curl_slist* headers = nullptr;
  for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  std::unique_ptr<curl_slist, Unique> header_list(headers);

  char error_buf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_MIMEPOST, mime.get());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // we run on a worker thread
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buf);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, options.low_speed_timeout_s);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, options.total_timeout_s);
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(
      c, CURLOPT_WRITEFUNCTION, +[](char* data, size_t, size_t n, void* user) -> size_t {
        auto* body = static_cast<std::string*>(user);
        if (body->size() + n > kMaxBody) return 0;  // ends the transfer with CURLE_WRITE_ERROR
        body->append(data, n);
        return n;
      });
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &abort);
  curl_easy_setopt(
      c, CURLOPT_XFERINFOFUNCTION, +[](void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
        return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
      });

  CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    response.status = 0;
    response.transport_retryable = retryable(code);
    response.transport_error = code == CURLE_ABORTED_BY_CALLBACK ? "aborted"
                               : code == CURLE_WRITE_ERROR
                                   ? "the server's answer was larger than 1 MB"
                                   : fmt::format("{} ({})", curl_easy_strerror(code), error_buf);
    return response;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  curl_header* retry_after = nullptr;
  if (curl_easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &retry_after) == CURLHE_OK)
    response.retry_after = retry_after->value;
  return response;
}

}  // namespace ptt::transcribe
