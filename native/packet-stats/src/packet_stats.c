/*
 * The kernel's packet counters of this process's AF_PACKET sockets (Linux only).
 *
 * libpcap captures on Linux through an AF_PACKET socket; its pcap_stats() is getsockopt(SOL_PACKET,
 * PACKET_STATISTICS) on that socket. The npm module `cap` never calls pcap_stats(), so Framescope reads the same
 * counters here, from the socket cap's libpcap opened:
 *
 *   packetSockets()        -> [{ fd, inode }]: every AF_PACKET socket this process has open (from /proc/self/fd);
 *   readStats(fd, inode)   -> { packets, drops } or null: PACKET_STATISTICS of that socket, which the kernel resets
 *                             on every read (so the caller accumulates); null when `fd` is no longer that socket.
 *
 * As the kernel reports them: `packets` counts every packet that passed the socket's filter, dropped ones included
 * (the kernel adds tp_drops to tp_packets), `drops` the ones that found no room in the ring / receive buffer.
 * Plain C against node_api.h (Node-API 8): no npm dependency, and ABI-stable across Node and Electron.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <dirent.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SOL_PACKET
#define SOL_PACKET 263
#endif

#define CHECK(call)                                                                                                   \
  do {                                                                                                                \
    if ((call) != napi_ok) return NULL;                                                                               \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char text[256];
  snprintf(text, sizeof text, "%s: %s", what, strerror(err));
  napi_throw_error(env, NULL, text);
  return NULL;
}

static int is_packet_socket(int fd, struct stat *st) {
  if (fstat(fd, st) != 0 || !S_ISSOCK(st->st_mode)) return 0;
  int domain = 0;
  socklen_t len = sizeof domain;
  return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == AF_PACKET;
}

static napi_value set_number(napi_env env, napi_value obj, const char *name, double value) {
  napi_value v;
  CHECK(napi_create_double(env, value, &v));
  CHECK(napi_set_named_property(env, obj, name, v));
  return obj;
}

static napi_value packet_sockets(napi_env env, napi_callback_info info) {
  (void)info;
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) return throw_errno(env, "packetSockets: /proc/self/fd", errno);
  napi_value list;
  if (napi_create_array(env, &list) != napi_ok) {
    closedir(dir);
    return NULL;
  }
  uint32_t n = 0;
  int own = dirfd(dir);
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    char *end;
    long fd = strtol(e->d_name, &end, 10);
    if (*e->d_name == '\0' || *end != '\0' || fd < 0 || fd == own) continue;
    struct stat st;
    if (!is_packet_socket((int)fd, &st)) continue;
    napi_value item;
    if (napi_create_object(env, &item) != napi_ok || !set_number(env, item, "fd", (double)fd) ||
        !set_number(env, item, "inode", (double)st.st_ino) || napi_set_element(env, list, n++, item) != napi_ok) {
      closedir(dir);
      return NULL;
    }
  }
  closedir(dir);
  return list;
}

static napi_value read_stats(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t fd = -1;
  double inode = -1;
  if (argc < 2 || napi_get_value_int64(env, argv[0], &fd) != napi_ok || napi_get_value_double(env, argv[1], &inode) != napi_ok) {
    napi_throw_type_error(env, NULL, "readStats(fd, inode): two numbers expected");
    return NULL;
  }
  napi_value result;
  struct stat st;
  if (fd < 0 || fd > 0x7fffffff || !is_packet_socket((int)fd, &st) || (double)st.st_ino != inode) {
    CHECK(napi_get_null(env, &result));
    return result;
  }
  /* tpacket_stats_v3 begins with tpacket_stats' two fields; the kernel copies at most the size it uses. */
  struct tpacket_stats_v3 stats;
  memset(&stats, 0, sizeof stats);
  socklen_t len = sizeof stats;
  if (getsockopt((int)fd, SOL_PACKET, PACKET_STATISTICS, &stats, &len) != 0) return throw_errno(env, "readStats: PACKET_STATISTICS", errno);
  CHECK(napi_create_object(env, &result));
  if (!set_number(env, result, "packets", (double)stats.tp_packets) || !set_number(env, result, "drops", (double)stats.tp_drops)) return NULL;
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  CHECK(napi_create_function(env, "packetSockets", NAPI_AUTO_LENGTH, packet_sockets, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "packetSockets", fn));
  CHECK(napi_create_function(env, "readStats", NAPI_AUTO_LENGTH, read_stats, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "readStats", fn));
  return exports;
}
