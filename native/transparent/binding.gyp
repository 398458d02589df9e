{
  "targets": [
    {
      "target_name": "transparent",
      "sources": ["src/transparent.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
