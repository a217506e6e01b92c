// The docs derived from declarations must not drift: the README's key table and
// docs/results.schema.json's $defs.config are what `actbench list keys` prints now (from the
// config-key declarations, src/config/keys.cpp), the table of activations in docs/ is what
// `actbench list activations --markdown` prints (from the registry), and the table of figures is
// what `scripts/plot_results.py --list-figures=markdown` prints (from FIGURES,
// scripts/plotting/figures.py). scripts/update_docs.py rewrites them.
#include <gtest/gtest.h>

#include "process.h"
#include "test_support.h"

namespace {

TEST(Docs, GeneratedTablesAndSchemaMatchTheirDeclarations) {
  if (std::string(ACTBENCH_PYTHON).empty()) GTEST_SKIP() << "no /usr/bin/python3";
  const auto r = actbench_test::run_captured(
      ACTBENCH_PYTHON, {std::string(ACTBENCH_SOURCE_DIR) + "/scripts/update_docs.py", "--check",
                        "--actbench", ACTBENCH_BINARY});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");  // nothing stale, and every part checked (actbench found)
}

}  // namespace
