// JsonWriter: writes a JSON text straight into a string, for an answer served at every request
// (the check-in's) that would otherwise be built as an nlohmann::json tree only to be dumped.
// The output is what nlohmann::json::dump(-1, ' ', false, error_handler_t::replace) writes for
// the same values: no whitespace, strings escaped alike (invalid UTF-8 becomes U+FFFD), so
// the caller writes an object's keys in the order nlohmann's std::map would (sorted) to keep
// answers byte-identical to the tree's.
// The caller writes a well-formed sequence: Key() only inside an object, one value after each
// Key(), every Begin*() closed by its End*(); commas are placed by the writer.
// Thread-safety: one writer per thread.
#ifndef TINYMLOPS_SERVER_API_JSON_WRITER_H_
#define TINYMLOPS_SERVER_API_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tinymlops::server {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Null();
  // A JSON text written as it is: the caller has checked it is one valid value in the
  // writer's compact form (e.g. a text nlohmann dumped).
  JsonWriter& Raw(std::string_view json);

  std::string Take() { return std::move(out_); }

 private:
  void Separate();  // the comma before a value or key, if one came before it at this level
  void Escaped(std::string_view value);

  std::string out_;
  std::vector<bool> first_;  // per open object/array: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_API_JSON_WRITER_H_
