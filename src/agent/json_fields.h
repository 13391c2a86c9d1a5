// Typed reads of integer fields for the agent's parsers of its own files (state, slot
// manifests, outbox), used inside their try blocks: a missing field throws nlohmann's
// out_of_range, a field that is not an integer of the right sign throws invalid_argument. A
// number is never converted out of its range (that would be undefined behaviour: a file on disk
// may be damaged or altered).
// Thread-safety: pure functions.
#ifndef TINYMLOPS_AGENT_JSON_FIELDS_H_
#define TINYMLOPS_AGENT_JSON_FIELDS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace tinymlops::agent {

inline uint64_t UnsignedField(const nlohmann::json& object, const char* name) {
  const nlohmann::json& value = object.at(name);
  if (!value.is_number_unsigned())
    throw std::invalid_argument(std::string("'") + name + "' must be a non-negative integer");
  return value.get<uint64_t>();
}

inline int64_t IntegerField(const nlohmann::json& object, const char* name) {
  const nlohmann::json& value = object.at(name);
  if (!value.is_number_integer())
    throw std::invalid_argument(std::string("'") + name + "' must be an integer");
  return value.get<int64_t>();
}

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_JSON_FIELDS_H_
