// Self-test vectors for a package (manifest self_tests, checked by device/self_test.h on the
// device): MakeSelfTest runs the model once on the host with the reference kernels and records
// the inputs with the outputs it gave, so a device proves after loading that it computes the
// same thing.
// Errors: the model does not load, or an input is missing or of the wrong dtype or shape.
// Thread-safety: pure function.
#ifndef TINYMLOPS_TOOLCHAIN_PACKAGE_SELF_TEST_VECTORS_H_
#define TINYMLOPS_TOOLCHAIN_PACKAGE_SELF_TEST_VECTORS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "format/package_manifest.h"
#include "runtime/status.h"
#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

Result<std::unique_ptr<tpkg::SelfTestT>> MakeSelfTest(
    const std::vector<uint8_t>& tmm_bytes, const std::map<std::string, TensorDef>& inputs);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_PACKAGE_SELF_TEST_VECTORS_H_
