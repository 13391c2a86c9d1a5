// Reading a .tmm model from memory: verification before any field is trusted.
//
// VerifyModel runs the flatbuffers verifier (every offset and vector stays inside the buffer),
// checks the file identifier and format version, then checks the graph's own invariants:
// tensor indices in range, ranks and element counts bounded, constant data exactly the size
// its tensor needs and 16-byte aligned, quantization parameters consistent with their axis,
// operators in an order where every tensor is written before it is read and written once.
// After it returns OK, the runtime may index the model without further bounds checks; a
// malformed file is an error, never a crash.
//
// The data is not copied: the returned pointer refers into `data`, which must outlive it.
// Thread-safety: pure functions.
#ifndef TINYMLOPS_FORMAT_MODEL_FILE_H_
#define TINYMLOPS_FORMAT_MODEL_FILE_H_

#include <cstddef>
#include <cstdint>

#include "format/tmm_generated.h"
#include "runtime/status.h"

namespace tinymlops::format {

// The format version this build reads and writes.
constexpr uint32_t kTmmFormatVersion = 1;
// Limits that keep every later size computation far from overflow.
constexpr int64_t kMaxTensorElements = int64_t{1} << 31;

// Verifies `data` as a .tmm model (see above) and returns its root table.
Result<const tmm::Model*> VerifyModel(const void* data, size_t size);

}  // namespace tinymlops::format

#endif  // TINYMLOPS_FORMAT_MODEL_FILE_H_
