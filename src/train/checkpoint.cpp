#include "train/checkpoint.h"

#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "activations/registry.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace actbench {
namespace {

constexpr const char* kFormat = "actbench.checkpoint/2";

// After LibTorch's archive, the SHA-256 of its bytes: a checkpoint changed after it was written
// (a flipped bit, a bad copy) is not resumed from.
constexpr std::string_view kTrailerStart = "\nactbench-checkpoint-sha256:";
constexpr size_t kTrailerSize = kTrailerStart.size() + 64 + 1;  // the hex digits, "\n"

// A checkpoint whose checksum does not hold; what() is the whole reason.
class Damaged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The archive's bytes in `file` (the trailer checked and cut off); throws Damaged.
std::string_view checked_archive(std::string_view file) {
  if (file.size() < kTrailerSize ||
      file.substr(file.size() - kTrailerSize, kTrailerStart.size()) != kTrailerStart) {
    throw Damaged("it ends without its checksum (cut short, or written by an earlier actbench)");
  }
  const std::string_view archive = file.substr(0, file.size() - kTrailerSize);
  const std::string_view digest = file.substr(archive.size() + kTrailerStart.size(), 64);
  if (sha256_hex(archive) != digest) {
    throw Damaged("its content does not match its checksum (changed after actbench wrote it)");
  }
  return archive;
}

// The epochs' metrics as one list of doubles (exact, NaN and infinities included): per epoch a
// fixed part, then the optional values each behind a 0/1 flag, lists behind their length.
class Writer {
 public:
  void put(double v) { out_.push_back(v); }
  void opt(const std::optional<double>& v) {
    put(v ? 1 : 0);
    put(v.value_or(0));
  }
  void list(const std::vector<double>& v) {
    put(double(v.size()));
    out_.insert(out_.end(), v.begin(), v.end());
  }
  const std::vector<double>& values() const { return out_; }

 private:
  std::vector<double> out_;
};

class Reader {
 public:
  explicit Reader(const torch::Tensor& t)
      : t_(t.contiguous()), p_(t_.data_ptr<double>()), n_(t_.numel()) {}
  double get() {
    if (i_ >= n_) throw std::runtime_error("the metrics end early");
    return p_[i_++];
  }
  int64_t count(int64_t max) {
    const double v = get();
    if (!(v >= 0 && v <= double(max)) || v != double(int64_t(v))) {
      throw std::runtime_error("a count in the metrics is out of range");
    }
    return int64_t(v);
  }
  std::optional<double> opt() {
    const bool has = count(1) == 1;
    const double v = get();
    return has ? std::optional<double>(v) : std::nullopt;
  }
  std::vector<double> list() {
    std::vector<double> v(size_t(count(1 << 20)));
    for (double& x : v) x = get();
    return v;
  }
  bool done() const { return i_ == n_; }

 private:
  torch::Tensor t_;
  const double* p_;
  int64_t n_;
  int64_t i_ = 0;
};

torch::Tensor encode_metrics(const RunResult& r) {
  Writer w;
  w.put(double(r.epochs.size()));
  for (const EpochMetrics& e : r.epochs) {
    for (double v : {double(e.epoch), e.train_loss, e.train_accuracy, e.test_loss, e.test_accuracy,
                     e.seconds, e.train_seconds, e.test_seconds}) {
      w.put(v);
    }
    w.opt(e.val_loss);
    w.opt(e.val_accuracy);
    w.put(e.diagnostics ? 1 : 0);
    if (e.diagnostics) {
      const EpochDiagnostics& d = *e.diagnostics;
      w.list(d.grad_norm);
      w.put(double(d.layers.size()));
      for (const LayerStats& l : d.layers) {
        for (double v : {l.dead, l.saturated, l.mean, l.std}) w.put(v);
      }
      w.opt(d.forward_seconds);
      w.opt(d.backward_seconds);
      w.opt(d.optimizer_seconds);
    }
    // The learned parameters as JSON text (its numbers round-trip exactly), a char per value.
    const std::string learned = e.learned.is_null() ? "" : e.learned.dump();
    w.list(std::vector<double>(learned.begin(), learned.end()));
  }
  w.list(r.initial_grad_norm);
  return torch::tensor(w.values(), torch::kDouble);
}

void decode_metrics(const torch::Tensor& t, RunResult& r) {
  if (t.scalar_type() != torch::kDouble || t.dim() != 1) throw std::runtime_error("bad metrics");
  Reader in(t);
  std::vector<EpochMetrics> epochs(size_t(in.count(1 << 20)));
  for (EpochMetrics& e : epochs) {
    e.epoch = in.count(1 << 20);  // a double past int64's range would not convert (UB)
    e.train_loss = in.get();
    e.train_accuracy = in.get();
    e.test_loss = in.get();
    e.test_accuracy = in.get();
    e.seconds = in.get();
    e.train_seconds = in.get();
    e.test_seconds = in.get();
    e.val_loss = in.opt();
    e.val_accuracy = in.opt();
    if (in.count(1) == 1) {
      EpochDiagnostics d;
      d.grad_norm = in.list();
      d.layers.resize(size_t(in.count(1 << 20)));
      for (LayerStats& l : d.layers) {
        l.dead = in.get();
        l.saturated = in.get();
        l.mean = in.get();
        l.std = in.get();
      }
      d.forward_seconds = in.opt();
      d.backward_seconds = in.opt();
      d.optimizer_seconds = in.opt();
      e.diagnostics = std::move(d);
    }
    const std::vector<double> chars = in.list();
    if (!chars.empty()) {
      std::string text;
      for (double c : chars) {
        if (!(c >= 0 && c < 256)) throw std::runtime_error("bad learned values");
        text.push_back(char(int(c)));
      }
      e.learned = Json::parse(text);
    }
  }
  std::vector<double> initial = in.list();
  if (!in.done()) throw std::runtime_error("the metrics do not end where they should");
  r.epochs = std::move(epochs);
  r.initial_grad_norm = std::move(initial);
}

// `file`'s archive for `model`, read whole but bounded (util/fs.h: a pipe or a device is refused,
// not waited on; a checkpoint holds the parameters, at most a few optimizer states of each, and
// the metrics) and its checksum checked (throws Damaged).
void load_archive(const CheckpointFile& file, MLP& model, torch::serialize::InputArchive& archive) {
  uintmax_t parameter_bytes = 0;
  for (const auto& p : model->parameters()) parameter_bytes += uintmax_t(p.nbytes());
  const std::string bytes =
      read_file(file.path, {16 * parameter_bytes + (uintmax_t(64) << 20), "a checkpoint"});
  const std::string_view checked = checked_archive(bytes);
  archive.load_from(checked.data(), checked.size());
}

std::string meta_text(const CheckpointFile& file, const RunResult& r) {
  return std::string(kFormat) + "\n" + file.tag + "\n" + std::to_string(r.epochs.size());
}

}  // namespace

void save_checkpoint(const CheckpointFile& file, MLP& model, const StepEngine& engine,
                     const at::Generator& shuffle, const RunResult& result) {
  torch::NoGradGuard no_grad;
  torch::serialize::OutputArchive archive;
  archive.write("meta", c10::IValue(meta_text(file, result)));
  torch::serialize::OutputArchive params;
  const std::vector<torch::Tensor> ps = model->parameters();
  for (size_t i = 0; i < ps.size(); ++i)
    params.write("p" + std::to_string(i), ps[i].detach().cpu().clone());
  archive.write("parameters", params);
  torch::serialize::OutputArchive optimizer;
  engine.save_state(optimizer);
  archive.write("optimizer", optimizer);
  archive.write("shuffle", shuffle.get_state());
  torch::serialize::OutputArchive generators;
  auto& acts = model->activations();
  for (size_t i = 0; i < acts.size(); ++i) {
    if (at::Generator* g = activation_generator(acts[i])) {
      generators.write("a" + std::to_string(i), g->get_state());
    }
  }
  archive.write("activation_generators", generators);
  archive.write("metrics", encode_metrics(result));
  std::error_code ec;
  std::filesystem::create_directories(file.path.parent_path(), ec);
  // Streamed to the file (the serialised bytes are never held in memory whole), hashed on the
  // way, the digest last.
  write_file_atomic_stream(file.path, [&](const ChunkWriter& write) {
    Sha256 hash;
    archive.save_to([&](const void* data, size_t size) {
      hash.update(data, size);
      write(data, size);
      return size;
    });
    const std::string trailer = std::string(kTrailerStart) + hash.hex() + "\n";
    write(trailer.data(), trailer.size());
  });
}

std::optional<int64_t> load_checkpoint(const CheckpointFile& file, MLP& model, StepEngine& engine,
                                       at::Generator& shuffle, RunResult& result,
                                       std::string& why) {
  why.clear();
  std::error_code ec;
  if (!std::filesystem::exists(file.path, ec)) return std::nullopt;
  try {
    torch::serialize::InputArchive archive;
    load_archive(file, model, archive);
    c10::IValue meta;
    archive.read("meta", meta);
    if (!meta.isString()) throw std::runtime_error("no checkpoint header");
    const std::string header = meta.toStringRef();
    const std::string expected_start = std::string(kFormat) + "\n" + file.tag + "\n";
    if (header.rfind(expected_start, 0) != 0) {
      why = "it belongs to other settings or data (another run)";
      return std::nullopt;
    }
    // Everything is read and checked before anything is restored.
    RunResult restored = result;
    torch::Tensor metrics;
    archive.read("metrics", metrics);
    decode_metrics(metrics, restored);
    if (header != meta_text(file, restored) || restored.epochs.empty()) {
      throw std::runtime_error("its header and metrics disagree");
    }
    torch::serialize::InputArchive params;
    archive.read("parameters", params);
    const std::vector<torch::Tensor> ps = model->parameters();
    std::vector<torch::Tensor> values(ps.size());
    for (size_t i = 0; i < ps.size(); ++i) {
      params.read("p" + std::to_string(i), values[i]);
      if (!values[i].sizes().equals(ps[i].sizes()) ||
          values[i].scalar_type() != ps[i].scalar_type()) {
        throw std::runtime_error("its parameters do not fit this model");
      }
    }
    torch::Tensor shuffle_state;
    archive.read("shuffle", shuffle_state);
    torch::serialize::InputArchive generators;
    archive.read("activation_generators", generators);
    auto& acts = model->activations();
    std::vector<std::pair<at::Generator*, torch::Tensor>> act_states;
    for (size_t i = 0; i < acts.size(); ++i) {
      if (at::Generator* g = activation_generator(acts[i])) {
        torch::Tensor state;
        generators.read("a" + std::to_string(i), state);
        act_states.emplace_back(g, state);
      }
    }
    torch::serialize::InputArchive optimizer;
    archive.read("optimizer", optimizer);
    // Restore. A failure from here on leaves the model or engine half restored: the caller
    // builds them again (see train_run).
    {
      torch::NoGradGuard no_grad;
      for (size_t i = 0; i < ps.size(); ++i) ps[i].detach().copy_(values[i]);
    }
    shuffle.set_state(shuffle_state);
    for (auto& [g, state] : act_states) g->set_state(state);
    engine.load_state(optimizer);
    result.epochs = std::move(restored.epochs);
    result.initial_grad_norm = std::move(restored.initial_grad_norm);
    return int64_t(result.epochs.size());
  } catch (const Damaged& e) {
    why = e.what();
    return std::nullopt;
  } catch (const std::exception& e) {
    why = std::string("it cannot be read (") + e.what() + ")";
    // The what() of LibTorch errors runs over many lines: keep the first.
    if (const size_t nl = why.find('\n'); nl != std::string::npos) why = why.substr(0, nl) + "...)";
    return std::nullopt;
  }
}

}  // namespace actbench
