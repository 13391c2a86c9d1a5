#include "runtime/op_resolver.h"

namespace tinymlops::runtime {

void OpResolver::Add(tmm::OpType type, const KernelRegistration& registration) {
  const int index = static_cast<int>(type);
  if (index < 0 || index >= kOpTypeCount) return;
  registrations_[index] = registration;
  present_[index] = true;
}

const KernelRegistration* OpResolver::Find(tmm::OpType type) const {
  const int index = static_cast<int>(type);
  if (index < 0 || index >= kOpTypeCount || !present_[index]) return nullptr;
  return &registrations_[index];
}

}  // namespace tinymlops::runtime
