// Reading and writing NumPy .npy files as toolchain tensors.
//
// Reads format versions 1.0, 2.0 and 3.0, C order only, with the dtypes '<f4' (float32),
// '|i1' (int8), '|u1' (uint8), '<i4' (int32) and '<i8' (int64). Two more are converted on read:
// '|b1' (bool) becomes uint8 0/1, and '<f8' (float64) becomes float32 (rounded to nearest;
// values beyond float range become +-inf). Big-endian data, Fortran order, other dtypes and
// shapes with a dimension beyond int32 are refused. Writes version 1.0.
// Errors: a malformed header, a Fortran-order array, an unsupported dtype, a data size that does
// not match the shape: each a one-line message naming the file. Never crashes on bad bytes.
// Thread-safety: pure functions.
#ifndef TINYMLOPS_TOOLCHAIN_IO_NPY_H_
#define TINYMLOPS_TOOLCHAIN_IO_NPY_H_

#include <string>

#include "runtime/status.h"
#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

// Parses .npy bytes; `source` names them in errors. The result is a constant TensorDef.
Result<TensorDef> ParseNpy(const std::string& bytes, const std::string& source);
Result<TensorDef> ReadNpyFile(const std::string& path);
// Serializes `tensor` (its dtype, shape and data) as .npy version 1.0. The data must hold
// exactly ElementCount() elements of the dtype (WriteNpyFile checks; SerializeNpy assumes).
std::string SerializeNpy(const TensorDef& tensor);
// Writes atomically (toolchain/io/file_io.h).
Status WriteNpyFile(const std::string& path, const TensorDef& tensor);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_IO_NPY_H_
