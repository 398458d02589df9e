{
  "targets": [
    {
      "target_name": "transparent",
      "sources": ["src/transparent.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    },
    {
      "target_name": "shm",
      "sources": ["src/shm.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    },
    {
      "target_name": "memory",
      "sources": ["src/memory.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
