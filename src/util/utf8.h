// UTF-8 checks for text that becomes JSON (nlohmann::json's dump() throws on anything else):
// config files and KEY=VALUE overrides are checked where they come in. Defined in text.cpp.
#pragma once

#include <cstddef>
#include <string>

namespace actbench {

// The offset of the first byte of `text` that is not well-formed UTF-8 (an overlong form, a
// surrogate, past U+10FFFF, a truncated sequence); std::string::npos when all of it is.
size_t invalid_utf8_offset(const std::string& text);

// InputError "`what` is not UTF-8 text (byte 0xFF at offset N); `fix`" unless `text` is UTF-8.
void require_utf8(const std::string& text, const std::string& what, const std::string& fix);

}  // namespace actbench
