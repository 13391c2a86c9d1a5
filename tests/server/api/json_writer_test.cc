// JsonWriter writes the same bytes as nlohmann::json::dump (compact, error_handler_t::replace)
// for the same values, so the check-in's answer did not change when it stopped building a tree.
#include "server/api/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tinymlops::server {
namespace {

std::string Dumped(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TEST(JsonWriterTest, WritesNestedValuesAsNlohmannDumpsThem) {
  JsonWriter w;
  w.BeginObject()
      .Key("a").Int(-7)
      .Key("b").BeginArray().EndArray()
      .Key("c").BeginArray().BeginObject().Key("x").Null().EndObject().String("s").Int(0).EndArray()
      .Key("d").BeginObject().EndObject()
      .Key("e").Raw(R"({"k":[1,2]})")
      .EndObject();
  const nlohmann::json expected = {{"a", -7},
                                   {"b", nlohmann::json::array()},
                                   {"c", {{{"x", nullptr}}, "s", 0}},
                                   {"d", nlohmann::json::object()},
                                   {"e", {{"k", {1, 2}}}}};
  EXPECT_EQ(w.Take(), Dumped(expected));
}

TEST(JsonWriterTest, EscapesStringsAsNlohmannDoes) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  for (const std::string& text :
       {std::string("plain"), std::string("quote \" and \\ backslash / slash"), controls,
        std::string("\x7f del"), std::string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
        std::string("bad \xff utf-8 \xc3"), std::string()}) {
    JsonWriter w;
    w.BeginArray().String(text).EndArray();
    JsonWriter key;
    key.BeginObject().Key(text).Int(1).EndObject();
    EXPECT_EQ(w.Take(), Dumped(nlohmann::json::array({text}))) << text;
    EXPECT_EQ(key.Take(), Dumped(nlohmann::json::object({{text, 1}}))) << text;
  }
}

}  // namespace
}  // namespace tinymlops::server
