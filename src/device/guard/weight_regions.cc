#include "device/guard/weight_regions.h"

namespace tinymlops::device {

std::vector<ByteRegion> WeightRegions(const tmm::Model& model) {
  std::vector<ByteRegion> regions;
  if (!model.buffers()) return regions;
  for (const tmm::Buffer* buffer : *model.buffers())
    if (buffer->data() && buffer->data()->size() > 0)
      regions.push_back({buffer->data()->data(), buffer->data()->size()});
  return regions;
}

}  // namespace tinymlops::device
