// The device SDK's C API (include/tinymlops/tinymlops.h) over device::PackageLoader: a handle
// owns the key store, the release-counter store, the op resolver (reference kernels replaced
// by the optimized ones where they exist) and the loader. Every entry point returns a
// tmo_status; errors keep their message in a thread-local string for tmo_last_error(). This
// file builds with -fno-exceptions like the rest of the device SDK, and allocates with
// std::nothrow, so nothing can throw across the C boundary.
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "crypto/key_file.h"
#include "device/file_key_store.h"
#include "device/file_release_counter_store.h"
#include "device/package_loader.h"
#include "runtime/op_resolver.h"
#include "tinymlops/tinymlops.h"

using tinymlops::Status;
using tinymlops::StatusCode;

struct tmo_model {
  std::unique_ptr<tinymlops::device::FileKeyStore> key_store;
  std::unique_ptr<tinymlops::device::FileReleaseCounterStore> release_counters;
  tinymlops::runtime::OpResolver resolver;
  std::unique_ptr<tinymlops::device::PackageLoader> loader;  // last: it uses the members above
  tinymlops::runtime::Interpreter* interpreter = nullptr;
};

namespace {

static_assert(static_cast<int>(StatusCode::kInvalidArgument) == TMO_INVALID_ARGUMENT &&
                  static_cast<int>(StatusCode::kNotFound) == TMO_NOT_FOUND &&
                  static_cast<int>(StatusCode::kUnsupported) == TMO_UNSUPPORTED &&
                  static_cast<int>(StatusCode::kOutOfRange) == TMO_OUT_OF_RANGE &&
                  static_cast<int>(StatusCode::kResourceExhausted) == TMO_RESOURCE_EXHAUSTED &&
                  static_cast<int>(StatusCode::kFailedPrecondition) == TMO_FAILED_PRECONDITION &&
                  static_cast<int>(StatusCode::kIoError) == TMO_IO_ERROR &&
                  static_cast<int>(StatusCode::kInternal) == TMO_INTERNAL,
              "tmo_status mirrors StatusCode");
static_assert(static_cast<int>(tinymlops::runtime::DType::kInt64) == TMO_INT64, "dtype");
static_assert(tinymlops::runtime::kMaxRank == TMO_MAX_RANK, "rank");

thread_local std::string last_error;

tmo_status Fail(const Status& status) {
  last_error = status.message();
  return status.ok() ? TMO_INTERNAL : static_cast<tmo_status>(status.code());
}

tmo_status Fail(tmo_status code, const char* message) {
  last_error = message;
  return code;
}

tmo_status Succeed() {
  last_error.clear();
  return TMO_OK;
}

tmo_status Open(const char* package_path, const tmo_open_options* options, tmo_model& model) {
  using namespace tinymlops;
  if (package_path == nullptr || options == nullptr)
    return Fail(TMO_INVALID_ARGUMENT, "tmo_open needs a package path and options");
  if (options->trusted_vendor_key_count == 0 || options->trusted_vendor_keys == nullptr)
    return Fail(TMO_INVALID_ARGUMENT,
                "a package is opened only with a trusted vendor key: set trusted_vendor_keys");
  device::LoaderOptions loader_options;
  for (size_t i = 0; i < options->trusted_vendor_key_count; ++i) {
    if (options->trusted_vendor_keys[i] == nullptr)
      return Fail(TMO_INVALID_ARGUMENT, "trusted_vendor_keys holds a NULL path");
    auto key = crypto::ReadPublicKeyFile(options->trusted_vendor_keys[i]);
    if (!key.ok()) return Fail(key.status());
    loader_options.trusted_vendors.push_back(*key);
  }
  if (options->device_key_dir != nullptr) {
    auto store = device::FileKeyStore::Open(options->device_key_dir);
    if (!store.ok()) return Fail(store.status());
    model.key_store = std::move(*store);
    loader_options.key_store = model.key_store.get();
  }
  if (options->release_counter_dir != nullptr) {
    model.release_counters.reset(new (std::nothrow)
                                     device::FileReleaseCounterStore(options->release_counter_dir));
    if (!model.release_counters) return Fail(TMO_RESOURCE_EXHAUSTED, "out of memory");
    loader_options.release_counters = model.release_counters.get();
  }
  runtime::AddReferenceKernels(model.resolver);
  runtime::AddOptimizedKernels(model.resolver);
  loader_options.resolver = &model.resolver;
  model.loader.reset(new (std::nothrow) device::PackageLoader(std::move(loader_options)));
  if (!model.loader) return Fail(TMO_RESOURCE_EXHAUSTED, "out of memory");
  const Status loaded = model.loader->Load(package_path);
  if (!loaded.ok()) return Fail(loaded);
  auto interpreter = model.loader->interpreter();
  if (!interpreter.ok()) return Fail(interpreter.status());
  model.interpreter = *interpreter;
  return Succeed();
}

tmo_status Info(const tinymlops::runtime::Tensor* tensor, tmo_tensor_info* info) {
  if (info == nullptr) return Fail(TMO_INVALID_ARGUMENT, "the tensor info pointer is NULL");
  info->name = tensor->name;
  info->dtype = static_cast<tmo_dtype>(tensor->dtype);
  info->rank = tensor->shape.rank;
  for (int i = 0; i < TMO_MAX_RANK; ++i)
    info->dims[i] = i < tensor->shape.rank ? tensor->shape.dims[i] : 0;
  info->bytes = tensor->bytes;
  return Succeed();
}

tmo_status CheckIndex(const tmo_model* model, size_t index, size_t count, const char* what) {
  if (model == nullptr) return Fail(TMO_INVALID_ARGUMENT, "the model handle is NULL");
  if (index >= count) {
    last_error = std::string("there is no ") + what + " " + std::to_string(index) +
                 ": the model has " + std::to_string(count);
    return TMO_OUT_OF_RANGE;
  }
  return TMO_OK;
}

tmo_status CheckSize(const tinymlops::runtime::Tensor* tensor, const void* data, size_t size) {
  if (data == nullptr) return Fail(TMO_INVALID_ARGUMENT, "the data pointer is NULL");
  if (size != tensor->bytes) {
    last_error = std::string("tensor '") + tensor->name + "' is " + std::to_string(tensor->bytes) +
                 " bytes, not " + std::to_string(size) + ": pass exactly its tmo_tensor_info.bytes";
    return TMO_INVALID_ARGUMENT;
  }
  return TMO_OK;
}

}  // namespace

extern "C" {

tmo_status tmo_open(const char* package_path, const tmo_open_options* options, tmo_model** model) {
  if (model == nullptr) return Fail(TMO_INVALID_ARGUMENT, "tmo_open needs a handle pointer");
  *model = nullptr;
  std::unique_ptr<tmo_model> opened(new (std::nothrow) tmo_model());
  if (!opened) return Fail(TMO_RESOURCE_EXHAUSTED, "out of memory");
  const tmo_status status = Open(package_path, options, *opened);
  if (status != TMO_OK) return status;
  *model = opened.release();
  return TMO_OK;
}

void tmo_close(tmo_model* model) { delete model; }

const char* tmo_last_error(void) { return last_error.c_str(); }

const char* tmo_model_id(const tmo_model* model) {
  return model ? model->loader->manifest()->model_id.c_str() : "";
}
const char* tmo_model_version(const tmo_model* model) {
  return model ? model->loader->manifest()->version.c_str() : "";
}
const char* tmo_model_variant(const tmo_model* model) {
  return model ? model->loader->manifest()->variant.c_str() : "";
}
uint64_t tmo_model_release(const tmo_model* model) {
  return model ? model->loader->manifest()->release : 0;
}

size_t tmo_input_count(const tmo_model* model) {
  return model ? static_cast<size_t>(model->interpreter->input_count()) : 0;
}
size_t tmo_output_count(const tmo_model* model) {
  return model ? static_cast<size_t>(model->interpreter->output_count()) : 0;
}

tmo_status tmo_input_info(const tmo_model* model, size_t index, tmo_tensor_info* info) {
  const tmo_status status = CheckIndex(model, index, tmo_input_count(model), "input");
  if (status != TMO_OK) return status;
  return Info(model->interpreter->input(static_cast<int>(index)), info);
}

tmo_status tmo_output_info(const tmo_model* model, size_t index, tmo_tensor_info* info) {
  const tmo_status status = CheckIndex(model, index, tmo_output_count(model), "output");
  if (status != TMO_OK) return status;
  return Info(model->interpreter->output(static_cast<int>(index)), info);
}

tmo_status tmo_set_input(tmo_model* model, size_t index, const void* data, size_t size) {
  tmo_status status = CheckIndex(model, index, tmo_input_count(model), "input");
  if (status != TMO_OK) return status;
  tinymlops::runtime::Tensor* tensor = model->interpreter->input(static_cast<int>(index));
  status = CheckSize(tensor, data, size);
  if (status != TMO_OK) return status;
  std::memcpy(tensor->data, data, size);
  return Succeed();
}

tmo_status tmo_invoke(tmo_model* model) {
  if (model == nullptr) return Fail(TMO_INVALID_ARGUMENT, "the model handle is NULL");
  const Status status = model->loader->Invoke();
  return status.ok() ? Succeed() : Fail(status);
}

tmo_status tmo_get_output(const tmo_model* model, size_t index, void* data, size_t size) {
  tmo_status status = CheckIndex(model, index, tmo_output_count(model), "output");
  if (status != TMO_OK) return status;
  const tinymlops::runtime::Tensor* tensor = model->interpreter->output(static_cast<int>(index));
  status = CheckSize(tensor, data, size);
  if (status != TMO_OK) return status;
  std::memcpy(data, tensor->data, size);
  return Succeed();
}

}  // extern "C"
