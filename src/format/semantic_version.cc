#include "format/semantic_version.h"

namespace tinymlops::format {

Result<SemanticVersion> ParseSemanticVersion(const std::string& text) {
  uint32_t parts[3] = {0, 0, 0};
  size_t position = 0;
  for (int part = 0; part < 3; ++part) {
    const size_t start = position;
    uint64_t value = 0;
    while (position < text.size() && text[position] >= '0' && text[position] <= '9' &&
           value <= UINT32_MAX)
      value = value * 10 + static_cast<uint64_t>(text[position++] - '0');
    const bool separator_ok =
        part == 2 ? (position == text.size() || text[position] == '-' || text[position] == '+')
                  : (position < text.size() && text[position] == '.');
    if (position == start || value > UINT32_MAX || !separator_ok)
      return Status::Error(StatusCode::kInvalidArgument,
                           "'%s' is not a semantic version MAJOR.MINOR.PATCH (e.g. 1.2.0)",
                           text.c_str());
    parts[part] = static_cast<uint32_t>(value);
    if (part < 2) ++position;
  }
  return SemanticVersion{parts[0], parts[1], parts[2]};
}

}  // namespace tinymlops::format
