// Serializing a Graph to .tmm bytes, and reading .tmm bytes back into a Graph.
//
// WriteTmm drops tensors no op or graph output uses, aligns every constant buffer to 16 bytes,
// records the distinct op types, and stores the arena size the reference kernels need, found
// by loading the written model into a runtime Interpreter (which also proves the file loads).
// ReadTmm verifies the bytes first (format/model_file.h).
// Errors: the model fails verification or a kernel's prepare rejects it; the message names
// the node. Thread-safety: pure functions.
#ifndef TINYMLOPS_TOOLCHAIN_GRAPH_TMM_WRITER_H_
#define TINYMLOPS_TOOLCHAIN_GRAPH_TMM_WRITER_H_

#include <cstdint>
#include <vector>

#include "runtime/status.h"
#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

Result<std::vector<uint8_t>> WriteTmm(const Graph& graph);
Result<Graph> ReadTmm(const void* data, size_t size);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_GRAPH_TMM_WRITER_H_
