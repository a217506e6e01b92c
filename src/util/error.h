// Errors a user can fix (bad config, flags, data files or paths). main() prints the message on one
// line and exits with code 2; anything else that escapes is an unexpected failure (exit code 1).
#pragma once

#include <stdexcept>
#include <string>

namespace actbench {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;

}  // namespace actbench
