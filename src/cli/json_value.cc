#include "cli/json_value.h"

#include <cmath>
#include <cstdio>

namespace tinymlops::cli {
namespace {

// Length of the valid UTF-8 sequence starting at `text[i]`, or 0 if it is not valid.
size_t Utf8SequenceLength(const std::string& text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t length;
  uint32_t code_point;
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    code_point = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    code_point = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3f);
  }
  const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < smallest[length] || code_point > 0x10ffff ||
      (code_point >= 0xd800 && code_point <= 0xdfff))
    return 0;
  return length;
}

void AppendQuoted(const std::string& text, std::string& out) {
  out += '"';
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
    } else {
      const size_t length = Utf8SequenceLength(text, i);
      if (length == 0) {
        out += "\xef\xbf\xbd";  // U+FFFD REPLACEMENT CHARACTER
        ++i;
        continue;
      }
      out.append(text, i, length);
      i += length;
      continue;
    }
    ++i;
  }
  out += '"';
}

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return "null";
  char text[32];
  std::snprintf(text, sizeof(text), "%.9g", value);
  return text;
}

}  // namespace

JsonValue JsonValue::Object() {
  JsonValue value;
  value.kind_ = Kind::kObject;
  return value;
}

JsonValue JsonValue::Array() {
  JsonValue value;
  value.kind_ = Kind::kArray;
  return value;
}

JsonValue& JsonValue::Set(const std::string& key, JsonValue value) {
  keys_.push_back(key);
  children_.push_back(std::move(value));
  return *this;
}

JsonValue& JsonValue::Append(JsonValue value) {
  children_.push_back(std::move(value));
  return *this;
}

std::string JsonValue::ToJson() const {
  std::string out;
  AppendJson(0, out);
  out += '\n';
  return out;
}

void JsonValue::AppendJson(int indent, std::string& out) const {
  if (IsInline()) {  // scalars, and arrays of scalars such as shapes, on one line
    AppendInline(out);
    return;
  }
  const bool object = kind_ == Kind::kObject;
  out += object ? "{\n" : "[\n";
  for (size_t i = 0; i < children_.size(); ++i) {
    out.append(indent + 2, ' ');
    if (object) {
      AppendQuoted(keys_[i], out);
      out += ": ";
    }
    children_[i].AppendJson(indent + 2, out);
    out += i + 1 < children_.size() ? ",\n" : "\n";
  }
  out.append(indent, ' ');
  out += object ? '}' : ']';
}

bool JsonValue::IsInline() const {
  if (kind_ == Kind::kObject) return children_.empty();
  if (kind_ != Kind::kArray) return true;
  for (const JsonValue& child : children_)
    if (child.kind_ == Kind::kArray || child.kind_ == Kind::kObject) return false;
  return true;
}

// Scalars as JSON literals, and arrays of scalars on one line.
void JsonValue::AppendInline(std::string& out) const {
  switch (kind_) {
    case Kind::kNull:
      out += "null";
      break;
    case Kind::kBool:
      out += bool_ ? "true" : "false";
      break;
    case Kind::kInteger:
      out += std::to_string(integer_);
      break;
    case Kind::kNumber:
      out += FormatNumber(number_);
      break;
    case Kind::kString:
      AppendQuoted(string_, out);
      break;
    case Kind::kObject:
      out += "{}";
      break;
    case Kind::kArray:
      out += '[';
      for (size_t i = 0; i < children_.size(); ++i) {
        if (i > 0) out += ", ";
        children_[i].AppendInline(out);
      }
      out += ']';
      break;
  }
}

std::string JsonValue::ToText() const {
  std::string out;
  if (kind_ == Kind::kString) {
    out = string_ + "\n";
  } else if (IsInline()) {
    AppendInline(out);
    out += '\n';
  } else {
    AppendTextLines(0, out);
  }
  return out;
}

void JsonValue::AppendTextLines(int indent, std::string& out) const {
  for (size_t i = 0; i < children_.size(); ++i) {
    const JsonValue& child = children_[i];
    const std::string prefix =
        std::string(indent, ' ') + (kind_ == Kind::kObject ? keys_[i] + ":" : "-");
    if (child.kind_ == Kind::kString) {
      out += prefix + " " + child.string_ + "\n";
    } else if (child.IsInline()) {
      out += prefix + " ";
      child.AppendInline(out);
      out += '\n';
    } else if (kind_ == Kind::kArray) {
      // "- " then the element's first line; its other lines align under that one.
      std::string lines;
      child.AppendTextLines(indent + 2, lines);
      out += prefix + lines.substr(indent + 1);
    } else {
      out += prefix + "\n";
      child.AppendTextLines(indent + 2, out);
    }
  }
}

}  // namespace tinymlops::cli
