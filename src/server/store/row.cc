#include <cstdio>
#include <string>

#include "server/store/store.h"

namespace tinymlops::server {

bool Row::IsNull(size_t column) const {
  return column >= values_.size() || std::holds_alternative<std::monostate>(values_[column]);
}

int64_t Row::Int(size_t column) const {
  if (column >= values_.size()) return 0;
  const SqlValue& v = values_[column];
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) return std::strtoll(s->c_str(), nullptr, 10);
  return 0;
}

double Row::Number(size_t column) const {
  if (column >= values_.size()) return 0;
  const SqlValue& v = values_[column];
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* s = std::get_if<std::string>(&v)) return std::strtod(s->c_str(), nullptr);
  return 0;
}

std::string Row::Text(size_t column) const {
  if (column >= values_.size()) return "";
  const SqlValue& v = values_[column];
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", *d);
    return buffer;
  }
  return "";
}

}  // namespace tinymlops::server
