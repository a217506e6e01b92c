#include "util/sha256.h"

#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "util/error.h"

namespace actbench {

namespace {

constexpr size_t kChunk = size_t(1) << 20;

struct CtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxDeleter>;

// OpenSSL failing here means no memory or a broken libcrypto, never the user's input.
void check(int ok, const char* what) {
  if (ok != 1) throw std::runtime_error(std::string("SHA-256: ") + what + " failed");
}

Ctx new_context() {
  Ctx ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::runtime_error("SHA-256: EVP_MD_CTX_new failed");
  check(EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr), "EVP_DigestInit_ex");
  return ctx;
}

std::string finish(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  check(EVP_DigestFinal_ex(ctx, digest, &length), "EVP_DigestFinal_ex");
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

// Closes the descriptor on every way out of sha256_file.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

struct Sha256::Impl {
  EVP_MD_CTX* ctx = new_context().release();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {}
Sha256::~Sha256() = default;

void Sha256::update(const void* data, size_t size) {
  check(EVP_DigestUpdate(impl_->ctx, data, size), "EVP_DigestUpdate");
}

std::string Sha256::hex() {
  return finish(impl_->ctx);
}

std::string sha256_hex(std::string_view bytes) {
  Ctx ctx = new_context();
  check(EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()), "EVP_DigestUpdate");
  return finish(ctx.get());
}

std::string sha256_file(const std::filesystem::path& path) {
  auto unreadable = [&path](int err) {
    return InputError(path.string() + ": cannot be read (" + std::strerror(err) + ")");
  };
  // open(2) succeeds on a directory; read(2) then fails with EISDIR, which names the problem.
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) throw unreadable(errno);
  Ctx ctx = new_context();
  std::vector<char> buffer(kChunk);
  for (;;) {
    ssize_t n = ::read(file.fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw unreadable(errno);
    }
    if (n == 0) break;
    check(EVP_DigestUpdate(ctx.get(), buffer.data(), size_t(n)), "EVP_DigestUpdate");
  }
  return finish(ctx.get());
}

}  // namespace actbench
