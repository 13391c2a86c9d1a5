// Shared fixtures for the package tests (format, device, cli) and the package benchmarks: a
// small model with enough weights to span many payload chunks, its expected outputs, vendor
// and device keys, and packages built from them with format/package_writer.h.
#ifndef TINYMLOPS_TESTS_SUPPORT_PACKAGE_FIXTURES_H_
#define TINYMLOPS_TESTS_SUPPORT_PACKAGE_FIXTURES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "crypto/signing_key.h"
#include "format/package_writer.h"
#include "toolchain/graph/graph.h"
#include "toolchain/graph/tmm_writer.h"
#include "toolchain/package/model_delta.h"
#include "toolchain/package/self_test_vectors.h"

namespace tinymlops::test_support {

// "scale": y = x * w + b elementwise over [1, n] float32; w and b pseudo-random from `seed`
// (so the weights barely compress, as real weights).
inline toolchain::Graph ScaleGraph(int n, uint32_t seed = 1) {
  toolchain::Graph graph;
  graph.name = "scale";
  graph.version = "1.0.0";
  auto tensor = [](const std::string& name, int n) {
    toolchain::TensorDef t;
    t.name = name;
    t.shape = {1, n};
    return t;
  };
  auto constant = [&](const std::string& name) {
    toolchain::TensorDef t = tensor(name, n);
    std::vector<float> values(n);
    uint32_t state = seed * 2654435761u + static_cast<uint32_t>(name[0]);
    for (float& v : values) {
      state = state * 1664525u + 1013904223u;
      v = static_cast<float>(state >> 8) / static_cast<float>(1 << 24) - 0.5f;
    }
    t.SetValues(values);
    return t;
  };
  const int x = graph.AddTensor(tensor("x", n));
  const int w = graph.AddTensor(constant("w"));
  const int b = graph.AddTensor(constant("b"));
  const int scaled = graph.AddTensor(tensor("scaled", n));
  const int y = graph.AddTensor(tensor("y", n));
  toolchain::OpDef mul, add;
  mul.type = tmm::OpType::Mul;
  mul.name = "mul";
  mul.inputs = {x, w};
  mul.outputs = {scaled};
  add.type = tmm::OpType::Add;
  add.name = "add";
  add.inputs = {scaled, b};
  add.outputs = {y};
  graph.ops = {mul, add};
  graph.inputs = {x};
  graph.outputs = {y};
  return graph;
}

inline std::vector<uint8_t> ScaleModel(int n, uint32_t seed = 1) {
  auto bytes = toolchain::WriteTmm(ScaleGraph(n, seed));
  return bytes.ok() ? *bytes : std::vector<uint8_t>();
}

// The scale model "fine-tuned" `times` times: every 10th weight of w moved by 1% each time,
// everything else as ScaleModel(n) (the base of the delta-update tests and fuzz seeds; a
// series of fine-tunes for delta chains).
inline std::vector<uint8_t> TunedScaleModel(int n, int times = 1) {
  toolchain::Graph graph = ScaleGraph(n);
  for (toolchain::TensorDef& tensor : graph.tensors)
    if (tensor.name == "w") {
      std::vector<float> w = tensor.Values<float>();
      for (size_t i = 0; i < w.size(); i += 10)
        for (int t = 0; t < times; ++t) w[i] *= 1.01f;
      tensor.SetValues(w);
    }
  auto bytes = toolchain::WriteTmm(graph);
  return bytes.ok() ? *bytes : std::vector<uint8_t>();
}

// The input x = (0, 1, 2, ...) / n as a TensorDef.
inline toolchain::TensorDef ScaleInput(int n) {
  toolchain::TensorDef x;
  x.name = "x";
  x.shape = {1, n};
  std::vector<float> values(n);
  for (int i = 0; i < n; ++i) values[i] = static_cast<float>(i) / static_cast<float>(n);
  x.SetValues(values);
  return x;
}

inline tpkg::ManifestT Identity(const std::string& model_id, uint64_t release) {
  tpkg::ManifestT manifest;
  manifest.model_id = model_id;
  manifest.version = "1.0.0";
  manifest.release = release;
  manifest.variant = "fp32";
  manifest.target = "linux-x86_64";
  manifest.min_runtime_version = "0.1.0";
  return manifest;
}

struct PackageSpec {
  std::vector<uint8_t> model;
  tpkg::ManifestT manifest;
  const crypto::SigningKeyPair* signer = nullptr;
  std::vector<crypto::SigningPublicKey> devices;  // empty: not encrypted
  uint32_t chunk_bytes = 1024;
  bool self_test = true;  // record a self-test on ScaleInput
  int n = 0;              // the scale model's width, for the self-test input
};

// Adds the self-test spec asks for to its manifest; false on failure.
inline bool AddSelfTest(PackageSpec& spec) {
  if (!spec.self_test || spec.n <= 0) return true;
  auto test = toolchain::MakeSelfTest(spec.model, {{"x", ScaleInput(spec.n)}});
  if (!test.ok()) return false;
  spec.manifest.self_tests.push_back(std::move(*test));
  return true;
}

// Encrypts (to spec.devices, if any) and signs a built package; empty on failure.
inline std::vector<uint8_t> SealPackage(Result<format::PackageContents> package,
                                        const PackageSpec& spec) {
  if (!package.ok()) return {};
  if (!spec.devices.empty() && !format::EncryptPackage(*package, spec.devices).ok()) return {};
  auto bytes = format::SerializePackage(*package, spec.signer);
  return bytes.ok() ? *bytes : std::vector<uint8_t>();
}

// The package bytes, or empty on failure (the test then fails on use).
inline std::vector<uint8_t> MakePackage(PackageSpec spec) {
  if (!AddSelfTest(spec)) return {};
  return SealPackage(format::BuildPackage(spec.model.data(), spec.model.size(),
                                          std::move(spec.manifest), spec.chunk_bytes),
                     spec);
}

// A delta package (toolchain/package/model_delta.h) from `base` to spec.model, made as
// MakePackage makes a package (links the toolchain's package module).
inline std::vector<uint8_t> MakeDeltaPackage(const std::vector<uint8_t>& base, PackageSpec spec) {
  if (!AddSelfTest(spec)) return {};
  return SealPackage(
      toolchain::BuildDeltaPackage(base.data(), base.size(), spec.model.data(), spec.model.size(),
                                   std::move(spec.manifest), spec.chunk_bytes),
      spec);
}

}  // namespace tinymlops::test_support

#endif  // TINYMLOPS_TESTS_SUPPORT_PACKAGE_FIXTURES_H_
