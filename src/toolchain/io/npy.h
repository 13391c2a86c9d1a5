// Reading and writing NumPy .npy files (format versions 1.0-3.0, little-endian, C order) as
// toolchain tensors: float32, int8, uint8, int32, int64 (and bool/float64 read as converted).
// Errors: a malformed header, a Fortran-order array, an unsupported dtype, a size mismatch:
// each a one-line message naming the file. Thread-safety: pure functions.
#ifndef TINYMLOPS_TOOLCHAIN_IO_NPY_H_
#define TINYMLOPS_TOOLCHAIN_IO_NPY_H_

#include <string>

#include "runtime/status.h"
#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

// Parses .npy bytes; `source` names them in errors. The result is a constant TensorDef.
Result<TensorDef> ParseNpy(const std::string& bytes, const std::string& source);
Result<TensorDef> ReadNpyFile(const std::string& path);
// Serializes `tensor` (its dtype, shape and data) as .npy version 1.0.
std::string SerializeNpy(const TensorDef& tensor);
Status WriteNpyFile(const std::string& path, const TensorDef& tensor);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_IO_NPY_H_
