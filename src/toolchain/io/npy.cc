#include "toolchain/io/npy.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>

#include "format/model_file.h"
#include "toolchain/io/file_io.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              ".npy reading assumes a little-endian host");

namespace tinymlops::toolchain {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr size_t kMaxRank = 32;  // NumPy's own limit

enum class Conversion { kNone, kBoolToUInt8, kFloat64ToFloat32 };

struct NpyDType {
  const char* descr;
  DType dtype;
  size_t file_item_size;
  Conversion conversion;
};

constexpr NpyDType kDTypes[] = {
    {"<f4", DType::kFloat32, 4, Conversion::kNone},
    {"|i1", DType::kInt8, 1, Conversion::kNone},
    {"|u1", DType::kUInt8, 1, Conversion::kNone},
    {"<i4", DType::kInt32, 4, Conversion::kNone},
    {"<i8", DType::kInt64, 8, Conversion::kNone},
    {"|b1", DType::kUInt8, 1, Conversion::kBoolToUInt8},
    {"<f8", DType::kFloat32, 8, Conversion::kFloat64ToFloat32},
};

struct NpyHeader {
  const NpyDType* dtype = nullptr;
  std::vector<int32_t> shape;
};

Status Malformed(const std::string& source, const char* reason) {
  return Status::Error(StatusCode::kInvalidArgument,
                       "'%s' is not a valid .npy file: %s; write it with numpy.save",
                       source.c_str(), reason);
}

// A strict parser of the header: a Python dict literal with exactly the keys 'descr' (a string),
// 'fortran_order' (True or False) and 'shape' (a tuple of non-negative ints), then padding.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  Status Parse(NpyHeader& header) {
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    SkipSpace();
    if (!Consume('{')) return Malformed(source_, "the header does not start with '{'");
    SkipSpace();
    while (!Consume('}')) {
      std::string key;
      TMM_RETURN_IF_ERROR(ParseString(key));
      SkipSpace();
      if (!Consume(':')) return Malformed(source_, "a ':' is missing after a header key");
      SkipSpace();
      if (key == "descr" && !seen_descr) {
        seen_descr = true;
        std::string descr;
        TMM_RETURN_IF_ERROR(ParseString(descr));
        TMM_RETURN_IF_ERROR(LookUpDType(descr, header));
      } else if (key == "fortran_order" && !seen_fortran) {
        seen_fortran = true;
        bool fortran_order = false;
        TMM_RETURN_IF_ERROR(ParseBool(fortran_order));
        if (fortran_order)
          return Status::Error(StatusCode::kUnsupported,
                               "'%s' holds a Fortran-order array; save numpy.ascontiguousarray(a)",
                               source_.c_str());
      } else if (key == "shape" && !seen_shape) {
        seen_shape = true;
        TMM_RETURN_IF_ERROR(ParseShape(header.shape));
      } else {
        return Malformed(source_, "the header has an unknown or repeated key");
      }
      SkipSpace();
      if (Consume(',')) {
        SkipSpace();
      } else if (Peek() != '}') {
        return Malformed(source_, "a ',' or '}' is missing in the header");
      }
    }
    if (!seen_descr || !seen_fortran || !seen_shape)
      return Malformed(source_, "the header lacks 'descr', 'fortran_order' or 'shape'");
    SkipSpace();
    if (position_ != text_.size()) return Malformed(source_, "the header has text after '}'");
    return Status::Ok();
  }

 private:
  char Peek() const { return position_ < text_.size() ? text_[position_] : '\0'; }
  bool Consume(char c) {
    if (position_ >= text_.size() || text_[position_] != c) return false;
    ++position_;
    return true;
  }
  bool ConsumeWord(std::string_view word) {
    if (text_.substr(position_, word.size()) != word) return false;
    position_ += word.size();
    return true;
  }
  void SkipSpace() {
    while (position_ < text_.size() &&
           (text_[position_] == ' ' || text_[position_] == '\n' || text_[position_] == '\t'))
      ++position_;
  }

  Status ParseString(std::string& out) {
    const char quote = Peek();
    if (quote != '\'' && quote != '"') return Malformed(source_, "a header string is not quoted");
    ++position_;
    const size_t end = text_.find(quote, position_);
    if (end == std::string_view::npos) return Malformed(source_, "a header string is unclosed");
    out.assign(text_.substr(position_, end - position_));
    if (out.find('\\') != std::string::npos)
      return Malformed(source_, "a header string has an escape sequence");
    position_ = end + 1;
    return Status::Ok();
  }

  Status ParseBool(bool& out) {
    if (ConsumeWord("True")) {
      out = true;
    } else if (ConsumeWord("False")) {
      out = false;
    } else {
      return Malformed(source_, "'fortran_order' is neither True nor False");
    }
    return Status::Ok();
  }

  Status ParseShape(std::vector<int32_t>& shape) {
    if (!Consume('(')) return Malformed(source_, "'shape' is not a tuple");
    SkipSpace();
    while (!Consume(')')) {
      if (Peek() < '0' || Peek() > '9')
        return Malformed(source_, "'shape' holds something other than non-negative integers");
      int64_t dim = 0;
      while (Peek() >= '0' && Peek() <= '9') {
        dim = dim * 10 + (Peek() - '0');
        if (dim > std::numeric_limits<int32_t>::max())
          return Status::Error(StatusCode::kUnsupported,
                               "'%s' has a dimension beyond 2^31-1 elements", source_.c_str());
        ++position_;
      }
      if (shape.size() == kMaxRank) return Malformed(source_, "'shape' has more than 32 dims");
      shape.push_back(static_cast<int32_t>(dim));
      SkipSpace();
      if (Consume(',')) {
        SkipSpace();
      } else if (Peek() != ')') {
        return Malformed(source_, "a ',' or ')' is missing in 'shape'");
      }
    }
    return Status::Ok();
  }

  Status LookUpDType(const std::string& descr, NpyHeader& header) {
    for (const NpyDType& candidate : kDTypes) {
      if (descr == candidate.descr) {
        header.dtype = &candidate;
        return Status::Ok();
      }
    }
    if (!descr.empty() && descr[0] == '>')
      return Status::Error(StatusCode::kUnsupported,
                           "'%s' holds big-endian data ('%.16s'); save a.astype(a.dtype."
                           "newbyteorder('<'))",
                           source_.c_str(), descr.c_str());
    return Status::Error(StatusCode::kUnsupported,
                         "'%s' has dtype '%.16s'; supported: float32, float64, int8, uint8, "
                         "int32, int64, bool",
                         source_.c_str(), descr.c_str());
  }

  std::string_view text_;
  const std::string& source_;
  size_t position_ = 0;
};

uint32_t ReadLittleEndian(const std::string& bytes, size_t offset, size_t width) {
  uint32_t value = 0;
  for (size_t i = 0; i < width; ++i)
    value |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset + i])) << (8 * i);
  return value;
}

const char* Descr(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return "<f4";
    case DType::kInt8:
      return "|i1";
    case DType::kUInt8:
      return "|u1";
    case DType::kInt32:
      return "<i4";
    case DType::kInt64:
      return "<i8";
  }
  return "<f4";
}

void ConvertData(const char* source, int64_t count, const NpyDType& dtype,
                 std::vector<uint8_t>& out) {
  out.resize(static_cast<size_t>(count) * runtime::DTypeSize(dtype.dtype));
  switch (dtype.conversion) {
    case Conversion::kNone:
      if (!out.empty()) std::memcpy(out.data(), source, out.size());
      break;
    case Conversion::kBoolToUInt8:
      for (int64_t i = 0; i < count; ++i) out[i] = source[i] != 0 ? 1 : 0;
      break;
    case Conversion::kFloat64ToFloat32:
      for (int64_t i = 0; i < count; ++i) {
        double value;
        std::memcpy(&value, source + i * sizeof(double), sizeof(double));
        float converted;
        if (std::isfinite(value) && std::fabs(value) > std::numeric_limits<float>::max())
          converted = std::copysign(std::numeric_limits<float>::infinity(), value);
        else
          converted = static_cast<float>(value);
        std::memcpy(out.data() + i * sizeof(float), &converted, sizeof(float));
      }
      break;
  }
}

}  // namespace

Result<TensorDef> ParseNpy(const std::string& bytes, const std::string& source) {
  if (bytes.size() < kMagicSize + 2 || bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0)
    return Malformed(source, "it does not start with the .npy magic string");
  const int major = static_cast<uint8_t>(bytes[kMagicSize]);
  const int minor = static_cast<uint8_t>(bytes[kMagicSize + 1]);
  if (major < 1 || major > 3 || minor != 0)
    return Status::Error(StatusCode::kUnsupported,
                         "'%s' is .npy format version %d.%d; versions 1.0, 2.0 and 3.0 are read",
                         source.c_str(), major, minor);
  const size_t length_width = major == 1 ? 2 : 4;
  const size_t header_start = kMagicSize + 2 + length_width;
  if (bytes.size() < header_start) return Malformed(source, "the header length is cut off");
  const size_t header_length = ReadLittleEndian(bytes, kMagicSize + 2, length_width);
  if (header_length > bytes.size() - header_start)
    return Malformed(source, "the header is longer than the file");

  NpyHeader header;
  HeaderParser parser(std::string_view(bytes).substr(header_start, header_length), source);
  TMM_RETURN_IF_ERROR(parser.Parse(header));

  int64_t count = 1;
  for (int32_t dim : header.shape) {
    if (dim != 0 && count > format::kMaxTensorElements / dim)
      return Status::Error(StatusCode::kUnsupported, "'%s' holds more than 2^31 elements",
                           source.c_str());
    count *= dim;
  }
  const size_t data_start = header_start + header_length;
  const size_t expected = static_cast<size_t>(count) * header.dtype->file_item_size;
  const size_t actual = bytes.size() - data_start;
  if (actual != expected)
    return Status::Error(StatusCode::kInvalidArgument,
                         "'%s' is not a valid .npy file: its shape needs %zu data bytes but it "
                         "has %zu; write it with numpy.save",
                         source.c_str(), expected, actual);

  TensorDef tensor;
  tensor.dtype = header.dtype->dtype;
  tensor.shape = std::move(header.shape);
  tensor.is_constant = true;
  ConvertData(bytes.data() + data_start, count, *header.dtype, tensor.data);
  return tensor;
}

Result<TensorDef> ReadNpyFile(const std::string& path) {
  TMM_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return ParseNpy(bytes, path);
}

std::string SerializeNpy(const TensorDef& tensor) {
  std::string dict = "{'descr': '";
  dict += Descr(tensor.dtype);
  dict += "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < tensor.shape.size(); ++i) {
    if (i > 0) dict += ' ';
    dict += std::to_string(tensor.shape[i]) + ',';
  }
  if (tensor.shape.size() > 1) dict.pop_back();  // "(3,)" but "(2, 3)"
  dict += "), }";
  // Pad with spaces so that the data starts at a multiple of 64 bytes; end with a newline.
  const size_t prefix = kMagicSize + 2 + 2;
  const size_t unpadded = prefix + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';

  std::string bytes(kMagic, kMagicSize);
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(dict.size() & 0xff);
  bytes += static_cast<char>(dict.size() >> 8);
  bytes += dict;
  bytes.append(reinterpret_cast<const char*>(tensor.data.data()), tensor.data.size());
  return bytes;
}

Status WriteNpyFile(const std::string& path, const TensorDef& tensor) {
  const int64_t count = tensor.ElementCount();
  if (count < 0 ||
      tensor.data.size() != static_cast<size_t>(count) * runtime::DTypeSize(tensor.dtype))
    return Status::Error(
        StatusCode::kInvalidArgument,
        "cannot write '%s': tensor '%s' has %zu data bytes, its shape and dtype "
        "need %lld",
        path.c_str(), tensor.name.c_str(), tensor.data.size(),
        static_cast<long long>(count) * static_cast<long long>(runtime::DTypeSize(tensor.dtype)));
  const std::string bytes = SerializeNpy(tensor);
  return WriteFileAtomically(path, bytes.data(), bytes.size());
}

}  // namespace tinymlops::toolchain
