// mapShared(path, size) -> ArrayBuffer
// Maps `path` (created 0600 and grown to `size` bytes when needed) with MAP_SHARED, so every process of a node
// that maps the same file sees the same bytes: the data-plane workers count rate limits in it with Atomics
// (libs/plugins/src/shared-counters). Node has no cross-process shared memory of its own; a SharedArrayBuffer
// only spans the threads of one process. The mapping lives as long as the returned ArrayBuffer.
#define NAPI_VERSION 8
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", syscall, strerror(err));
  napi_throw_error(env, NULL, message);
  return NULL;
}

static void unmap(napi_env env, void *data, void *hint) {
  (void)env;
  munmap(data, (size_t)(uintptr_t)hint);
}

static napi_value map_shared(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "mapShared(path, size) needs 2 arguments");
    return NULL;
  }
  char path[4096];
  size_t pathLen = 0;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &pathLen) != napi_ok || pathLen == 0 || pathLen >= sizeof path - 1) {
    napi_throw_type_error(env, NULL, "path must be a non-empty string");
    return NULL;
  }
  int64_t size = 0;
  if (napi_get_value_int64(env, argv[1], &size) != napi_ok || size <= 0 || size > ((int64_t)1 << 32)) {
    napi_throw_range_error(env, NULL, "size must be between 1 byte and 4 GiB");
    return NULL;
  }
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return throw_errno(env, "open", errno);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "fstat", err);
  }
  // Growing is idempotent: every worker may race to it, ftruncate to the same size zero-fills once.
  if (st.st_size < size && ftruncate(fd, (off_t)size) != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "ftruncate", err);
  }
  void *memory = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int err = errno;
  close(fd); // the mapping keeps the file
  if (memory == MAP_FAILED) return throw_errno(env, "mmap", err);
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, memory, (size_t)size, unmap, (void *)(uintptr_t)size, &buffer) != napi_ok) {
    munmap(memory, (size_t)size);
    napi_throw_error(env, NULL, "cannot expose the mapping as an ArrayBuffer");
    return NULL;
  }
  return buffer;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "mapShared", NAPI_AUTO_LENGTH, map_shared, NULL, &fn);
  napi_set_named_property(env, exports, "mapShared", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
