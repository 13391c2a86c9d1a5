// The bytes of a loaded model that must never change while it serves: the constant data of
// every buffer of a verified .tmm model (weights, biases, quantization tables), in buffer
// order, as spans into the model bytes. The integrity guard hashes exactly these.
// Thread-safety: pure function.
#ifndef TINYMLOPS_DEVICE_GUARD_WEIGHT_REGIONS_H_
#define TINYMLOPS_DEVICE_GUARD_WEIGHT_REGIONS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "format/tmm_generated.h"

namespace tinymlops::device {

struct ByteRegion {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

std::vector<ByteRegion> WeightRegions(const tmm::Model& model);

}  // namespace tinymlops::device

#endif  // TINYMLOPS_DEVICE_GUARD_WEIGHT_REGIONS_H_
