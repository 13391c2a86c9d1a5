// libFuzzer target: arbitrary bytes as an ONNX model. The importer must either fail with a
// Status or give a Graph that the .tmm writer serializes (or rejects with a Status); nothing may
// crash.
#include <cstdint>
#include <string>

#include "toolchain/graph/tmm_writer.h"
#include "toolchain/onnx/onnx_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  auto graph = tinymlops::toolchain::ImportOnnx(bytes, tinymlops::toolchain::OnnxImportOptions());
  if (graph.ok()) (void)tinymlops::toolchain::WriteTmm(*graph);
  return 0;
}
