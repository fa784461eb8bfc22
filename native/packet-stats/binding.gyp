{
  "targets": [
    {
      "target_name": "packet_stats",
      "sources": ["src/packet_stats.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
