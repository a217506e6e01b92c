#include "cli/logging.h"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "util/error.h"

namespace actbench::cli {
namespace {

// "[12:34:56] " before a log line; nothing before an error, which is the one line a user reads
// ("error: data directory ... not found").
class TimeUnlessError : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    if (msg.level >= spdlog::level::err) return;
    const std::time_t t = std::chrono::system_clock::to_time_t(msg.time);
    std::tm local{};
    localtime_r(&t, &local);
    char text[16];
    const size_t n = std::strftime(text, sizeof text, "[%H:%M:%S] ", &local);
    dest.append(text, text + n);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TimeUnlessError>();
  }
};

// ":" after the level of an error ("error: ..."), nothing after other levels ("info ...").
class ColonAfterError : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    if (msg.level >= spdlog::level::err) dest.push_back(':');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<ColonAfterError>();
  }
};

}  // namespace

void setup_logging() {
  // https://no-color.org
  const char* no_color = std::getenv("NO_COLOR");
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
      no_color != nullptr && *no_color != '\0' ? spdlog::color_mode::never
                                               : spdlog::color_mode::automatic);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<TimeUnlessError>('*').add_flag<ColonAfterError>('~').set_pattern(
      "%*%^%l%$%~ %v");
  sink->set_formatter(std::move(formatter));
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("actbench", sink));
}

void add_logging_options(CLI::App& app) {
  app.fallthrough();
  app.add_flag_callback(
      "-q,--quiet", [] { spdlog::set_level(spdlog::level::warn); }, "log only warnings and errors");
  app.add_flag_callback(
      "-v,--verbose", [] { spdlog::set_level(spdlog::level::debug); }, "log debug messages too");
  app.add_option_function<std::string>(
         "--log-file",
         [](const std::string& path) {
           try {
             auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
             file->set_pattern("[%Y-%m-%d %T] %l %v");
             spdlog::default_logger()->sinks().push_back(file);
           } catch (const spdlog::spdlog_ex& e) {
             throw InputError("--log-file " + path + ": " + e.what() +
                              "; choose a file in a writable directory");
           }
         },
         "also append the log to FILE")
      ->type_name("FILE");
}

}  // namespace actbench::cli
