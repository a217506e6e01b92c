// The paper's last mile: the plot script's paper-style figures of the fixture sweep
// (tests/fixtures/plot) at a template's column width (--width ieee-column, IEEEtran's 252pt) and
// the table of `actbench export --format latex`, in a small two-column LaTeX document with
// IEEEtran's layout (article with \textwidth 516pt and \columnsep 12pt: a 252pt column), compiled
// with pdflatex. It compiles; nothing is wider than its column (no overfull box beyond 1pt; each
// figure's box measured against \columnwidth); no float is too large for the page; the pages are
// the expected ones; the PGF figure's text is set in the document's own roman (Computer Modern at
// 8pt, no sans font) and the PDF figure's in embedded STIX; every text on the pages is 8 points or
// more. And every figure's PGF, at IEEE's column and page widths, compiles in such a document and
// fits. Needs TeX Live (Debian: texlive-latex-base, texlive-latex-recommended for booktabs,
// texlive-pictures for pgf; scripts/setup.sh --tests installs them) and poppler-utils; skipped
// with a message without them.
#include "plot_fixture.h"

namespace {

using namespace actbench_plot_test;  // NOLINT: the fixture and its helpers

// Every Overfull \hbox of a LaTeX log, as "(Xpt too wide)" amounts in points.
std::vector<double> overfull_boxes(const std::string& log) {
  std::vector<double> out;
  const std::string key = "Overfull \\hbox (";
  for (size_t at = log.find(key); at != std::string::npos; at = log.find(key, at + 1)) {
    out.push_back(std::strtod(log.c_str() + at + key.size(), nullptr));
  }
  return out;
}

// The number after "NAME=" in a LaTeX log (a \typeout of a length, "252.0pt"); NaN without it.
double typed_out(const std::string& log, const std::string& name) {
  const size_t at = log.find(name + "=");
  if (at == std::string::npos) return std::nan("");
  return std::strtod(log.c_str() + at + name.size() + 1, nullptr);
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The document: IEEEtran's page (letter paper, 516pt of text in two 252pt columns), a PGF
// figure and a PDF figure in one column each, measured into the log, and the exported table
// across both columns (table*: seven columns do not fit one).
const char* kDocument = R"tex(\documentclass[10pt,twocolumn]{article}
\usepackage[letterpaper,textwidth=516pt,columnsep=12pt,textheight=9in]{geometry}
\usepackage{graphicx,booktabs,pgf}
% actbench export writes activation labels as they are (Swish-\beta).
\DeclareUnicodeCharacter{03B2}{\ensuremath{\beta}}
\newsavebox{\measured}
\begin{document}
\typeout{COLUMNWIDTH=\the\columnwidth}
\section{Results}
The figures and the table of the fixture sweep.
\begin{figure}[t]
  \centering
  \sbox{\measured}{\input{test_accuracy.pgf}}\typeout{PGFWIDTH=\the\wd\measured}
  \usebox{\measured}
  \caption{Test accuracy by epoch (PGF).}
\end{figure}
\begin{figure}[t]
  \centering
  \sbox{\measured}{\includegraphics{final_accuracy.pdf}}\typeout{PDFWIDTH=\the\wd\measured}
  \usebox{\measured}
  \caption{Final test accuracy (PDF).}
\end{figure}
\input{table.tex}
\end{document}
)tex";

class LatexDocument : public PlotScript {
 protected:
  void SetUp() override {
    PlotScript::SetUp();
    if (IsSkipped()) return;
    if (std::system("command -v pdflatex >/dev/null 2>&1 && kpsewhich pgf.sty booktabs.sty "
                    "geometry.sty >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "no pdflatex with pgf, booktabs and geometry (Debian: texlive-latex-base, "
                      "texlive-latex-recommended, texlive-pictures; scripts/setup.sh --tests "
                      "installs them)";
    }
    if (std::system("command -v pdfinfo >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1") !=
        0) {
      GTEST_SKIP() << "no pdfinfo and pdffonts (Debian: poppler-utils; scripts/setup.sh --tests "
                      "installs it)";
    }
  }
};

TEST_F(LatexDocument, PaperFiguresAndTheExportedTableFitAnIeeeColumnInTheDocumentsFont) {
  const fs::path dir = tmp_ / "paper";
  const CommandResult plot =
      run_plot({kFixture.string(), "--out", dir.string(), "--style", "paper", "--width",
                "ieee-column", "--figures", "test_accuracy,final_accuracy"});
  ASSERT_EQ(plot.exit_code, 0) << describe(plot);
  EXPECT_THAT(layout_problems(plot), ::testing::IsEmpty()) << describe(plot);
  ASSERT_TRUE(fs::exists(dir / "test_accuracy.pgf"));
  ASSERT_TRUE(fs::exists(dir / "final_accuracy.pdf"));
  EXPECT_FALSE(fs::exists(dir / "test_accuracy-wide.pdf"));  // one width: one variant

  // The table, as `actbench export` writes it for a sweep directory holding summary.json.
  const fs::path sweep = tmp_ / "sweep";
  fs::create_directories(sweep);
  fs::copy_file(kFixture / "summary.json", sweep / "summary.json");
  const CommandResult table = actbench_test::run_actbench(
      {"export", sweep.string(), "--format", "latex", "--label", "tab:fixture"}, tmp_.path());
  ASSERT_EQ(table.exit_code, 0) << table.describe();
  ASSERT_THAT(table.out, HasSubstr("\\begin{table}"));
  write_text(dir / "table.tex", replace_all(table.out, "{table}", "{table*}"));
  write_text(dir / "doc.tex", kDocument);

  const CommandResult tex =
      actbench_test::run_captured("cd " + shell_quote(dir.string()) + " && timeout 60 pdflatex",
                                  {"-interaction=nonstopmode", "-halt-on-error", "doc.tex"});
  const std::string log = fs::exists(dir / "doc.log") ? read_text(dir / "doc.log") : "";
  ASSERT_EQ(tex.exit_code, 0) << tex.out << log;

  // IEEEtran's column, and both figures exactly as wide as it (within 0.1pt): they fill the
  // column and do not overflow it.
  const double column = typed_out(log, "COLUMNWIDTH");
  EXPECT_DOUBLE_EQ(column, 252.0) << log;
  EXPECT_NEAR(typed_out(log, "PGFWIDTH"), column, 0.1) << log;
  EXPECT_NEAR(typed_out(log, "PDFWIDTH"), column, 0.1) << log;
  for (double too_wide : overfull_boxes(log)) EXPECT_LE(too_wide, 1.0) << log;
  EXPECT_THAT(log, Not(HasSubstr("Float too large"))) << log;
  EXPECT_THAT(log, Not(HasSubstr("LaTeX Error"))) << log;

  // Two pages: the figures on the first, the page-wide table at the top of the next (LaTeX puts
  // a table* on the page after the one where it is called).
  const CommandResult info = actbench_test::run_captured("pdfinfo", {(dir / "doc.pdf").string()});
  ASSERT_EQ(info.exit_code, 0) << info.describe();
  EXPECT_THAT(info.out, ::testing::ContainsRegex("Pages: +2\n")) << info.out;

  // The PGF figure's text in the document's roman (Computer Modern, cmr8 at 8pt), no sans
  // font anywhere; the PDF figure's in its embedded STIX; every font embedded, none a Type 3
  // bitmap.
  const CommandResult fonts = actbench_test::run_captured("pdffonts", {(dir / "doc.pdf").string()});
  ASSERT_EQ(fonts.exit_code, 0) << fonts.describe();
  EXPECT_THAT(fonts.out, HasSubstr("CMR8")) << fonts.out;
  EXPECT_THAT(fonts.out, HasSubstr("STIXGeneral")) << fonts.out;
  EXPECT_THAT(fonts.out, Not(HasSubstr("CMSS"))) << fonts.out;
  EXPECT_THAT(fonts.out, Not(HasSubstr("Type 3"))) << fonts.out;
  const std::vector<std::string> rows = lines_of(fonts.out);
  for (size_t i = 2; i < rows.size(); ++i) {
    EXPECT_THAT(rows[i], ::testing::ContainsRegex(" yes +yes +yes ")) << fonts.out;
  }

  // Every text on the pages (each Tf operand: the figures', the captions', the table's) is 8
  // points or more: 8pt in TeX's points is 7.97 of the PDF's.
  const nlohmann::json m = measure("pdf", dir / "doc.pdf");
  ASSERT_FALSE(m["font_sizes"].empty()) << m.dump();
  for (const auto& size : m["font_sizes"]) EXPECT_GE(size.get<double>(), 7.95) << m.dump();
  EXPECT_THAT(m["font_sizes"], ::testing::Contains(8.0)) << m.dump();  // the PDF figure's text
}

// Every figure the fixture has data for, as PGF at the default widths (IEEEtran's column and
// text width), \input in a figure (NAME.pgf) or figure* (NAME-wide.pgf) of the same document:
// every escaped text compiles, nothing overflows its column or page, and all text is set in the
// document's roman.
TEST_F(LatexDocument, EveryPgfFigureCompilesAndFitsItsColumnOrPage) {
  const fs::path dir = tmp_ / "pgf";
  const CommandResult plot =
      run_plot({kFixture.string(), "--out", dir.string(), "--style", "paper", "--formats", "pgf"});
  ASSERT_EQ(plot.exit_code, 0) << describe(plot);
  std::string doc =
      "\\documentclass[10pt,twocolumn]{article}\n"
      "\\usepackage[letterpaper,textwidth=516pt,columnsep=12pt,textheight=9in]{geometry}\n"
      "\\usepackage{pgf}\n\\begin{document}\n";
  size_t figures = 0;
  for (const auto& name : fixture_figure_names()) {
    for (const char* suffix : {"", "-wide"}) {
      const std::string file = name + suffix + ".pgf";
      ASSERT_TRUE(fs::exists(dir / file)) << file;
      const std::string env = *suffix ? "figure*" : "figure";
      doc += "\\begin{" + env + "}\\centering\\input{" + file + "}\\caption{Figure " +
             std::to_string(figures + 1) + ".}\\end{" + env + "}\n";
      ++figures;
    }
  }
  doc += "\\end{document}\n";
  write_text(dir / "all.tex", doc);
  const CommandResult tex =
      actbench_test::run_captured("cd " + shell_quote(dir.string()) + " && timeout 60 pdflatex",
                                  {"-interaction=nonstopmode", "-halt-on-error", "all.tex"});
  const std::string log = fs::exists(dir / "all.log") ? read_text(dir / "all.log") : "";
  ASSERT_EQ(tex.exit_code, 0) << tex.out << log;
  EXPECT_GT(figures, 10u);
  for (double too_wide : overfull_boxes(log)) EXPECT_LE(too_wide, 1.0) << log;
  EXPECT_THAT(log, Not(HasSubstr("Float too large"))) << log;
  const CommandResult fonts = actbench_test::run_captured("pdffonts", {(dir / "all.pdf").string()});
  ASSERT_EQ(fonts.exit_code, 0) << fonts.describe();
  EXPECT_THAT(fonts.out, HasSubstr("CMR8")) << fonts.out;
  EXPECT_THAT(fonts.out, Not(HasSubstr("CMSS"))) << fonts.out;
  EXPECT_THAT(fonts.out, Not(HasSubstr("Type 3"))) << fonts.out;
}

}  // namespace
