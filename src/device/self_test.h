// Self-test vectors of a package (manifest self_tests): each binds inputs by name, runs the
// model once and compares every expected output by name: integer outputs exactly, float32
// outputs within |got - expected| <= tolerance * max(1, |expected|).
// Errors: kFailedPrecondition naming the test, tensor and first differing element; or
// kInvalidArgument when a vector does not fit the model (unknown name, dtype or shape).
// Thread-safety: uses the interpreter; one caller at a time.
#ifndef TINYMLOPS_DEVICE_SELF_TEST_H_
#define TINYMLOPS_DEVICE_SELF_TEST_H_

#include "format/package_manifest.h"
#include "runtime/interpreter.h"
#include "runtime/status.h"

namespace tinymlops::device {

Status RunSelfTests(runtime::Interpreter& interpreter, const tpkg::ManifestT& manifest);

}  // namespace tinymlops::device

#endif  // TINYMLOPS_DEVICE_SELF_TEST_H_
