#include "realtime/server_event.h"

#include "core/json_depth.h"

namespace ptt::realtime {
using nlohmann::json;

namespace {

// A text field: missing or of another type reads as empty, as the session always
// treated it (the API omits fields it has nothing for, and sends null for some).
std::string str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

std::optional<std::string> optional_str(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return std::nullopt;
  return str(j, key);
}

const json& member(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it != j.end() ? *it : kNull;
}

ServerEvent malformed(const std::string& type, const std::string& why) {
  return server::Malformed{"ignored a malformed server event" + (type.empty() ? "" : " '" + type + "'") +
                           ": " + why};
}

// A call without an id could never be answered: the server would not know what for.
bool has_call_id(const json& j) { return !str(j, "call_id").empty(); }

ServerEvent response_done(const std::string& type, const json& event) {
  const json& response = member(event, "response");
  if (!response.is_null() && !response.is_object()) return malformed(type, "\"response\" is not an object");
  const json& status = member(response, "status");
  if (!status.is_null() && !status.is_string()) return malformed(type, "\"response.status\" is not a string");
  const json& details = member(response, "status_details");
  const json& error = member(details, "error");
  server::ResponseDone done{
      str(response, "status"), {}, str(details, "reason"), str(error, "code"), str(error, "message")};
  if (done.error_code.empty()) done.error_code = str(error, "type");
  const json& output = member(response, "output");
  if (output.is_array()) {
    for (const json& item : output) {
      if (str(item, "type") != "function_call") continue;
      done.calls.push_back(
          {str(item, "call_id"), str(item, "name"), str(item, "arguments"), str(item, "status")});
    }
  }
  return done;
}

}  // namespace

ServerEvent parse_server_event(const json& event) {
  if (!event.is_object()) return malformed("", "not a JSON object");
  const json& type_field = member(event, "type");
  if (!type_field.is_string()) return malformed("", "\"type\" is missing or not a string");
  const std::string& type = type_field.get_ref<const std::string&>();
  if (type == "response.output_audio.delta" || type == "response.audio.delta") {
    if (!member(event, "delta").is_string()) return malformed(type, "\"delta\" is not a string");
    return server::AudioDelta{str(event, "response_id"), str(event, "item_id"), str(event, "delta")};
  }
  if (type == "response.created") return server::ResponseCreated{str(member(event, "response"), "id")};
  if (type == "response.done") return response_done(type, event);
  if (type == "response.output_item.added") {
    const json& item = member(event, "item");
    if (str(item, "type") != "function_call") return server::Ignored{type};
    if (!has_call_id(item)) return malformed(type, "the function call has no \"call_id\"");
    return server::FunctionCallAdded{str(item, "call_id"), str(item, "name")};
  }
  if (type == "response.function_call_arguments.delta") {
    if (!has_call_id(event)) return malformed(type, "no \"call_id\"");
    return server::CallArgumentsDelta{str(event, "call_id"), str(event, "delta")};
  }
  if (type == "response.function_call_arguments.done") {
    if (!has_call_id(event)) return malformed(type, "no \"call_id\"");
    const json& arguments = member(event, "arguments");
    return server::CallArgumentsDone{
        str(event, "call_id"),
        arguments.is_string() ? std::optional<std::string>(arguments.get<std::string>()) : std::nullopt,
        str(event, "name")};
  }
  if (type == "response.output_audio_transcript.delta" || type == "response.audio_transcript.delta")
    return server::TranscriptDelta{str(event, "delta")};
  if (type == "response.output_audio_transcript.done" || type == "response.audio_transcript.done")
    return server::TranscriptDone{optional_str(event, "transcript")};
  if (type == "response.output_text.done" || type == "response.text.done")
    return server::TextDone{str(event, "text")};
  if (type == "conversation.item.input_audio_transcription.completed")
    return server::UserTranscript{str(event, "transcript"), str(event, "item_id")};
  if (type == "conversation.item.input_audio_transcription.failed") {
    const json& error = member(event, "error");
    return server::TranscriptionFailed{str(event, "item_id"), str(error, "code"), str(error, "message")};
  }
  if (type == "input_audio_buffer.speech_started") return server::SpeechStarted{};
  if (type == "input_audio_buffer.speech_stopped") return server::SpeechStopped{};
  if (type == "session.created") return server::SessionCreated{};
  if (type == "session.updated") return server::SessionUpdated{};
  if (type == "error") {
    const json& error = member(event, "error");
    return server::Error{str(error, "code"), str(error, "message"), str(error, "event_id")};
  }
  // Every other type (conversation.item.added/created/done among them: audio and
  // calls are tracked by their own events) is ignored on purpose.
  return server::Ignored{type};
}

ServerEvent parse_server_message(std::string_view message) {
  if (!json_depth_within(message))
    return server::Malformed{"the server sent a message nested too deeply; ignored"};
  json event = json::parse(message, nullptr, false);
  if (event.is_discarded()) return server::Malformed{"the server sent a message that is not JSON; ignored"};
  return parse_server_event(event);
}

}  // namespace ptt::realtime
