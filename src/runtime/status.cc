#include "runtime/status.h"

#include <cstdio>

namespace tinymlops {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kOutOfRange: return "out of range";
    case StatusCode::kResourceExhausted: return "resource exhausted";
    case StatusCode::kFailedPrecondition: return "failed precondition";
    case StatusCode::kIoError: return "i/o error";
    case StatusCode::kInternal: return "internal error";
  }
  return "unknown";
}

Status Status::Error(StatusCode code, const char* format, ...) {
  Status status;
  status.code_ = code == StatusCode::kOk ? StatusCode::kInternal : code;
  va_list args;
  va_start(args, format);
  std::vsnprintf(status.message_, kMaxMessage, format, args);
  va_end(args);
  return status;
}

}  // namespace tinymlops
