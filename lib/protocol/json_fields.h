#pragma once
// Reading fields of JSON that came from elsewhere (the daemon, a file, an agent)
// without ever throwing: a missing field, or one of the wrong type, gives the
// fallback. nlohmann's value() throws type_error on a mistyped field instead.
#include <optional>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "core/json_integer.h"

namespace ptt::protocol {

template <typename T>
T field_or(const nlohmann::json& j, const char* key, T fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if constexpr (std::is_same_v<T, std::string>) {
    return it->is_string() ? it->get<std::string>() : fallback;
  } else if constexpr (std::is_same_v<T, bool>) {
    return it->is_boolean() ? it->get<bool>() : fallback;
  } else if constexpr (std::is_integral_v<T>) {
    return integer_if<T>(*it).value_or(fallback);
  } else if constexpr (std::is_arithmetic_v<T>) {
    return it->is_number() ? it->get<T>() : fallback;
  } else {
    try {
      return it->get<T>();
    } catch (const nlohmann::json::exception&) {
      return fallback;
    }
  }
}

inline std::string field_or(const nlohmann::json& j, const char* key, const char* fallback) {
  return field_or<std::string>(j, key, std::string(fallback));
}

// A nullable field of a record or event: null when unset, and unset when null or absent.
template <typename T>
void put_nullable(nlohmann::json& j, const char* key, const std::optional<T>& v) {
  j[key] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// Throws nlohmann::json::exception on a mistyped value.
template <typename T>
void get_nullable(const nlohmann::json& j, const char* key, std::optional<T>& v) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    v.reset();
  } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    v = checked_integer<T>(*it);
  } else {
    v = it->get<T>();
  }
}

}  // namespace ptt::protocol
