#pragma once
// Integers out of JSON that came from elsewhere (the daemon, a file, an agent, a peer).
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

namespace ptt {

// An integer of type Int from JSON that came from elsewhere. nlohmann's get<int>()
// converts a float with static_cast, undefined behaviour when out of range (4.4e90
// as an int; found by fuzz_client_reply), so only JSON integers that fit count.
// Throws nlohmann::json::type_error for anything else.
template <typename Int>
Int checked_integer(const nlohmann::json& v) {
  static_assert(std::is_integral_v<Int> && !std::is_same_v<Int, bool>);
  if (v.is_number_unsigned()) {
    if (auto u = v.get<std::uint64_t>(); std::in_range<Int>(u)) return static_cast<Int>(u);
  } else if (v.is_number_integer()) {
    if (auto i = v.get<std::int64_t>(); std::in_range<Int>(i)) return static_cast<Int>(i);
  }
  throw nlohmann::json::type_error::create(302, "expected an integer in range", &v);
}

template <typename Int>
std::optional<Int> integer_if(const nlohmann::json& v) {
  try {
    return checked_integer<Int>(v);
  } catch (const nlohmann::json::type_error&) {
    return std::nullopt;
  }
}

}  // namespace ptt
