// JsonNestingDepth: how deeply `text` nests JSON arrays and objects (brackets inside strings do
// not count), read without parsing it. Parsers of untrusted JSON call it first and refuse a
// text deeper than their limit, because nlohmann-json parses recursively.
// Thread-safety: a pure function.
#ifndef TINYMLOPS_FORMAT_JSON_NESTING_H_
#define TINYMLOPS_FORMAT_JSON_NESTING_H_

#include <string>

namespace tinymlops::format {

int JsonNestingDepth(const std::string& text);

}  // namespace tinymlops::format

#endif  // TINYMLOPS_FORMAT_JSON_NESTING_H_
