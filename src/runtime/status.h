// Status and Result<T>: errors as values across every module boundary.
//
// A Status is either OK or carries a code and a one-line message that says what failed, on what
// input, and what to do. The message lives in a fixed buffer inside the Status so that building
// one never touches the heap: the runtime uses Status on microcontrollers, without exceptions.
// Messages longer than the buffer are truncated. Thread-safety: a value type, no shared state.
#ifndef TINYMLOPS_RUNTIME_STATUS_H_
#define TINYMLOPS_RUNTIME_STATUS_H_

#include <cstdarg>
#include <cstddef>
#include <utility>

namespace tinymlops {

enum class StatusCode : unsigned char {
  kOk = 0,
  kInvalidArgument,   // the caller passed something malformed (bad file, bad shape, bad flag)
  kNotFound,          // a named thing (file, input, op kernel) does not exist
  kUnsupported,       // well-formed but outside what this build implements
  kOutOfRange,        // an index, size or value beyond its allowed bounds
  kResourceExhausted, // not enough memory or arena
  kFailedPrecondition,// called in the wrong state (invoke before allocate, ...)
  kIoError,           // the operating system refused a read or write
  kInternal,          // a broken invariant inside tinymlops: a bug to report
};

// Returns a short lowercase name for `code` ("invalid argument", ...).
const char* StatusCodeName(StatusCode code);

class Status {
 public:
  static constexpr size_t kMaxMessage = 240;

  Status() = default;  // OK
  static Status Ok() { return Status(); }
  // printf-style constructor of an error; `code` must not be kOk.
  static Status Error(StatusCode code, const char* format, ...)
      __attribute__((format(printf, 2, 3)));

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // The message without the code name; "" when OK.
  const char* message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  char message_[kMaxMessage] = {};
};

// A value of type T or an error Status. T must be default-constructible and movable.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(status) {}     // NOLINT: implicit by design; must not be OK

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() { return value_; }
  const T& value() const { return value_; }
  T& operator*() { return value_; }
  const T& operator*() const { return value_; }
  T* operator->() { return &value_; }
  const T* operator->() const { return &value_; }

 private:
  Status status_;
  T value_{};
};

}  // namespace tinymlops

#define TINYMLOPS_CONCAT_INNER(a, b) a##b
#define TINYMLOPS_CONCAT(a, b) TINYMLOPS_CONCAT_INNER(a, b)

// Evaluates `expr` (a Status) and returns it from the enclosing function if it is an error.
#define TMM_RETURN_IF_ERROR(expr)                          \
  do {                                                     \
    ::tinymlops::Status tmm_status_ = (expr);              \
    if (!tmm_status_.ok()) return tmm_status_;             \
  } while (0)

// Evaluates `rexpr` (a Result<T>); on error returns its Status, else moves the value into `lhs`.
#define TMM_ASSIGN_OR_RETURN(lhs, rexpr) \
  TMM_ASSIGN_OR_RETURN_IMPL(TINYMLOPS_CONCAT(tmm_result_, __LINE__), lhs, rexpr)
#define TMM_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                              \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp.value())

#endif  // TINYMLOPS_RUNTIME_STATUS_H_
