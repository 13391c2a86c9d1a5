/* The device SDK's C API (include/tinymlops/tinymlops.h), compiled as C99: real signed
 * packages of the digits model (made by make_sdk_packages.cmake with the CLI) open, report
 * their tensors and classify a held-out image as its label, clear and encrypted alike; a wrong
 * vendor key, a missing device key, another device, a rollback, a missing, truncated or
 * corrupt file, and wrong sizes and indices are error codes with a message, never a crash.
 * Usage: c_api_test FIXTURE_FOLDER SOURCE_FOLDER */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinymlops/tinymlops.h"

static int failures = 0;
static char fixture[1024], source[1024];

#define CHECK(condition)                                                                \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, __LINE__, \
              #condition, tmo_last_error());                                            \
      ++failures;                                                                       \
    }                                                                                   \
  } while (0)

static const char* Path(const char* folder, const char* name) {
  static char paths[8][1200];
  static int next = 0;
  char* path = paths[next++ % 8];
  snprintf(path, sizeof(paths[0]), "%s/%s", folder, name);
  return path;
}

/* `count` elements of `size` bytes from row `row` of a version-1 .npy file. */
static int ReadNpyRow(const char* path, size_t row, size_t count, size_t size, void* out) {
  unsigned char prefix[10];
  FILE* file = fopen(path, "rb");
  if (!file) return 0;
  int ok = fread(prefix, 1, 10, file) == 10 && memcmp(prefix, "\x93NUMPY\x01", 7) == 0;
  long header = 10 + (long)(prefix[8] | (prefix[9] << 8));
  ok = ok && fseek(file, header + (long)(row * count * size), SEEK_SET) == 0 &&
       fread(out, size, count, file) == count;
  fclose(file);
  return ok;
}

static tmo_status Open(const char* package, const char* vendor, const char* device_dir,
                       const char* counters, tmo_model** model) {
  const char* keys[1];
  tmo_open_options options;
  keys[0] = vendor;
  options.trusted_vendor_keys = keys;
  options.trusted_vendor_key_count = 1;
  options.device_key_dir = device_dir;
  options.release_counter_dir = counters;
  return tmo_open(package, &options, model);
}

static const char* Vendor(void) { return Path(fixture, "vendor/vendor.pub"); }

/* Opens `package`, checks its identity and tensors, classifies held-out image 0 into `out`. */
static void Classify(const char* package, const char* device_dir, float out[10]) {
  tmo_model* model = NULL;
  tmo_tensor_info info;
  float pixels[64], sum = 0;
  long long label = -1;
  int best = 0, i;
  CHECK(Open(package, Vendor(), device_dir, NULL, &model) == TMO_OK);
  if (model == NULL) return;
  CHECK(strcmp(tmo_model_id(model), "digits") == 0);
  CHECK(strcmp(tmo_model_version(model), "1.0.0") == 0);
  CHECK(tmo_model_release(model) == 2);
  CHECK(tmo_input_count(model) == 1 && tmo_output_count(model) == 1);
  CHECK(tmo_input_info(model, 0, &info) == TMO_OK);
  CHECK(strcmp(info.name, "pixels") == 0 && info.dtype == TMO_FLOAT32 && info.rank == 2 &&
        info.dims[0] == 1 && info.dims[1] == 64 && info.bytes == sizeof(pixels));
  CHECK(tmo_output_info(model, 0, &info) == TMO_OK);
  CHECK(strcmp(info.name, "probabilities") == 0 && info.bytes == 10 * sizeof(float));
  CHECK(ReadNpyRow(Path(source, "examples/digits/heldout_x.npy"), 0, 64, 4, pixels));
  CHECK(ReadNpyRow(Path(source, "examples/digits/heldout_y.npy"), 0, 1, 8, &label));
  CHECK(tmo_set_input(model, 0, pixels, sizeof(pixels)) == TMO_OK);
  CHECK(tmo_invoke(model) == TMO_OK);
  CHECK(tmo_get_output(model, 0, out, 10 * sizeof(float)) == TMO_OK);
  for (i = 0; i < 10; ++i) {
    sum += out[i];
    if (out[i] > out[best]) best = i;
  }
  CHECK(sum > 0.999f && sum < 1.001f);
  CHECK(best == label);
  tmo_close(model);
}

static void ExpectOpenError(const char* package, const char* vendor, const char* device_dir,
                            const char* counters, tmo_status code, const char* fragment) {
  tmo_model* model = (tmo_model*)1;
  const tmo_status status = Open(package, vendor, device_dir, counters, &model);
  CHECK(status == code);
  CHECK(model == NULL);
  if (strstr(tmo_last_error(), fragment) == NULL) {
    fprintf(stderr, "expected '%s' in: %s\n", fragment, tmo_last_error());
    ++failures;
  }
}

static void WriteBytes(const char* path, const unsigned char* data, size_t size) {
  FILE* file = fopen(path, "wb");
  if (!file) return;
  fwrite(data, 1, size, file);
  fclose(file);
}

static void RefusesBadPackagesAndBadCalls(void) {
  static unsigned char bytes[1 << 20];
  FILE* file = fopen(Path(fixture, "clear.tpkg"), "rb");
  size_t size = file ? fread(bytes, 1, sizeof(bytes), file) : 0;
  tmo_model* model = NULL;
  tmo_tensor_info info;
  float small[3];
  if (file) fclose(file);
  CHECK(size > 200);

  ExpectOpenError(Path(fixture, "clear.tpkg"), Path(fixture, "stranger/vendor.pub"), NULL, NULL,
                  TMO_FAILED_PRECONDITION, "signature does not verify");
  ExpectOpenError(Path(fixture, "encrypted.tpkg"), Vendor(), NULL, NULL, TMO_FAILED_PRECONDITION,
                  "encrypted");
  ExpectOpenError(Path(fixture, "encrypted.tpkg"), Vendor(), Path(fixture, "other-device"), NULL,
                  TMO_FAILED_PRECONDITION, "not to this device");
  ExpectOpenError(Path(fixture, "absent.tpkg"), Vendor(), NULL, NULL, TMO_NOT_FOUND, "absent.tpkg");
  ExpectOpenError(Path(fixture, "clear.tpkg"), Path(fixture, "absent.pub"), NULL, NULL,
                  TMO_NOT_FOUND, "absent.pub");
  WriteBytes(Path(fixture, "truncated.tpkg"), bytes, size / 2);
  ExpectOpenError(Path(fixture, "truncated.tpkg"), Vendor(), NULL, NULL, TMO_INVALID_ARGUMENT,
                  "truncated");
  bytes[size - 7] ^= 0x10;
  WriteBytes(Path(fixture, "corrupt.tpkg"), bytes, size);
  ExpectOpenError(Path(fixture, "corrupt.tpkg"), Vendor(), NULL, NULL, TMO_INVALID_ARGUMENT,
                  "altered");
  WriteBytes(Path(fixture, "garbage.tpkg"), (const unsigned char*)"not a package", 13);
  ExpectOpenError(Path(fixture, "garbage.tpkg"), Vendor(), NULL, NULL, TMO_INVALID_ARGUMENT,
                  "package");
  CHECK(tmo_open(NULL, NULL, &model) == TMO_INVALID_ARGUMENT && model == NULL);
  CHECK(tmo_open(Path(fixture, "clear.tpkg"), NULL, NULL) == TMO_INVALID_ARGUMENT);

  /* Anti-rollback through the release-counter folder. */
  CHECK(Open(Path(fixture, "clear.tpkg"), Vendor(), NULL, Path(fixture, "counters"), &model) ==
        TMO_OK);
  tmo_close(model);
  ExpectOpenError(Path(fixture, "old.tpkg"), Vendor(), NULL, Path(fixture, "counters"),
                  TMO_FAILED_PRECONDITION, "rollback refused");

  /* Wrong sizes, indices and NULLs on an open handle. */
  CHECK(Open(Path(fixture, "clear.tpkg"), Vendor(), NULL, NULL, &model) == TMO_OK);
  CHECK(tmo_set_input(model, 0, small, sizeof(small)) == TMO_INVALID_ARGUMENT);
  CHECK(strstr(tmo_last_error(), "pass exactly") != NULL);
  CHECK(tmo_set_input(model, 1, small, sizeof(small)) == TMO_OUT_OF_RANGE);
  CHECK(tmo_set_input(model, 0, NULL, 256) == TMO_INVALID_ARGUMENT);
  CHECK(tmo_get_output(model, 0, small, sizeof(small)) == TMO_INVALID_ARGUMENT);
  CHECK(tmo_input_info(model, 5, &info) == TMO_OUT_OF_RANGE);
  CHECK(tmo_output_info(model, 0, NULL) == TMO_INVALID_ARGUMENT);
  CHECK(tmo_invoke(NULL) == TMO_INVALID_ARGUMENT);
  CHECK(tmo_input_count(NULL) == 0);
  tmo_close(model);
  tmo_close(NULL);
}

int main(int argc, char** argv) {
  float clear[10], encrypted[10];
  if (argc != 3) {
    fprintf(stderr, "usage: c_api_test FIXTURE_FOLDER SOURCE_FOLDER\n");
    return 2;
  }
  snprintf(fixture, sizeof(fixture), "%s", argv[1]);
  snprintf(source, sizeof(source), "%s", argv[2]);
  Classify(Path(fixture, "clear.tpkg"), NULL, clear);
  Classify(Path(fixture, "encrypted.tpkg"), Path(fixture, "device"), encrypted);
  CHECK(memcmp(clear, encrypted, sizeof(clear)) == 0);
  RefusesBadPackagesAndBadCalls();
  if (failures)
    fprintf(stderr, "%d check(s) failed\n", failures);
  else
    printf("c_api_test: all checks passed\n");
  return failures ? 1 : 0;
}
