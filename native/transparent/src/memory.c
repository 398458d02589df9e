// trimMalloc() -> boolean, limitMallocArenas(n) -> boolean
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

// Caps the number of malloc arenas (mallopt M_ARENA_MAX), as MALLOC_ARENA_MAX does for a process started with it.
// glibc gives each thread that allocates concurrently an arena of its own (up to 8 per core), each a 64 MiB
// reservation of which a few hundred KiB to a few MiB stay resident; V8's and libuv's helper threads in a
// supervisor that idles between snapshots need none of their own. Arenas that exist already stay in use.
static napi_value limit_malloc_arenas(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t n = 0;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
    napi_throw_range_error(env, NULL, "limitMallocArenas(n) needs a count of at least 1");
    return NULL;
  }
  bool done = false;
#ifdef __GLIBC__
  done = mallopt(M_ARENA_MAX, n) == 1;
#endif
  napi_value result;
  napi_get_boolean(env, done, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "trimMalloc", NAPI_AUTO_LENGTH, trim_malloc, NULL, &fn);
  napi_set_named_property(env, exports, "trimMalloc", fn);
  napi_create_function(env, "limitMallocArenas", NAPI_AUTO_LENGTH, limit_malloc_arenas, NULL, &fn);
  napi_set_named_property(env, exports, "limitMallocArenas", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
