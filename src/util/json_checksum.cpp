#include "util/json_checksum.h"

#include "util/error.h"
#include "util/sha256.h"

namespace actbench {

namespace {

constexpr const char* kChecksumKey = "checksum";
constexpr const char* kDigestPrefix = "sha256:";

}  // namespace

std::string json_checksum(const nlohmann::json& doc) {
  if (!doc.is_object() || !doc.contains(kChecksumKey))
    return kDigestPrefix + sha256_hex(doc.dump());
  nlohmann::json content = doc;
  content.erase(kChecksumKey);
  return kDigestPrefix + sha256_hex(content.dump());
}

nlohmann::json with_checksum(nlohmann::json doc) {
  doc[kChecksumKey] = json_checksum(doc);
  return doc;
}

std::string checksum_problem(const nlohmann::json& doc) {
  if (!doc.is_object() || !doc.contains(kChecksumKey) || !doc.at(kChecksumKey).is_string()) {
    return "it carries no checksum (written by an earlier actbench, or not by actbench)";
  }
  if (doc.at(kChecksumKey).get<std::string>() != json_checksum(doc)) {
    return "its content does not match its checksum (changed after actbench wrote it)";
  }
  return "";
}

void check_damaged(const nlohmann::json& doc, const std::string& path, const std::string& fix) {
  if (!doc.is_object() || !doc.contains("checksum")) return;
  if (const std::string p = checksum_problem(doc); !p.empty()) {
    throw InputError(path + " is damaged: " + p + "; " + fix);
  }
}

}  // namespace actbench
