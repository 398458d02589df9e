// openTransparentListener(host, port, backlog, ipv6only) -> fd
// A listening TCP socket with IP_TRANSPARENT (IPV6_TRANSPARENT for IPv6) set BEFORE bind(), so the kernel lets it
// accept connections that a TPROXY rule diverted to it while they were addressed elsewhere. Node's net module has no
// way to set the option before bind, hence this addon; the fd is handed to net.Server.listen({ fd }).
// Errors are thrown with `code` set to the errno name and `syscall` to the failing call, so the caller can tell
// a missing capability (EPERM on setsockopt) from an address problem.
#define NAPI_VERSION 8
#include <node_api.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT 19
#endif
#ifndef IPV6_TRANSPARENT
#define IPV6_TRANSPARENT 75
#endif

static const char *errno_name(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EINVAL: return "EINVAL";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case EMFILE: return "EMFILE";
    default: return "EUNKNOWN";
  }
}

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  char message[160];
  snprintf(message, sizeof message, "%s: %s", syscall, strerror(err));
  napi_value msg, code, sys, error;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_create_error(env, code, msg, &error);
  napi_set_named_property(env, error, "syscall", sys);
  napi_value errnoValue;
  napi_create_int32(env, -err, &errnoValue);
  napi_set_named_property(env, error, "errno", errnoValue);
  napi_throw(env, error);
  return NULL;
}

static napi_value open_transparent_listener(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4) {
    napi_throw_type_error(env, NULL, "openTransparentListener(host, port, backlog, ipv6only) needs 4 arguments");
    return NULL;
  }
  char host[64];
  size_t hostLen = 0;
  if (napi_get_value_string_utf8(env, argv[0], host, sizeof host, &hostLen) != napi_ok) {
    napi_throw_type_error(env, NULL, "host must be an IP address string");
    return NULL;
  }
  int32_t port = 0, backlog = 511;
  bool ipv6only = false;
  napi_get_value_int32(env, argv[1], &port);
  napi_get_value_int32(env, argv[2], &backlog);
  napi_get_value_bool(env, argv[3], &ipv6only);
  if (port < 0 || port > 65535) {
    napi_throw_range_error(env, NULL, "port out of range");
    return NULL;
  }

  struct sockaddr_storage addr;
  socklen_t addrLen;
  memset(&addr, 0, sizeof addr);
  int family;
  struct sockaddr_in *v4 = (struct sockaddr_in *)&addr;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&addr;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    family = AF_INET;
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    addrLen = sizeof *v4;
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    addrLen = sizeof *v6;
  } else {
    napi_throw_type_error(env, NULL, "host must be a literal IPv4 or IPv6 address");
    return NULL;
  }

  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return throw_errno(env, "socket", errno);
  int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0) goto fail_reuse;
  if (family == AF_INET) {
    if (setsockopt(fd, SOL_IP, IP_TRANSPARENT, &on, sizeof on) < 0) goto fail_transparent;
  } else {
    int v6only = ipv6only ? 1 : 0;
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) < 0) goto fail_reuse;
    if (setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &on, sizeof on) < 0) goto fail_transparent;
    // A dual-stack socket must also take diverted IPv4 flows.
    if (!ipv6only && setsockopt(fd, SOL_IP, IP_TRANSPARENT, &on, sizeof on) < 0 && errno == EPERM) goto fail_transparent;
  }
  if (bind(fd, (struct sockaddr *)&addr, addrLen) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind", err);
  }
  if (listen(fd, backlog > 0 ? backlog : 511) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "listen", err);
  }
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;

fail_reuse: {
    int err = errno;
    close(fd);
    return throw_errno(env, "setsockopt", err);
  }
fail_transparent: {
    int err = errno;
    close(fd);
    return throw_errno(env, "setsockopt(IP_TRANSPARENT)", err);
  }
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "openTransparentListener", NAPI_AUTO_LENGTH, open_transparent_listener, NULL, &fn);
  napi_set_named_property(env, exports, "openTransparentListener", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
