#include "transcribe/transcription_api.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/ndjson.h"
#include "realtime/audio_bytes.h"
#include "transcribe/wav_memory.h"

namespace ptt::transcribe {
using nlohmann::json;

std::optional<std::string> transcription_url(const std::string& base_url, std::string& error) {
  if (base_url.rfind("http://", 0) != 0 && base_url.rfind("https://", 0) != 0) {
    error = fmt::format("--base-url '{}' is not an http:// or https:// URL", base_url);
    return std::nullopt;
  }
  std::string base = base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/audio/transcriptions";
}

HttpRequest build_transcription_request(const std::string& url, const std::string& model,
                                        const std::string& api_key, const Utterance& utterance) {
  HttpRequest r;
  r.url = url;
  r.headers = {"Authorization: Bearer " + api_key, "Accept: application/json"};
  r.parts.push_back({"model", model, "", ""});
  // The endpoint tells formats apart by the file name's extension and the part's type.
  r.parts.push_back({"file", pcm16_to_wav(utterance.pcm, realtime::kSampleRate),
                     fmt::format("utterance-{}.wav", utterance.seq), "audio/wav"});
  r.parts.push_back({"response_format", "json", "", ""});
  return r;
}

namespace {

// {"error": {"message": "..."}} as OpenAI sends it, else a short piece of the body.
std::string server_message(const json& body, const std::string& raw) {
  if (body.is_object()) {
    auto e = body.find("error");
    if (e != body.end() && e->is_object()) {
      auto m = e->find("message");
      if (m != e->end() && m->is_string()) return m->get<std::string>();
    }
    if (e != body.end() && e->is_string()) return e->get<std::string>();
  }
  std::string snippet = single_line(raw.substr(0, 200));
  return snippet.empty() ? "no details given" : snippet;
}

std::uint64_t parse_retry_after(const std::string& value) {
  std::uint64_t seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size() || seconds > 3600)
    return 0;  // HTTP-dates: ignored
  return seconds * 1000;
}

}  // namespace

TranscriptionResult parse_transcription_response(const HttpResponse& response) {
  using Kind = TranscriptionResult::Kind;
  TranscriptionResult r;
  if (response.status == 0) {
    r.kind = response.transport_retryable ? Kind::kRetryable : Kind::kFailed;
    r.message = response.transport_error.empty() ? "no response" : response.transport_error;
    return r;
  }
  json body = parse_json_or_discarded(response.body);
  if (response.status == 200) {
    auto text = body.is_object() ? body.find("text") : body.end();
    if (body.is_object() && text != body.end() && text->is_string()) {
      r.kind = Kind::kText;
      r.text = text->get<std::string>();
    } else {
      r.kind = Kind::kFailed;
      r.message = "the server's answer has no \"text\": " + server_message(body, response.body);
    }
    return r;
  }
  r.message = fmt::format("HTTP {}: {}", response.status, server_message(body, response.body));
  if (response.status == 401 || response.status == 403) {
    r.kind = Kind::kRejectedKey;
  } else if (response.status == 408 || response.status == 409 || response.status == 429 ||
             response.status >= 500) {
    r.kind = Kind::kRetryable;
    r.retry_after_ms = parse_retry_after(response.retry_after);
  } else {
    r.kind = Kind::kFailed;  // 400, 413, ...: sending it again would not help
  }
  return r;
}

std::optional<std::uint64_t> RetryPolicy::delay_ms(int retries_done,
                                                   const TranscriptionResult& result) const {
  if (result.kind != TranscriptionResult::Kind::kRetryable || retries_done >= max_retries)
    return std::nullopt;
  std::uint64_t backoff = first_ms << std::min(retries_done, 16);
  return std::min(std::max(backoff, result.retry_after_ms), max_ms);
}

std::string single_line(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

}  // namespace ptt::transcribe
