#include "util/text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "util/error.h"
#include "util/utf8.h"

namespace actbench {

std::string to_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string name_key(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '_' || c == '-' || c == ' ') continue;
    out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

std::string file_safe_name(const std::string& label) {
  std::string out;
  for (char ch : label) {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      out += char(std::tolower(static_cast<unsigned char>(ch)));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "run" : out.substr(0, 40);
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string format_number(double v) {
  char buf[64];
  const double mag = std::fabs(v);
  const bool plain = mag == 0.0 || (mag >= 1e-4 && mag < 1e15);  // no exponent needed
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (plain && std::strchr(buf, 'e')) continue;
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t sub = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      }
      std::swap(prev, cur);
    }
    return prev[b.size()];
  };
  std::string best;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    size_t d = distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::string value_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  // Long runs of one value, like a deep network's widths: [128]*16.
  if (v.is_array() && v.size() >= 3 &&
      std::all_of(v.begin(), v.end(), [&](const nlohmann::json& x) { return x == v.front(); })) {
    return "[" + value_text(v.front()) + "]*" + std::to_string(v.size());
  }
  if (v.is_number_float()) return format_number(v.get<double>());
  return v.dump();
}

std::string json_for_message(const nlohmann::json& v) {
  if (v.is_number_float() && !std::isfinite(v.get<double>())) {
    return std::isnan(v.get<double>()) ? "nan" : v.get<double>() > 0 ? "inf" : "-inf";
  }
  if (v.is_array()) {
    std::vector<std::string> items;
    for (const auto& x : v) items.push_back(json_for_message(x));
    return "[" + join(items, ",") + "]";
  }
  if (v.is_object()) {
    std::vector<std::string> items;
    for (const auto& [k, x] : v.items())
      items.push_back(nlohmann::json(k).dump() + ":" + json_for_message(x));
    return "{" + join(items, ",") + "}";
  }
  return v.dump();
}

size_t invalid_utf8_offset(const std::string& text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c < 0x80) {
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char b = p[i + k];
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return i;
    }
    i += len;
  }
  return std::string::npos;
}

void require_utf8(const std::string& text, const std::string& what, const std::string& fix) {
  const size_t at = invalid_utf8_offset(text);
  if (at == std::string::npos) return;
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[at]));
  throw InputError(what + " is not UTF-8 text (byte " + byte + " at offset " + std::to_string(at) +
                   "); " + fix);
}

std::string last_key_part(const std::string& key) {
  size_t dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

std::vector<std::pair<std::string, std::string>> point_parts(const nlohmann::json& point,
                                                             const std::vector<std::string>& keys) {
  std::vector<std::pair<std::string, std::string>> parts;
  for (const auto& k : keys) {
    if (!point.contains(k)) continue;
    const std::string last = last_key_part(k);
    const bool shared = std::count_if(keys.begin(), keys.end(), [&](const std::string& other) {
                          return last_key_part(other) == last;
                        }) > 1;
    parts.emplace_back(k, (shared ? k : last) + "=" + value_text(point.at(k)));
  }
  return parts;
}

std::string describe_point(const nlohmann::json& point, const std::vector<std::string>& keys) {
  std::vector<std::string> texts;
  for (const auto& part : point_parts(point, keys)) texts.push_back(part.second);
  return join(texts, " ");
}

std::string duration_text(double seconds) {
  const auto s = static_cast<int64_t>(std::max(0.0, seconds) + 0.5);
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min {:02} s", s / 60, s % 60);
  return fmt::format("{} h {:02} min", s / 3600, (s % 3600) / 60);
}

}  // namespace actbench
