// `tinymlops model bench IN.tmm`: latency of one inference (one Invoke, at the model's own
// batch size, on this thread) over many runs on random or zero inputs: median, p90, min, mean
// and max in microseconds, after warm-up runs that are not counted. With --per-op, every node
// is also timed on its own in each run, and the report lists each node's median and its share
// of the sum of the medians.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cli/command_output.h"
#include "cli/model_commands.h"
#include "cli/model_loader.h"

namespace tinymlops::cli {
namespace {

struct BenchArguments {
  std::string input_path;
  int iterations = 100;
  int warmup = 10;
  std::string kernels;
  std::string inputs = "random";
  unsigned seed = 1;
  bool per_op = false;
  bool json = false;
};

// Random inputs: floats uniform in [-1, 1], integers uniform over int8/uint8 range (and over
// [-128, 127] for int32/int64, which keeps index-like inputs small).
void FillRandom(runtime::Tensor& tensor, std::mt19937& generator) {
  const int64_t count = tensor.ElementCount();
  std::uniform_real_distribution<float> real(-1.0f, 1.0f);
  std::uniform_int_distribution<int> small(-128, 127);
  for (int64_t i = 0; i < count; ++i) {
    switch (tensor.dtype) {
      case runtime::DType::kFloat32:
        tensor.Data<float>()[i] = real(generator);
        break;
      case runtime::DType::kInt8:
        tensor.Data<int8_t>()[i] = static_cast<int8_t>(small(generator));
        break;
      case runtime::DType::kUInt8:
        tensor.Data<uint8_t>()[i] = static_cast<uint8_t>(small(generator) + 128);
        break;
      case runtime::DType::kInt32:
        tensor.Data<int32_t>()[i] = small(generator);
        break;
      case runtime::DType::kInt64:
        tensor.Data<int64_t>()[i] = small(generator);
        break;
    }
  }
}

// The value at fraction `p` of sorted `values` (nearest rank).
double Percentile(const std::vector<double>& sorted, double p) {
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size(), std::max<size_t>(rank, 1)) - 1];
}

double Median(const std::vector<double>& sorted) {
  const size_t middle = sorted.size() / 2;
  return sorted.size() % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// One entry per node: op type, node name, output shape, median microseconds and the median's
// share of the sum of all nodes' medians.
JsonValue PerOpReport(const runtime::Interpreter& interpreter,
                      std::vector<std::vector<double>>& node_microseconds) {
  std::vector<double> medians;
  double total = 0;
  for (std::vector<double>& runs : node_microseconds) {
    std::sort(runs.begin(), runs.end());
    medians.push_back(Median(runs));
    total += medians.back();
  }
  JsonValue ops = JsonValue::Array();
  for (int n = 0; n < interpreter.node_count(); ++n) {
    const runtime::Node& node = interpreter.node(n);
    JsonValue shape = JsonValue::Array();
    if (const runtime::Tensor* output = node.Output(0))
      for (int d = 0; d < output->shape.rank; ++d) shape.Append(output->shape.dims[d]);
    JsonValue op = JsonValue::Object();
    op.Set("op", tmm::EnumNameOpType(node.op->type()));
    op.Set("name", node.name);
    op.Set("output_shape", std::move(shape));
    op.Set("median_us", medians[n]);
    op.Set("share", total > 0 ? medians[n] / total : 0.0);
    ops.Append(std::move(op));
  }
  return ops;
}

Status Bench(const BenchArguments& arguments) {
  TMM_ASSIGN_OR_RETURN(LoadedModel loaded,
                       LoadModel(arguments.input_path, KernelSetFromName(arguments.kernels)));
  runtime::Interpreter& interpreter = *loaded.interpreter;
  std::mt19937 generator(arguments.seed);
  for (int i = 0; i < interpreter.input_count(); ++i) {
    runtime::Tensor& input = *interpreter.input(i);
    if (arguments.inputs == "zeros")
      std::memset(input.data, 0, input.bytes);
    else
      FillRandom(input, generator);
  }
  for (int i = 0; i < arguments.warmup; ++i) TMM_RETURN_IF_ERROR(interpreter.Invoke());
  std::vector<double> microseconds;
  microseconds.reserve(arguments.iterations);
  // node_microseconds[node][run], with --per-op.
  std::vector<std::vector<double>> node_microseconds(arguments.per_op ? interpreter.node_count()
                                                                      : 0);
  for (std::vector<double>& runs : node_microseconds) runs.reserve(arguments.iterations);
  for (int i = 0; i < arguments.iterations; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (arguments.per_op) {
      auto node_start = start;
      for (int n = 0; n < interpreter.node_count(); ++n) {
        TMM_RETURN_IF_ERROR(interpreter.InvokeNode(n));
        const auto node_end = std::chrono::steady_clock::now();
        node_microseconds[n].push_back(
            std::chrono::duration<double, std::micro>(node_end - node_start).count());
        node_start = node_end;
      }
    } else {
      TMM_RETURN_IF_ERROR(interpreter.Invoke());
    }
    const auto end = std::chrono::steady_clock::now();
    microseconds.push_back(std::chrono::duration<double, std::micro>(end - start).count());
  }
  std::sort(microseconds.begin(), microseconds.end());
  double total = 0;
  for (double value : microseconds) total += value;

  JsonValue latency = JsonValue::Object();
  latency.Set("median", Median(microseconds));
  latency.Set("p90", Percentile(microseconds, 0.9));
  latency.Set("min", microseconds.front());
  latency.Set("mean", total / static_cast<double>(microseconds.size()));
  latency.Set("max", microseconds.back());
  JsonValue report = JsonValue::Object();
  report.Set("model", arguments.input_path);
  report.Set("kernels", arguments.kernels);
  report.Set("inputs", arguments.inputs);
  report.Set("iterations", arguments.iterations);
  report.Set("warmup", arguments.warmup);
  report.Set("threads", 1);
  report.Set("arena_bytes", interpreter.arena_bytes());
  report.Set("latency_us", std::move(latency));
  if (arguments.per_op) report.Set("ops", PerOpReport(interpreter, node_microseconds));
  PrintReport(report, arguments.json);
  return Status::Ok();
}

}  // namespace

void AddModelBenchCommand(CLI::App& model, Status& outcome) {
  auto arguments = std::make_shared<BenchArguments>();
  CLI::App* command =
      model.add_subcommand("bench", "Measure a .tmm model's latency per inference (single thread)");
  command->add_option("IN.tmm", arguments->input_path, "Model to benchmark")->required();
  command->add_option("-n,--iterations", arguments->iterations, "Timed inferences")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  command->add_option("-w,--warmup", arguments->warmup, "Untimed inferences run first")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  AddKernelsOption(*command, arguments->kernels);
  command->add_option("--inputs", arguments->inputs, "Input values: random or zeros")
      ->check(CLI::IsMember({"random", "zeros"}))
      ->capture_default_str();
  command->add_option("--seed", arguments->seed, "Seed of the random inputs")
      ->capture_default_str();
  command->add_flag("--per-op", arguments->per_op,
                    "Also time every node on its own and report each one's median");
  command->add_flag("--json", arguments->json, "Print the report as JSON");
  command->callback([arguments, &outcome] { outcome = Bench(*arguments); });
}

}  // namespace tinymlops::cli
