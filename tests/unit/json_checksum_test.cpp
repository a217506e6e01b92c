// The checksum a store entry or a run file carries of its own content (util/json_checksum.h):
// it holds however the file is indented or its keys ordered, and any changed value, key or type
// breaks it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "util/json_checksum.h"
#include "util/sha256.h"

namespace {

using nlohmann::json;

json sample() {
  return {{"schema", "actbench.store-entry/1"},
          {"key", {{"settings", {{"train", {{"lr", 0.001}, {"seed", 3}}}}}}},
          {"run",
           {{"final", {{"test_accuracy", 97.61}, {"test_loss", 0.0801234567890123}}},
            {"epochs", json::array({1, 2.5, -0.0, 1e-300})},
            {"status", "completed"}}}};
}

TEST(JsonChecksum, AWrittenDocumentReadBackInAnyLayoutStillHolds) {
  const json doc = actbench::with_checksum(sample());
  ASSERT_TRUE(doc.at("checksum").is_string());
  EXPECT_THAT(doc.at("checksum").get<std::string>(), ::testing::StartsWith("sha256:"));
  EXPECT_EQ(doc.at("checksum").get<std::string>().size(), 7u + 64u);
  EXPECT_EQ(actbench::checksum_problem(doc), "");
  for (int indent : {-1, 1, 2, 4}) {
    EXPECT_EQ(actbench::checksum_problem(json::parse(doc.dump(indent))), "") << indent;
  }
  // The digest is the SHA-256 of the canonical text without the checksum member.
  EXPECT_EQ(doc.at("checksum"), "sha256:" + actbench::sha256_hex(sample().dump()));
  // Stamping again gives the same checksum (the old one is not part of the content).
  EXPECT_EQ(actbench::with_checksum(doc), doc);
}

TEST(JsonChecksum, AnyChangeToTheContentBreaksIt) {
  const json doc = actbench::with_checksum(sample());
  const std::string changed =
      "its content does not match its checksum (changed after actbench "
      "wrote it)";
  json edited = doc;
  edited["run"]["final"]["test_accuracy"] = 97.62;
  EXPECT_EQ(actbench::checksum_problem(edited), changed);
  edited = doc;
  edited["run"]["epochs"][1] = 2.5000000000000004;  // one ulp
  EXPECT_EQ(actbench::checksum_problem(edited), changed);
  edited = doc;
  edited["key"]["settings"]["train"]["seed"] = 3.0;  // same value, another type
  EXPECT_EQ(actbench::checksum_problem(edited), changed);
  edited = doc;
  edited["run"]["extra"] = nullptr;
  EXPECT_EQ(actbench::checksum_problem(edited), changed);
  edited = doc;
  edited["checksum"] = "sha256:" + std::string(64, '0');
  EXPECT_EQ(actbench::checksum_problem(edited), changed);
}

TEST(JsonChecksum, ADocumentWithoutOneIsNamedAsSuch) {
  const std::string none =
      "it carries no checksum (written by an earlier actbench, or not by actbench)";
  EXPECT_EQ(actbench::checksum_problem(sample()), none);
  json not_text = actbench::with_checksum(sample());
  not_text["checksum"] = 12;
  EXPECT_EQ(actbench::checksum_problem(not_text), none);
  EXPECT_EQ(actbench::checksum_problem(json::array({1, 2})), none);
}

}  // namespace
