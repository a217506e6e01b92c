#include "summary/summary_format.h"

#include <cmath>

#include <fmt/format.h>

namespace actbench {
using Json = nlohmann::json;

Json finite_or_null(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}

Json estimate_to_json(const Estimate& e) {
  Json ci = std::isfinite(e.half_width) ? Json::array({e.low(), e.high()}) : Json(nullptr);
  return {{"n", e.n},
          {"mean", finite_or_null(e.mean)},
          {"std", finite_or_null(e.std)},
          {"ci95_half_width", finite_or_null(e.half_width)},
          {"ci95", ci}};
}

std::string fixed(double v, int decimals) {
  return fmt::format("{:.{}f}", v, decimals);
}

std::string p_text(double p) {
  if (!std::isfinite(p)) return "p = n/a";
  if (p < 0.001) return "p < 0.001";
  return "p = " + fixed(p, 3);
}

const char* spread_field(Spread spread) {
  return spread == Spread::kSd ? "std" : "ci95_half_width";
}

Spread summary_spread(const Json& summary) {
  return parse_choice<Spread>(summary.value("spread", "ci95")).value_or(Spread::kCi95);
}

std::string with_spread(const Json& e, int decimals, Spread spread) {
  if (e.is_null() || e.at("mean").is_null()) return "-";
  std::string s = fixed(e.at("mean").get<double>(), decimals);
  const Json& by = e.at(spread_field(spread));
  if (!by.is_null()) s += " \u00b1 " + fixed(by.get<double>(), decimals);
  return s;
}

std::string spread_label(Spread spread) {
  return spread == Spread::kSd ? "\u00b1SD" : "\u00b195% CI";
}

std::string spread_sentence(Spread spread) {
  return spread == Spread::kSd
             ? "\u00b1 is one sample standard deviation over seeds"
             : "\u00b1 is the half-width of the 95% confidence interval of the mean over seeds "
               "(Student's t)";
}

}  // namespace actbench
