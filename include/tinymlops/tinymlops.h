/* tinymlops device SDK, C API (C99).
 *
 * Opens a signed, possibly per-device encrypted .tpkg package the way the device's
 * PackageLoader does (src/device/package_loader.h): the Ed25519 signature against the trusted
 * vendor keys first, then the runtime version, the release counter (anti-rollback), decryption
 * into locked memory, self-tests and the integrity guard; then runs the model.
 *
 * Handles are opaque. Every call that can fail returns a tmo_status; TMO_OK is 0. On failure,
 * tmo_last_error() gives a one-line message saying what failed and what to do. No C++
 * exception crosses this boundary, and bad input (a wrong key, a corrupt file, a wrong size)
 * is an error code, never a crash.
 *
 * Thread-safety:
 *   - tmo_last_error() is per thread: it describes the last failed call made by the calling
 *     thread, and stays valid until that thread's next call into this API.
 *   - Different handles may be used from different threads at the same time.
 *   - One handle is used by one thread at a time (the caller serializes): tmo_set_input,
 *     tmo_invoke and tmo_get_output share the model's tensors. The query calls
 *     (tmo_input_count, tmo_input_info, ..., tmo_model_id) only read and may run concurrently
 *     with each other, but not with tmo_set_input, tmo_invoke, tmo_get_output or tmo_close.
 *   - The integrity guard runs in its own background thread; it needs nothing from the caller.
 */
#ifndef TINYMLOPS_TINYMLOPS_H_
#define TINYMLOPS_TINYMLOPS_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes: the same meanings as the C++ StatusCode (src/runtime/status.h). */
typedef enum tmo_status {
  TMO_OK = 0,
  TMO_INVALID_ARGUMENT = 1,    /* malformed input: bad file, bad size, bad index, NULL */
  TMO_NOT_FOUND = 2,           /* a named thing (file, tensor) does not exist */
  TMO_UNSUPPORTED = 3,         /* well-formed but beyond this build (e.g. a newer runtime) */
  TMO_OUT_OF_RANGE = 4,        /* an index or size beyond its bounds */
  TMO_RESOURCE_EXHAUSTED = 5,  /* not enough (locked) memory */
  TMO_FAILED_PRECONDITION = 6, /* refused: bad signature, rollback, another device's package,
                                  model quarantined by the integrity guard */
  TMO_IO_ERROR = 7,            /* the operating system refused a read */
  TMO_INTERNAL = 8             /* a bug in tinymlops: please report it */
} tmo_status;

typedef enum tmo_dtype {
  TMO_FLOAT32 = 0,
  TMO_INT8 = 1,
  TMO_UINT8 = 2,
  TMO_INT32 = 3,
  TMO_INT64 = 4
} tmo_dtype;

#define TMO_MAX_RANK 6

typedef struct tmo_tensor_info {
  const char* name; /* valid while the handle is open */
  tmo_dtype dtype;
  int rank;
  int32_t dims[TMO_MAX_RANK];
  size_t bytes; /* element count * element size: what set_input / get_output take */
} tmo_tensor_info;

typedef struct tmo_open_options {
  /* Paths of trusted vendor public keys (VENDOR.pub, from `tinymlops keys new`); at least
   * one. The package must be signed by one of them. */
  const char* const* trusted_vendor_keys;
  size_t trusted_vendor_key_count;
  /* The device key folder (`tinymlops device keygen --dir`), needed for encrypted packages;
   * NULL: only clear packages open. */
  const char* device_key_dir;
  /* The folder of the device's release counters (one file per model id, created 0700);
   * NULL: no rollback check. */
  const char* release_counter_dir;
} tmo_open_options;

typedef struct tmo_model tmo_model;

/* Opens and verifies the package at `package_path` and loads its model. On success *model is
 * a new handle (close it with tmo_close); on failure *model is NULL. */
tmo_status tmo_open(const char* package_path, const tmo_open_options* options, tmo_model** model);
/* Releases the handle: stops the guard, zeroes and frees the model's memory. NULL is a no-op. */
void tmo_close(tmo_model* model);

/* The last failed call's message on this thread ("" if none). */
const char* tmo_last_error(void);

/* Identity of the loaded package (signed manifest): valid while the handle is open. */
const char* tmo_model_id(const tmo_model* model);
const char* tmo_model_version(const tmo_model* model);
const char* tmo_model_variant(const tmo_model* model);
uint64_t tmo_model_release(const tmo_model* model);

size_t tmo_input_count(const tmo_model* model);
size_t tmo_output_count(const tmo_model* model);
tmo_status tmo_input_info(const tmo_model* model, size_t index, tmo_tensor_info* info);
tmo_status tmo_output_info(const tmo_model* model, size_t index, tmo_tensor_info* info);

/* Copies `size` bytes (exactly the input's `bytes`, little-endian elements) into input
 * `index`. */
tmo_status tmo_set_input(tmo_model* model, size_t index, const void* data, size_t size);
/* Runs the model once on the inputs set. Refused when the guard has quarantined the model. */
tmo_status tmo_invoke(tmo_model* model);
/* Copies output `index` (exactly its `bytes`) into `data`, which holds `size` bytes. */
tmo_status tmo_get_output(const tmo_model* model, size_t index, void* data, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* TINYMLOPS_TINYMLOPS_H_ */
