// trimMalloc() -> boolean
// Hands glibc malloc's free pages back to the kernel (malloc_trim). free() only ever shrinks a heap from its top;
// the pages of free chunks in the middle stay resident. A long-lived Node process fragments its heap with
// short-lived native allocations (V8's compiler zones, libuv's read buffers, Buffers freed by the GC), so a
// data-plane worker holds ~20 MiB of free malloc memory after a burst of traffic that only this call returns.
// Returns true when memory was released; false when nothing was (or the C library is not glibc).
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static napi_value trim_malloc(napi_env env, napi_callback_info info) {
  (void)info;
  bool released = false;
#ifdef __GLIBC__
  released = malloc_trim(0) != 0;
#endif
  napi_value result;
  napi_get_boolean(env, released, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "trimMalloc", NAPI_AUTO_LENGTH, trim_malloc, NULL, &fn);
  napi_set_named_property(env, exports, "trimMalloc", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
