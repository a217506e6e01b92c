// The one table printer (util/table.h): columns aligned by characters, not bytes, and no trailing
// space.
#include <gtest/gtest.h>

#include <sstream>

#include "util/table.h"

namespace {

TEST(Table, AlignsColumnsByCharactersAndTrimsTrailingSpace) {
  using A = actbench::Table::Align;
  actbench::Table t({"#", "name", "value"}, {A::kRight});
  t.add({"1", "ReLU", "98.04 \u00b1 0.21"}).add({"10", "LeakyReLU", "-"});
  std::ostringstream out;
  t.print(out);
  EXPECT_EQ(out.str(),
            " #  name       value\n"
            " 1  ReLU       98.04 \u00b1 0.21\n"
            "10  LeakyReLU  -\n");
}

}  // namespace
