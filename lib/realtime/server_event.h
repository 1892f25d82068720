#pragma once
// Realtime server events, typed. A message from the server is data: it is parsed
// once, here, into one of the structs the session acts on, or into Ignored (a type
// the session has no use for; the API adds events over time) or Malformed (not
// JSON, too deep, no string "type", or a field of the wrong shape), which carries
// why. Pure and total: no input throws, so the session's transitions only ever see
// valid structs and a bad event changes no state.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace ptt::realtime {

namespace server {

struct SessionCreated {};
struct SessionUpdated {};
struct AudioDelta {  // response.output_audio.delta (older: response.audio.delta)
  std::string response_id;
  std::string item_id;
  std::string delta;  // base64 PCM16
};
struct ResponseCreated {
  std::string response_id;
};
struct FunctionCall {  // a function_call item of response.done's output
  std::string call_id;
  std::string name;
  std::string arguments;
  std::string status;  // of the item: completed, incomplete; empty when not given
};
struct ResponseDone {
  std::string status;  // completed, cancelled, failed, incomplete
  std::vector<FunctionCall> calls;
  std::string reason;      // status_details.reason: turn_detected, max_output_tokens, ...
  std::string error_code;  // status_details.error of a failed response
  std::string error_message;
};
struct FunctionCallAdded {  // response.output_item.added with a function_call item
  std::string call_id;
  std::string name;
};
struct CallArgumentsDelta {
  std::string call_id;
  std::string delta;
};
struct CallArgumentsDone {
  std::string call_id;
  std::optional<std::string> arguments;  // absent: keep what the deltas built
  std::string name;                      // empty: keep the name seen before
};
struct TranscriptDelta {  // of the assistant's audio
  std::string delta;
};
struct TranscriptDone {                   // of the assistant's audio
  std::optional<std::string> transcript;  // absent: keep what the deltas built
};
struct TextDone {  // a text-only reply
  std::string text;
};
struct UserTranscript {  // conversation.item.input_audio_transcription.completed
  std::string transcript;
  std::string item_id;
};
struct TranscriptionFailed {  // conversation.item.input_audio_transcription.failed
  std::string item_id;
  std::string code;
  std::string message;
};
struct SpeechStarted {};
struct SpeechStopped {};
struct Error {
  std::string code;
  std::string message;
  std::string event_id;  // of the client event it is about, if any
};
struct Ignored {
  std::string type;
};
struct Malformed {
  std::string why;
};

}  // namespace server

using ServerEvent =
    std::variant<server::SessionCreated, server::SessionUpdated, server::AudioDelta, server::ResponseCreated,
                 server::ResponseDone, server::FunctionCallAdded, server::CallArgumentsDelta,
                 server::CallArgumentsDone, server::TranscriptDelta, server::TranscriptDone, server::TextDone,
                 server::UserTranscript, server::TranscriptionFailed, server::SpeechStarted,
                 server::SpeechStopped, server::Error, server::Ignored, server::Malformed>;

ServerEvent parse_server_event(const nlohmann::json& event);
// The message as it came off the wire: its nesting is bounded before it is parsed.
ServerEvent parse_server_message(std::string_view message);

}  // namespace ptt::realtime
