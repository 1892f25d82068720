#pragma once
// The thin libcurl adapter: one blocking multipart POST (curl_mime), abortable
// from another thread. TLS is verified (system CAs, or --ca-file).
#include <atomic>
#include <string>

#include "transcribe/transcription_api.h"

namespace ptt::transcribe {

struct TransportOptions {
  std::string ca_file;  // PEM bundle to trust instead of the system's
  long connect_timeout_s = 10;
  long low_speed_timeout_s = 30;  // give up when under 1 byte/s for this long
  long total_timeout_s = 300;     // a 25 MB upload on a slow line still fits
};

// Blocks until the response (or failure); returns early, with transport_error
// "aborted", once `abort` is set.
HttpResponse perform_request(const HttpRequest& request, const TransportOptions& options,
                             const std::atomic<bool>& abort);

}  // namespace ptt::transcribe
