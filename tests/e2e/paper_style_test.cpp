// The plot script's paper style: PDF and PGF of every figure drawn for the fixture sweep (all but
// those it has no data for: tests/support/plot_fixture.h) at IEEEtran's column width (252pt) and
// text width (516pt) by default, and at any --width (a length or a template's); 8-9 pt text in a
// serif (STIX) in the PDF, embedded TrueType fonts; LaTeX-safe PGF that names no font family;
// figures.tex with short captions that state n and what the bands are; --figures. The PDF checks
// that need a PDF reader (poppler-utils: pdfinfo, pdffonts, pdftotext) skip without one.
// tests/support/figure_checks.py reads what C++ cannot (a PDF's streams, a PNG's pixels). The
// figures in a compiled LaTeX document: latex_document_test.cpp.
#include "plot_fixture.h"

namespace {

using namespace actbench_plot_test;  // NOLINT: the fixture and its helpers

// The paper style, drawn once for the suite: PDF and PGF of every figure at IEEE's column width
// and text width (the default --width ieee), and figures.tex.
class PaperStyle : public PlotScript {
 protected:
  static void SetUpTestSuite() {
    out_ = new TempDir();
    result_ = new CommandResult(run_plot(
        {kFixture.string(), "--out", (out_->path() / "paper").string(), "--style", "paper"}));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete out_;
    result_ = nullptr;
    out_ = nullptr;
  }
  void SetUp() override {
    PlotScript::SetUp();
    if (IsSkipped()) return;
    ASSERT_EQ(result_->exit_code, 0) << describe(*result_);
  }
  static fs::path dir() { return out_->path() / "paper"; }

  static TempDir* out_;
  static CommandResult* result_;
};
TempDir* PaperStyle::out_ = nullptr;
CommandResult* PaperStyle::result_ = nullptr;

// A figure's name as figures.tex writes it in a comment: each _ escaped for LaTeX.
std::string tex_name(const std::string& name) {
  std::string out;
  for (char c : name) out += c == '_' ? std::string("\\_") : std::string(1, c);
  return out;
}

// Points per inch, as PDF counts (bp), and as TeX counts (pt).
constexpr double kPt = 72.0;
constexpr double kTexPt = 72.27;
// IEEEtran's \columnwidth (21pc) and \textwidth (43pc), in inches.
const std::vector<std::pair<std::string, double>> kWidths{{"", 252.0 / kTexPt},
                                                          {"-wide", 516.0 / kTexPt}};
// A word's box in pdftotext -bbox is its font's ascent plus descent: 1.51 x the size for
// STIXGeneral (1.055 + 0.455 em).
constexpr double kBoxPerPoint = 1.51;

TEST_F(PaperStyle, WritesPdfAndPgfOfEveryFigureAtBothWidthsAndNoReport) {
  // Every figure the fixture has data for (not tuning: the fixture sweep is not tuned); figures.tex
  // names the others as not drawn.
  const std::vector<std::string> drawn = fixture_figure_names();
  ASSERT_FALSE(drawn.empty());
  std::set<std::string> expected{"figures.tex"};
  for (const auto& f : drawn) {
    for (const auto& [suffix, width] : kWidths) {
      expected.insert(f + suffix + ".pdf");
      expected.insert(f + suffix + ".pgf");
    }
  }
  EXPECT_EQ(files_in(dir()), expected);
  EXPECT_EQ(lines_of(result_->out).size(), expected.size()) << describe(*result_);
  EXPECT_THAT(layout_problems(*result_), ::testing::IsEmpty()) << describe(*result_);

  // figures.tex: a figure environment per figure (the single-column PDF), each with its caption.
  const std::string tex = read_text(dir() / "figures.tex");
  for (const auto& f : drawn) {
    EXPECT_EQ(count_of(tex, "\\includegraphics{" + f + ".pdf}"), 1u) << f;
  }
  EXPECT_EQ(count_of(tex, "\\begin{figure}"), drawn.size());
  EXPECT_EQ(count_of(tex, "\\caption{"), drawn.size());
  for (const auto& optional : optional_figures()) {
    if (std::find(drawn.begin(), drawn.end(), optional.name) != drawn.end()) continue;
    EXPECT_THAT(result_->err, HasSubstr(optional.skipped)) << optional.name;
    EXPECT_THAT(tex, HasSubstr("% not drawn: " + tex_name(optional.name) + ": ")) << tex;
  }
  EXPECT_THAT(tex, HasSubstr("Holm"));
}

TEST_F(PaperStyle, PdfPagesAreAColumnWideWithEightToNinePointSerifTextInEmbeddedTrueType) {
  for (const auto& f : fixture_figure_names()) {
    for (const auto& [suffix, width] : kWidths) {
      SCOPED_TRACE(f + suffix + ".pdf");
      const nlohmann::json m = measure("pdf", dir() / (f + suffix + ".pdf"));
      ASSERT_TRUE(m.contains("media_boxes")) << m.dump();
      ASSERT_EQ(m["media_boxes"].size(), 1u) << m.dump();  // one page
      const auto& box = m["media_boxes"][0];
      EXPECT_NEAR(box[2].get<double>() - box[0].get<double>(), width * kPt, 0.01);
      const double height = box[3].get<double>() - box[1].get<double>();
      EXPECT_GT(height, 1.0 * kPt);
      EXPECT_LT(height, 9.0 * kPt);
      // Every text is set in 8 to 9 points (the operand of each Tf), and there is text.
      ASSERT_FALSE(m["font_sizes"].empty()) << m.dump();
      for (const auto& size : m["font_sizes"]) {
        EXPECT_GE(size.get<double>(), 8.0) << m.dump();
        EXPECT_LE(size.get<double>(), 9.0) << m.dump();
      }
      // TrueType outlines embedded (pdf.fonttype 42): a FontFile2 per font, no Type 3.
      ASSERT_FALSE(m["fonts"].empty());
      size_t truetype = 0;
      for (const auto& font : m["fonts"]) {
        const std::string subtype = font["subtype"].is_string() ? font["subtype"] : "";
        EXPECT_NE(subtype, "Type3") << font.dump();
        truetype += subtype == "CIDFontType2" || subtype == "TrueType";
      }
      EXPECT_GE(truetype, 1u);
      // A serif, as a paper's text: STIX (a Times design) for every text.
      for (const auto& font : m["fonts"]) {
        if (!font["name"].is_string()) continue;
        EXPECT_THAT(font["name"].get<std::string>(), HasSubstr("STIX")) << font.dump();
      }
      EXPECT_EQ(m["font_files"]["FontFile2"].get<size_t>(), truetype) << m.dump();
      EXPECT_EQ(m["font_files"]["FontFile"], 0);
      EXPECT_EQ(m["font_files"]["FontFile3"], 0);
    }
  }
}

// A text of a PGF picture with LaTeX's specials unescaped, or "" when there is none: _ & # % $
// not preceded by a backslash, outside \(...\) (math, as in a tick label 10^{-2}).
std::string unescaped_special(const std::string& text) {
  bool math = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool escaped = i > 0 && text[i - 1] == '\\';
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '(' || text[i + 1] == ')')) {
      math = text[i + 1] == '(';
      ++i;
      continue;
    }
    if (!math && !escaped && std::string("_&#%$").find(text[i]) != std::string::npos) {
      return text.substr(i);
    }
  }
  return "";
}

TEST_F(PaperStyle, PgfIsAPictureOfTheSameWidthWithLatexSafeTextInTheDocumentsFont) {
  EXPECT_EQ(unescaped_special("5\\% of \\(10^{-2}\\) d\\_z"), "");
  EXPECT_EQ(unescaped_special("test acc %"), "%");
  for (const auto& f : fixture_figure_names()) {
    for (const auto& [suffix, width] : kWidths) {
      SCOPED_TRACE(f + suffix + ".pgf");
      const std::string pgf = read_text(dir() / (f + suffix + ".pgf"));
      EXPECT_THAT(pgf, HasSubstr("\\begin{pgfpicture}"));
      EXPECT_THAT(pgf, HasSubstr("\\end{pgfpicture}"));
      char size[64];
      std::snprintf(size, sizeof size, "\\pgfqpoint{%.6fin}", width);
      EXPECT_THAT(pgf, HasSubstr(std::string("\\pgfpathrectangle{\\pgfpointorigin}{") + size));
      // No font family: LaTeX sets the text in the document's own font (\rmfamily around it).
      for (const char* family : {"\\rmfamily", "\\sffamily", "\\ttfamily", "\\setmainfont"}) {
        EXPECT_THAT(pgf, Not(HasSubstr(family)));
      }
      EXPECT_THAT(pgf, HasSubstr("\\fontsize{8.000000}{9.600000}\\selectfont "));
      // ASCII only: the non-ASCII symbols the figures use are LaTeX commands.
      EXPECT_EQ(std::count_if(pgf.begin(), pgf.end(),
                              [](char c) { return static_cast<unsigned char>(c) > 127; }),
                0);
      // Every text's specials escaped for LaTeX.
      size_t texts = 0;
      for (const auto& line : lines_of(pgf)) {
        const std::string marker = "\\selectfont ";
        const size_t at = line.find(marker);
        if (line.rfind("\\pgftext[", 0) != 0 || at == std::string::npos) continue;
        ++texts;
        std::string text = line.substr(at + marker.size());
        if (text.size() >= 2 && text.compare(text.size() - 2, 2, "}%") == 0) {
          text.resize(text.size() - 2);  // the end of \pgftext{...}, and of the line
        }
        EXPECT_EQ(unescaped_special(text), "") << line;
      }
      EXPECT_GT(texts, 5u);
    }
  }
}

// The number in the attribute `name="..."` of the first tag at or after `from` in pdftotext's
// -bbox output; NaN without one.
double attribute(const std::string& html, size_t from, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const size_t at = html.find(key, from);
  if (at == std::string::npos) return std::nan("");
  return std::strtod(html.c_str() + at + key.size(), nullptr);
}

// A PDF reader opens the single-column PDFs: pdfinfo reads the page size (252pt: 251.06 bp),
// pdffonts lists only embedded TrueType fonts, and pdftotext finds every word inside the page.
TEST_F(PaperStyle, PopplerOpensThePdfsAndFindsEveryWordOnThePage) {
  if (std::system("command -v pdfinfo >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1 && "
                  "command -v pdftotext >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "no pdfinfo, pdffonts and pdftotext (Debian: poppler-utils; "
                    "scripts/setup.sh --tests installs it)";
  }
  for (const auto& f : fixture_figure_names()) {
    SCOPED_TRACE(f + ".pdf");
    const std::string pdf = (dir() / (f + ".pdf")).string();
    const CommandResult info = actbench_test::run_captured("pdfinfo", {pdf});
    ASSERT_EQ(info.exit_code, 0) << info.describe();
    EXPECT_THAT(info.out, ::testing::ContainsRegex("Page size: +251\\.059 x [0-9.]+ pts"));
    EXPECT_THAT(info.out, ::testing::ContainsRegex("Pages: +1\n"));

    const CommandResult fonts = actbench_test::run_captured("pdffonts", {pdf});
    ASSERT_EQ(fonts.exit_code, 0) << fonts.describe();
    const std::vector<std::string> rows = lines_of(fonts.out);
    ASSERT_GE(rows.size(), 3u) << fonts.out;  // a header, a rule, a font at least
    for (size_t i = 2; i < rows.size(); ++i) {
      EXPECT_THAT(rows[i], HasSubstr("TrueType")) << fonts.out;
      EXPECT_THAT(rows[i], ::testing::ContainsRegex(" yes +yes +yes ")) << fonts.out;
    }

    const fs::path words = out_->path() / (f + ".words.html");
    const CommandResult text =
        actbench_test::run_captured("pdftotext", {"-bbox", pdf, words.string()});
    ASSERT_EQ(text.exit_code, 0) << text.describe();
    const std::string html = read_text(words);
    const size_t page = html.find("<page ");
    ASSERT_NE(page, std::string::npos) << html.substr(0, 500);
    const double page_w = attribute(html, page, "width"), page_h = attribute(html, page, "height");
    EXPECT_NEAR(page_w, 252.0 / kTexPt * kPt, 0.01);
    size_t count = 0;
    for (size_t at = html.find("<word "); at != std::string::npos;
         at = html.find("<word ", at + 1), ++count) {
      const size_t close = html.find('>', at), end = html.find("</word>", at);
      ASSERT_NE(end, std::string::npos);
      const std::string word = html.substr(close + 1, end - close - 1);
      const double x0 = attribute(html, at, "xMin"), y0 = attribute(html, at, "yMin"),
                   x1 = attribute(html, at, "xMax"), y1 = attribute(html, at, "yMax");
      EXPECT_GE(x0, -0.5) << word;
      EXPECT_GE(y0, -0.5) << word;
      EXPECT_LE(x1, page_w + 0.5) << word;
      EXPECT_LE(y1, page_h + 0.5) << word;
      // A word's box is as tall as its font's ascent plus descent (kBoxPerPoint x the size): 8
      // to 9 points. A rotated word (a y axis label) has that as its width instead.
      auto font_box = [](double extent) {
        return extent >= 8.0 * kBoxPerPoint * 0.98 && extent <= 9.0 * kBoxPerPoint * 1.02;
      };
      EXPECT_TRUE(font_box(y1 - y0) || font_box(x1 - x0))
          << word << ": " << (x1 - x0) << " x " << (y1 - y0) << " pt";
    }
    EXPECT_GT(count, 5u) << html.substr(0, 500);
  }
}

// --width: a template's column (one figure each, NAME.pdf), a length in cm, or two widths
// (NAME at the first, NAME-wide at the second); the page is exactly that wide, and figures.tex
// says so.
TEST_F(PaperStyle, WidthTakesALengthATemplateOrTwoWidths) {
  const struct {
    const char* width;
    std::vector<std::pair<std::string, double>> pages;  // suffix, width in inches
  } cases[] = {{"acm-column", {{"", 241.14 / kTexPt}}},
               {"8.5cm", {{"", 8.5 / 2.54}}},
               {"241pt,7in", {{"", 241.0 / kTexPt}, {"-wide", 7.0}}}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.width);
    const fs::path out = tmp_ / (std::string("w-") + c.width);
    const CommandResult r =
        run_plot({kFixture.string(), "--out", out.string(), "--style", "paper", "--formats", "pdf",
                  "--width", c.width, "--figures", "final_accuracy,test_accuracy"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_THAT(layout_problems(r), ::testing::IsEmpty()) << describe(r);
    std::set<std::string> expected{"figures.tex"};
    for (const auto& [suffix, inches] : c.pages) {
      for (const char* f : {"test_accuracy", "final_accuracy"}) {
        expected.insert(f + suffix + ".pdf");
        const nlohmann::json m = measure("pdf", out / (f + suffix + ".pdf"));
        ASSERT_EQ(m["media_boxes"].size(), 1u) << m.dump();
        const auto& box = m["media_boxes"][0];
        EXPECT_NEAR(box[2].get<double>() - box[0].get<double>(), inches * kPt, 0.01) << f;
      }
    }
    EXPECT_EQ(files_in(out), expected);
    const std::string tex = read_text(out / "figures.tex");
    EXPECT_EQ(count_of(tex, "\\begin{figure}"), 2u) << tex;
    char width[32];
    std::snprintf(width, sizeof width, "(%.2fpt)", c.pages[0].second * kTexPt);
    EXPECT_THAT(tex, HasSubstr(width)) << tex;
  }
}

TEST_F(PaperStyle, BadWidthOrFiguresIsOneErrorLineAndWritesNothing) {
  const struct {
    std::vector<std::string> args;
    const char* says;
  } cases[] = {
      {{"--style", "paper", "--width", "0.5in"}, "outside 1.5 to 12 in"},
      {{"--style", "paper", "--width", "ieee-colum"}, "a template (ieee-column, ieee-page"},
      {{"--style", "paper", "--width", "3in,5in,7in"}, "give one width or two"},
      {{"--style", "paper", "--width", "3furlongs"}, "is not a length"},
      {{"--width", "3in"}, "--width is for --style paper"},
      {{"--figures", "test_acuracy"}, "unknown figure test_acuracy (the figures: train_loss,"},
      {{"--style", "paper", "--figures", ","}, "names no figure"},
  };
  for (const auto& c : cases) {
    const fs::path out = tmp_ / "bad";
    std::vector<std::string> args{kFixture.string(), "--out", out.string()};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const CommandResult r = run_plot(args);
    SCOPED_TRACE(c.says);
    expect_one_line_error(r);
    EXPECT_THAT(r.err, HasSubstr(c.says));
    EXPECT_FALSE(fs::exists(out));
  }
}

// figures.tex's captions are short and factual: what is drawn, over how many seeds, what the
// bands are (the spread the tables state: summary.json's 95% interval here), what was trained.
TEST_F(PaperStyle, FiguresTexCaptionsStateNAndWhatTheBandsShow) {
  const std::string tex = read_text(dir() / "figures.tex");
  std::vector<std::string> captions;
  for (const auto& line : lines_of(tex)) {
    if (line.rfind("  \\caption{", 0) == 0) captions.push_back(line);
  }
  ASSERT_EQ(captions.size(), fixture_figure_names().size()) << tex;
  for (const auto& caption : captions) {
    EXPECT_LE(caption.size(), 420u) << caption;  // a few lines of a column, not a tutorial
    EXPECT_THAT(caption, HasSubstr("2 seeds")) << caption;
  }
  const std::string accuracy = captions[2];  // train_loss, test_loss, test_accuracy, ...
  EXPECT_THAT(accuracy, StartsWith("  \\caption{Test accuracy by epoch. Lines: mean over n = 2 "
                                   "seeds; bands: the 95\\% confidence interval of the mean"))
      << accuracy;
  EXPECT_THAT(tex, Not(HasSubstr("compare where the curves level off")));
  EXPECT_THAT(tex, HasSubstr("% NAME.pdf is 3.487 in (252.00pt) wide."));
  EXPECT_THAT(tex, HasSubstr("% NAME-wide.pdf is 7.140 in (516.00pt) wide; for figure*."));
}

// Twelve activations whose summary.json styles all collide (as labels styled by a hash can):
// each gets its own colour and marker, the per-epoch figures get a zoomed panel of the last
// epoch, the curves a small panel per activation, and the legends stay at 8 points and take at
// most 15% of the figure's height (ACTBENCH_PLOT_CHECK=1 logs a larger share as a problem).
TEST_F(PaperStyle, ManyActivationsGetDistinctStylesAZoomedPanelAndACompactLegend) {
  nlohmann::json summary = fixture_summary();
  nlohmann::json curves = nlohmann::json::parse(read_text(kFixture / "curves.json"));
  const nlohmann::json group = summary["groups"][0];
  const nlohmann::json curve = curves["activations"][0];
  summary["activations"] = nlohmann::json::array();
  summary["groups"] = nlohmann::json::array();
  curves["activations"] = nlohmann::json::array();
  for (int i = 1; i <= 12; ++i) {
    const std::string label = "Act " + std::to_string(i);
    summary["activations"].push_back({{"color", "#ee7733"},
                                      {"dash", "solid"},
                                      {"label", label},
                                      {"marker", "o"},
                                      {"name", "formula"}});
    nlohmann::json g = group;
    g["activation"] = label;
    g["name"] = label + " " + g["point_text"].get<std::string>();
    for (auto& m : g["series"]["test_accuracy"]["mean"]) m = m.get<double>() - 0.1 * i;
    summary["groups"].push_back(g);
    nlohmann::json c = curve;
    c["label"] = label;
    curves["activations"].push_back(c);
  }
  summary["differences"] = nlohmann::json::array();
  summary["differences_table"]["rows"] = nlohmann::json::array();
  summary.erase("comparison");
  const fs::path sweep = sweep_copy("many", summary);
  write_text(sweep / "curves.json", curves.dump());
  const fs::path out = tmp_ / "many-paper";
  const CommandResult r = run_plot({sweep.string(), "--out", out.string(), "--style", "paper",
                                    "--figures", "test_accuracy,curves"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_THAT(layout_problems(r), ::testing::IsEmpty()) << describe(r);
  for (int i = 2; i <= 12; ++i) {
    EXPECT_THAT(r.err, HasSubstr("restyled Act " + std::to_string(i) + ",")) << r.err;
  }
  const std::string zoom = read_text(out / "test_accuracy.pgf");
  EXPECT_THAT(zoom, HasSubstr("last epoch, zoomed"));
  EXPECT_THAT(zoom, HasSubstr("all epochs"));
  const std::string panels = read_text(out / "curves.pgf");
  for (const char* label : {"Act 1}", "Act 7}", "Act 12}"}) EXPECT_THAT(panels, HasSubstr(label));
  for (const char* f : {"test_accuracy", "curves", "test_accuracy-wide", "curves-wide"}) {
    SCOPED_TRACE(f);
    const nlohmann::json m = measure("pdf", out / (std::string(f) + ".pdf"));
    ASSERT_FALSE(m["font_sizes"].empty()) << m.dump();
    for (const auto& size : m["font_sizes"]) {
      EXPECT_GE(size.get<double>(), 8.0) << m.dump();
      EXPECT_LE(size.get<double>(), 9.0) << m.dump();
    }
  }
}

}  // namespace
