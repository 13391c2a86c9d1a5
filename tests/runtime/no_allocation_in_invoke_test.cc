// The runtime's memory contract: after Interpreter::Create, Invoke() performs no heap allocation,
// for every op, on both kernel sets, in float32 and int8. Every allocation of the process is
// counted while a model runs: under AddressSanitizer through its malloc hook (which sees malloc,
// calloc, realloc, aligned allocation and operator new alike); otherwise by replacing glibc's
// malloc family, which libstdc++'s operator new also goes through.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "toolchain/graph/graph.h"
#include "toolchain/graph/model_session.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TMM_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TMM_TEST_ASAN 1
#endif

namespace {

std::atomic<bool> counting{false};
std::atomic<long> allocations{0};

void CountAllocation() {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
}

}  // namespace

#if defined(TMM_TEST_ASAN)
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             size_t),
                                                         void (*free_hook)(const volatile void*));

namespace {
void OnMalloc(const volatile void*, size_t) { CountAllocation(); }
void OnFree(const volatile void*) {}
const int hooks_installed = __sanitizer_install_malloc_and_free_hooks(OnMalloc, OnFree);
}  // namespace
#else
// glibc's documented way to replace malloc: define the family, forward to its __libc_ entry
// points. free, and allocations made through other entry points, stay glibc's own.
extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* pointer, size_t size);
void* __libc_memalign(size_t alignment, size_t size);

void* malloc(size_t size) {
  CountAllocation();
  return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) {
  CountAllocation();
  return __libc_calloc(count, size);
}
void* realloc(void* pointer, size_t size) {
  CountAllocation();
  return __libc_realloc(pointer, size);
}
void* memalign(size_t alignment, size_t size) {
  CountAllocation();
  return __libc_memalign(alignment, size);
}
void* aligned_alloc(size_t alignment, size_t size) {
  CountAllocation();
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** pointer, size_t alignment, size_t size) {
  CountAllocation();
  *pointer = __libc_memalign(alignment, size);
  return *pointer != nullptr ? 0 : 12;  // ENOMEM
}
}  // extern "C"
namespace {
const int hooks_installed = 1;
}  // namespace
#endif

namespace tinymlops::toolchain {
namespace {

// Builds a Graph tensor by tensor, op by op.
class GraphBuilder {
 public:
  int Input(const std::string& name, std::vector<int32_t> shape, DType dtype = DType::kFloat32) {
    const int index = Activation(name, std::move(shape), dtype);
    graph_.inputs.push_back(index);
    return index;
  }
  int Activation(const std::string& name, std::vector<int32_t> shape, DType dtype = DType::kFloat32,
                 QuantInfo quant = {}) {
    TensorDef tensor;
    tensor.name = name;
    tensor.dtype = dtype;
    tensor.shape = std::move(shape);
    tensor.quant = std::move(quant);
    return graph_.AddTensor(std::move(tensor));
  }
  // A constant filled with a deterministic ramp of values in [-1, 1] (or integers in [-64, 63]).
  template <typename T>
  int Constant(const std::string& name, std::vector<int32_t> shape, DType dtype,
               QuantInfo quant = {}) {
    TensorDef tensor;
    tensor.name = name;
    tensor.dtype = dtype;
    tensor.shape = std::move(shape);
    tensor.quant = std::move(quant);
    std::vector<T> values(static_cast<size_t>(tensor.ElementCount()));
    for (size_t i = 0; i < values.size(); ++i) {
      const int step = static_cast<int>((i * 37) % 128) - 64;
      values[i] = static_cast<T>(dtype == DType::kFloat32 ? step / 64.0 : step);
    }
    tensor.SetValues(values);
    return graph_.AddTensor(std::move(tensor));
  }
  int Float(const std::string& name, std::vector<int32_t> shape) {
    return Constant<float>(name, std::move(shape), DType::kFloat32);
  }
  template <typename Options>
  void Op(tmm::OpType type, std::vector<int> inputs, std::vector<int> outputs, Options options) {
    OpDef op = MakeOp(type, std::move(inputs), std::move(outputs));
    op.options.Set(std::move(options));
    graph_.ops.push_back(std::move(op));
  }
  void Op(tmm::OpType type, std::vector<int> inputs, int output) {
    graph_.ops.push_back(MakeOp(type, std::move(inputs), {output}));
  }
  Graph Finish(int output) {
    graph_.outputs.push_back(output);
    graph_.name = "allocation_probe";
    return std::move(graph_);
  }

 private:
  OpDef MakeOp(tmm::OpType type, std::vector<int> inputs, std::vector<int> outputs) {
    OpDef op;
    op.type = type;
    op.name = std::string(tmm::EnumNameOpType(type)) + "_" + std::to_string(graph_.ops.size());
    op.inputs = std::move(inputs);
    op.outputs = std::move(outputs);
    return op;
  }
  Graph graph_;
};

tmm::ConvOptionsT ConvOptions(int group, int stride, int pad, tmm::ActivationType activation) {
  tmm::ConvOptionsT options;
  options.group = group;
  options.strides = {stride, stride};
  options.dilations = {1, 1};
  options.pads = {pad, pad, pad, pad};
  options.activation = std::make_unique<tmm::ActivationT>();
  options.activation->type = activation;
  return options;
}

tmm::PoolOptionsT PoolOptions(int kernel, int pad_end) {
  tmm::PoolOptionsT options;
  options.kernel = {kernel, kernel};
  options.strides = {1, 1};
  options.dilations = {1, 1};
  options.pads = {0, 0, pad_end, pad_end};
  return options;
}

tmm::SoftmaxOptionsT SoftmaxOptions() {
  tmm::SoftmaxOptionsT options;
  options.axis = 1;
  options.axis_end = 2;
  return options;
}

tmm::ConcatOptionsT ConcatOptions() {
  tmm::ConcatOptionsT options;
  options.axis = 1;
  return options;
}

tmm::PadOptionsT PadOptions() {
  tmm::PadOptionsT options;
  options.pads = {0, 0, 1, 1, 0, 0, 1, 1};
  return options;
}

tmm::TransposeOptionsT TransposeOptions() {
  tmm::TransposeOptionsT options;
  options.perm = {0, 1, 3, 2};
  return options;
}

// A float32 graph through every float op of the runtime:
// input [1,3,8,8] -> Conv+Relu -> depthwise Conv -> BatchNormalization -> Clip -> Sigmoid, Tanh
// -> Mul -> Sub (broadcast) -> Add -> Relu -> MaxPool | AveragePool -> Concat -> Pad -> Transpose
// -> GlobalAveragePool -> Reshape -> Gemm -> MatMul -> Softmax.
Graph FloatGraph() {
  using tmm::OpType;
  GraphBuilder b;
  const int x = b.Input("x", {1, 3, 8, 8});
  const int conv = b.Activation("conv", {1, 8, 8, 8});
  b.Op(OpType::Conv, {x, b.Float("conv_w", {8, 3, 3, 3}), b.Float("conv_b", {8})}, {conv},
       ConvOptions(1, 1, 1, tmm::ActivationType::Relu));
  const int depthwise = b.Activation("depthwise", {1, 8, 4, 4});
  b.Op(OpType::Conv, {conv, b.Float("depthwise_w", {8, 1, 3, 3}), -1}, {depthwise},
       ConvOptions(8, 2, 1, tmm::ActivationType::None));
  const int norm = b.Activation("norm", {1, 8, 4, 4});
  b.Op(OpType::BatchNormalization,
       {depthwise, b.Float("norm_scale", {8}), b.Float("norm_shift", {8})}, norm);
  const int clip = b.Activation("clip", {1, 8, 4, 4});
  tmm::ClipOptionsT clip_options;
  clip_options.min = 0.0f;
  clip_options.max = 6.0f;
  b.Op(OpType::Clip, {norm}, {clip}, clip_options);
  const int sigmoid = b.Activation("sigmoid", {1, 8, 4, 4});
  b.Op(OpType::Sigmoid, {clip}, sigmoid);
  const int tanh = b.Activation("tanh", {1, 8, 4, 4});
  b.Op(OpType::Tanh, {clip}, tanh);
  const int mul = b.Activation("mul", {1, 8, 4, 4});
  b.Op(OpType::Mul, {sigmoid, tanh}, {mul}, tmm::ElementwiseOptionsT());
  const int sub = b.Activation("sub", {1, 8, 4, 4});
  b.Op(OpType::Sub, {mul, b.Float("sub_c", {8, 1, 1})}, {sub}, tmm::ElementwiseOptionsT());
  const int add = b.Activation("add", {1, 8, 4, 4});
  b.Op(OpType::Add, {sub, clip}, {add}, tmm::ElementwiseOptionsT());
  const int relu = b.Activation("relu", {1, 8, 4, 4});
  b.Op(OpType::Relu, {add}, relu);
  const int max_pool = b.Activation("max_pool", {1, 8, 4, 4});
  b.Op(OpType::MaxPool, {relu}, {max_pool}, PoolOptions(2, 1));
  const int average_pool = b.Activation("average_pool", {1, 8, 4, 4});
  b.Op(OpType::AveragePool, {relu}, {average_pool}, PoolOptions(2, 1));
  const int concat = b.Activation("concat", {1, 16, 4, 4});
  b.Op(OpType::Concat, {max_pool, average_pool}, {concat}, ConcatOptions());
  const int pad = b.Activation("pad", {1, 16, 6, 6});
  b.Op(OpType::Pad, {concat}, {pad}, PadOptions());
  const int transpose = b.Activation("transpose", {1, 16, 6, 6});
  b.Op(OpType::Transpose, {pad}, {transpose}, TransposeOptions());
  const int global_pool = b.Activation("global_pool", {1, 16, 1, 1});
  b.Op(OpType::GlobalAveragePool, {transpose}, global_pool);
  const int flat = b.Activation("flat", {1, 16});
  b.Op(OpType::Reshape, {global_pool}, flat);
  const int gemm = b.Activation("gemm", {1, 10});
  tmm::GemmOptionsT gemm_options;
  gemm_options.trans_b = true;
  b.Op(OpType::Gemm, {flat, b.Float("gemm_w", {10, 16}), b.Float("gemm_b", {10})}, {gemm},
       std::move(gemm_options));
  const int matmul = b.Activation("matmul", {1, 10});
  b.Op(OpType::MatMul, {gemm, b.Float("matmul_w", {10, 10})}, {matmul}, tmm::MatMulOptionsT());
  const int softmax = b.Activation("softmax", {1, 10});
  b.Op(OpType::Softmax, {matmul}, {softmax}, SoftmaxOptions());
  return b.Finish(softmax);
}

QuantInfo PerTensor(float scale, int32_t zero_point) {
  QuantInfo quant;
  quant.scale = {scale};
  quant.zero_point = {zero_point};
  return quant;
}

QuantInfo PerChannel(int channels, float scale, int axis) {
  QuantInfo quant;
  for (int c = 0; c < channels; ++c) {
    quant.scale.push_back(scale * static_cast<float>(c + 1));
    quant.zero_point.push_back(0);
  }
  quant.axis = axis;
  return quant;
}

// An int8 graph through the integer kernels, with TensorFlow Lite's quantization conventions
// (per-channel symmetric weights, int32 biases at input_scale * weight_scale, pools, Concat,
// Pad, Transpose and Reshape keeping their input's parameters, Softmax output at 1/256):
// float input -> QuantizeLinear -> Conv+Relu -> depthwise Conv -> Add -> MaxPool | AveragePool
// -> Concat -> Pad -> Transpose -> GlobalAveragePool -> Reshape -> Gemm -> Softmax
// -> DequantizeLinear -> float output.
Graph Int8Graph() {
  using tmm::OpType;
  const DType i8 = DType::kInt8;
  const QuantInfo act = PerTensor(0.05f, -3);
  GraphBuilder b;
  const int x = b.Input("x", {1, 3, 8, 8});
  const int q = b.Activation("q", {1, 3, 8, 8}, i8, PerTensor(0.02f, 5));
  b.Op(OpType::QuantizeLinear, {x}, q);
  const int conv = b.Activation("conv", {1, 8, 8, 8}, i8, act);
  b.Op(OpType::Conv,
       {q, b.Constant<int8_t>("conv_w", {8, 3, 3, 3}, i8, PerChannel(8, 0.003f, 0)),
        b.Constant<int32_t>("conv_b", {8}, DType::kInt32, PerChannel(8, 0.02f * 0.003f, 0))},
       {conv}, ConvOptions(1, 1, 1, tmm::ActivationType::Relu));
  const int depthwise = b.Activation("depthwise", {1, 8, 4, 4}, i8, act);
  b.Op(OpType::Conv,
       {conv, b.Constant<int8_t>("depthwise_w", {8, 1, 3, 3}, i8, PerChannel(8, 0.004f, 0)),
        b.Constant<int32_t>("depthwise_b", {8}, DType::kInt32, PerChannel(8, 0.05f * 0.004f, 0))},
       {depthwise}, ConvOptions(8, 2, 1, tmm::ActivationType::None));
  const int add = b.Activation("add", {1, 8, 4, 4}, i8, PerTensor(0.08f, 2));
  b.Op(OpType::Add, {depthwise, b.Constant<int8_t>("add_c", {8, 1, 1}, i8, PerTensor(0.01f, 1))},
       {add}, tmm::ElementwiseOptionsT());
  const QuantInfo add_quant = PerTensor(0.08f, 2);
  const int max_pool = b.Activation("max_pool", {1, 8, 4, 4}, i8, add_quant);
  b.Op(OpType::MaxPool, {add}, {max_pool}, PoolOptions(2, 1));
  const int average_pool = b.Activation("average_pool", {1, 8, 4, 4}, i8, add_quant);
  b.Op(OpType::AveragePool, {add}, {average_pool}, PoolOptions(2, 1));
  const int concat = b.Activation("concat", {1, 16, 4, 4}, i8, add_quant);
  b.Op(OpType::Concat, {max_pool, average_pool}, {concat}, ConcatOptions());
  const int pad = b.Activation("pad", {1, 16, 6, 6}, i8, add_quant);
  b.Op(OpType::Pad, {concat}, {pad}, PadOptions());
  const int transpose = b.Activation("transpose", {1, 16, 6, 6}, i8, add_quant);
  b.Op(OpType::Transpose, {pad}, {transpose}, TransposeOptions());
  const int global_pool = b.Activation("global_pool", {1, 16, 1, 1}, i8, add_quant);
  b.Op(OpType::GlobalAveragePool, {transpose}, global_pool);
  const int flat = b.Activation("flat", {1, 16}, i8, add_quant);
  b.Op(OpType::Reshape, {global_pool}, flat);
  const int gemm = b.Activation("gemm", {1, 10}, i8, PerTensor(0.1f, 0));
  tmm::GemmOptionsT gemm_options;
  gemm_options.trans_b = true;
  b.Op(OpType::Gemm,
       {flat, b.Constant<int8_t>("gemm_w", {10, 16}, i8, PerChannel(10, 0.002f, 0)),
        b.Constant<int32_t>("gemm_b", {10}, DType::kInt32, PerChannel(10, 0.08f * 0.002f, 0))},
       {gemm}, std::move(gemm_options));
  const int softmax = b.Activation("softmax", {1, 10}, i8, PerTensor(1.0f / 256, -128));
  b.Op(OpType::Softmax, {gemm}, {softmax}, SoftmaxOptions());
  const int y = b.Activation("y", {1, 10});
  b.Op(OpType::DequantizeLinear, {softmax}, y);
  return b.Finish(y);
}

// Loads `graph` with `kernels`, fills its input and counts the allocations of three Invoke()s.
long AllocationsInInvoke(const Graph& graph, KernelSet kernels) {
  auto session = ModelSession::FromGraph(graph, kernels);
  EXPECT_TRUE(session.ok()) << session.status().message();
  if (!session.ok()) return -1;
  runtime::Interpreter& interpreter = (*session)->interpreter();
  runtime::Tensor& input = *interpreter.input(0);
  float* values = input.Data<float>();
  for (int64_t i = 0; i < input.ElementCount(); ++i) values[i] = static_cast<float>(i % 7) - 3;

  allocations = 0;
  counting = true;
  Status status = Status::Ok();
  for (int run = 0; run < 3 && status.ok(); ++run) status = interpreter.Invoke();
  counting = false;
  EXPECT_TRUE(status.ok()) << status.message();
  return allocations.load();
}

struct Case {
  const char* name;
  Graph (*build)();
  KernelSet kernels;
};

void PrintTo(const Case& test_case, std::ostream* out) { *out << test_case.name; }

class NoAllocationInInvokeTest : public testing::TestWithParam<Case> {};

TEST_P(NoAllocationInInvokeTest, InvokeNeverAllocates) {
  ASSERT_TRUE(hooks_installed) << "the allocation counting hook could not be installed";
  // The counting itself must see an allocation made while counting. The probe escapes through a
  // volatile pointer: an optimizer may drop a new/delete pair nothing observes (clang -O3 does).
  static int* volatile probe = nullptr;
  allocations = 0;
  counting = true;
  probe = new int(1);
  counting = false;
  delete probe;
  ASSERT_GE(allocations.load(), 1) << "the allocation counter does not see operator new";

  EXPECT_EQ(AllocationsInInvoke(GetParam().build(), GetParam().kernels), 0);
}

INSTANTIATE_TEST_SUITE_P(
    EveryOpBothKernelSets, NoAllocationInInvokeTest,
    testing::Values(Case{"float32_reference", FloatGraph, KernelSet::kReference},
                    Case{"float32_optimized", FloatGraph, KernelSet::kOptimized},
                    Case{"int8_reference", Int8Graph, KernelSet::kReference},
                    Case{"int8_optimized", Int8Graph, KernelSet::kOptimized}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tinymlops::toolchain
