// `actbench export`: a sweep's results as a table for a paper or a spreadsheet, from its
// summary.json (summary/3): one row per group (activation and swept point), ranked by mean final
// test accuracy, with the paired difference against the baseline and its significance.
//   csv       every number, unrounded, one column each (mean, std, interval, n, tests)
//   latex     a complete table (booktabs): caption, label, mean ± spread (the best in bold), the
//             difference, * where significant
//   markdown  the same as a Markdown table
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

namespace actbench {

enum class ExportFormat { kCsv, kLatex, kMarkdown };

// InputError naming the formats when `name` is none of csv, latex, markdown.
ExportFormat parse_export_format(const std::string& name);

// `label`: the LaTeX table's \label.
void export_summary(std::ostream& out, const nlohmann::json& summary, ExportFormat format,
                    const std::string& label = "tab:actbench");

}  // namespace actbench
