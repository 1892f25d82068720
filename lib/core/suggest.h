#pragma once
// "Did you mean …?" for misspelt subcommands and flags: the nearest known word by
// edit distance, when it is near enough to be a typo and not another word.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ptt {

// Optimal string alignment distance: insertions, deletions, substitutions and
// swaps of two adjacent characters ("spwan" -> "spawn" is 1) each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate nearest to `word`, if within a typo's reach (1 edit for words of up
// to 4 characters, 2 for longer ones, and less than half the word); ties go to the
// first candidate. Leading dashes are compared like letters, so pass flags whole.
std::optional<std::string> nearest_word(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace ptt
