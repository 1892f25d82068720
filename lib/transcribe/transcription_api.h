#pragma once
// The transcription endpoint (POST {base}/audio/transcriptions, multipart/form-data)
// as plain data: the request to send for an utterance and what a response means.
// No I/O here; curl_transport carries the request out.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/openai_models.h"
#include "transcribe/utterance_collector.h"

namespace ptt::transcribe {

inline constexpr const char* kDefaultBaseUrl = "https://api.openai.com/v1";
inline constexpr const char* kDefaultModel = openai::kDefaultTranscriptionModel;

struct FormPart {
  std::string name;
  std::string data;
  std::string filename;      // set for a file part
  std::string content_type;  // set for a file part
};

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"; holds the key, never print them
  std::vector<FormPart> parts;
};

struct HttpResponse {
  long status = 0;  // 0: no HTTP response at all (see transport_error)
  std::string body;
  std::string retry_after;  // the Retry-After header, if any
  std::string transport_error;
  bool transport_retryable = false;  // a refused connection or timeout, not a bad URL or certificate
};

// http(s)://HOST[:PORT]/PREFIX -> http(s)://HOST[:PORT]/PREFIX/audio/transcriptions;
// nullopt with `error` unless the scheme is http or https.
std::optional<std::string> transcription_url(const std::string& base_url, std::string& error);

HttpRequest build_transcription_request(const std::string& url, const std::string& model,
                                        const std::string& api_key, const Utterance& utterance);

struct TranscriptionResult {
  enum class Kind { kText, kRejectedKey, kRetryable, kFailed } kind = Kind::kFailed;
  std::string text;                  // kText: the transcript as the server gave it
  std::string message;               // otherwise: what went wrong, for a human
  std::uint64_t retry_after_ms = 0;  // the server's Retry-After (seconds form), 0 if none
};

TranscriptionResult parse_transcription_response(const HttpResponse& response);

// When to try again: 0.5 s, 1 s, 2 s (or the server's Retry-After, up to 8 s);
// nullopt once `retries_done` reaches the limit or the result is not retryable.
struct RetryPolicy {
  int max_retries = 3;
  std::uint64_t first_ms = 500;
  std::uint64_t max_ms = 8000;
  std::optional<std::uint64_t> delay_ms(int retries_done, const TranscriptionResult& result) const;
};

// The transcript as one output line: whitespace runs (newlines included) become one
// space, ends trimmed.
std::string single_line(const std::string& text);

}  // namespace ptt::transcribe
