// The one table printer: columns two spaces apart, each as wide as its widest cell (counted in
// characters, so "±" is one column), left- or right-aligned, no trailing spaces.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace actbench {

class Table {
 public:
  enum class Align { kLeft, kRight };

  // `align` per column (missing entries: left); `indent` starts every line.
  explicit Table(std::vector<std::string> header, std::vector<Align> align = {},
                 std::string indent = "");
  // A table without a header line.
  static Table headless(std::vector<Align> align = {}, std::string indent = "");

  Table& add(std::vector<std::string> row);
  void print(std::ostream& out) const;
  // As a Markdown table (the docs' generated tables): '|' in a cell is escaped; needs a header.
  void print_markdown(std::ostream& out) const;

  const std::vector<std::vector<std::string>>& rows() const { return rows_; }

 private:
  Table() = default;
  std::vector<std::vector<std::string>> rows_;  // the header first, when there is one
  std::vector<Align> align_;
  std::string indent_;
};

// Display width of UTF-8 text: one per character.
size_t display_width(const std::string& text);

}  // namespace actbench
