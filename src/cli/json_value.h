// JsonValue: a small tree of JSON values that a CLI command builds as its report, printed
// either as JSON (--json) or as indented human-readable text. Objects keep insertion order.
// Strings are emitted as UTF-8; bytes that are not valid UTF-8 become U+FFFD. Non-finite
// numbers become null (JSON has no infinity).
// Thread-safety: a value type, no shared state.
#ifndef TINYMLOPS_CLI_JSON_VALUE_H_
#define TINYMLOPS_CLI_JSON_VALUE_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace tinymlops::cli {

class JsonValue {
 public:
  JsonValue() = default;                                       // null
  JsonValue(bool value) : kind_(Kind::kBool), bool_(value) {}  // NOLINT: implicit by design
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>,
                                         int> = 0>
  JsonValue(T value)  // NOLINT: implicit by design
      : kind_(Kind::kInteger), integer_(static_cast<int64_t>(value)) {}
  JsonValue(double value) : kind_(Kind::kNumber), number_(value) {}                  // NOLINT
  JsonValue(std::string value) : kind_(Kind::kString), string_(std::move(value)) {}  // NOLINT
  JsonValue(const char* value) : JsonValue(std::string(value)) {}                    // NOLINT

  static JsonValue Object();
  static JsonValue Array();

  // Adds a member to an object (keys are not checked for uniqueness); returns *this.
  JsonValue& Set(const std::string& key, JsonValue value);
  // Appends an element to an array; returns *this.
  JsonValue& Append(JsonValue value);

  // Pretty-printed JSON with two-space indentation, ending in a newline.
  std::string ToJson() const;
  // Human-readable text: "key: value" lines, nested values indented, arrays of scalars inline.
  std::string ToText() const;

 private:
  enum class Kind { kNull, kBool, kInteger, kNumber, kString, kArray, kObject };

  bool IsInline() const;
  void AppendJson(int indent, std::string& out) const;
  void AppendInline(std::string& out) const;
  void AppendTextLines(int indent, std::string& out) const;

  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  int64_t integer_ = 0;
  double number_ = 0;
  std::string string_;
  std::vector<std::string> keys_;    // objects: one key per child
  std::vector<JsonValue> children_;  // arrays and objects
};

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_JSON_VALUE_H_
