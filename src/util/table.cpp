#include "util/table.h"

#include <algorithm>

#include <fmt/format.h>

namespace actbench {

Table::Table(std::vector<std::string> header, std::vector<Align> align, std::string indent)
    : align_(std::move(align)), indent_(std::move(indent)) {
  rows_.push_back(std::move(header));
}

Table Table::headless(std::vector<Align> align, std::string indent) {
  Table t;
  t.align_ = std::move(align);
  t.indent_ = std::move(indent);
  return t;
}

Table& Table::add(std::vector<std::string> row) {
  rows_.push_back(std::move(row));
  return *this;
}

size_t display_width(const std::string& text) {
  return size_t(std::count_if(text.begin(), text.end(), [](char ch) {
    return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  }));
}

void Table::print(std::ostream& out) const {
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  }
  for (const auto& row : rows_) {
    fmt::memory_buffer line;
    fmt::format_to(std::back_inserter(line), "{}", indent_);
    for (size_t i = 0; i < row.size(); ++i) {
      const bool right = i < align_.size() && align_[i] == Align::kRight;
      // Padding by display width: fmt pads by code points only where it knows the encoding.
      const std::string pad(widths[i] - display_width(row[i]), ' ');
      fmt::format_to(std::back_inserter(line), "{}{}{}{}", right ? pad : "", row[i],
                     right ? "" : pad, i + 1 < row.size() ? "  " : "");
    }
    std::string text = fmt::to_string(line);
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  }
}

void Table::print_markdown(std::ostream& out) const {
  const auto cell = [](const std::string& s) {
    std::string escaped;
    for (char ch : s) escaped += ch == '|' ? std::string("\\|") : std::string(1, ch);
    return escaped;
  };
  for (size_t r = 0; r < rows_.size(); ++r) {
    out << "|";
    for (const auto& c : rows_[r]) out << " " << cell(c) << " |";
    out << "\n";
    if (r == 0) {
      out << "|";
      for (size_t i = 0; i < rows_[0].size(); ++i) out << "---|";
      out << "\n";
    }
  }
}

}  // namespace actbench
