// The checksum a JSON file actbench writes and later trusts (a store entry, a sweep's run file)
// carries of its own content, so that a change made after it was written -- by hand, by a bad
// copy, by a flipped bit -- is found when it is read, not reported as a result.
//
//   {"schema": ..., ..., "checksum": "sha256:<64 hex>"}
//
// The digest is the SHA-256 of the document's canonical text without its "checksum" member:
// nlohmann::json's dump() (keys sorted, numbers written to round-trip), which a document read back
// from the file reproduces exactly, however the file was indented.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace actbench {

// "sha256:<hex>" of `doc` without its "checksum" member.
std::string json_checksum(const nlohmann::json& doc);

// `doc` (an object) with its "checksum" member set to json_checksum(doc).
nlohmann::json with_checksum(nlohmann::json doc);

// "" when `doc` is an object whose "checksum" matches its content; otherwise what is wrong, to
// follow "<path>: ": "it carries no checksum (...)" or "its content does not match its checksum
// (...)".
std::string checksum_problem(const nlohmann::json& doc);

// For a file an earlier actbench may have written without a checksum (results.json,
// summary.json): InputError naming `path` as damaged when `doc` carries a checksum its content
// does not match; nothing when it matches or carries none. `fix` says how to get a good copy.
void check_damaged(const nlohmann::json& doc, const std::string& path, const std::string& fix);

}  // namespace actbench
