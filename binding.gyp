{
  "targets": [
    {
      "target_name": "tinykube_relay",
      "sources": ["native/relay.c"],
      "cflags!": ["-O3"],
      "cflags_c": ["-std=c11", "-O2", "-Wall", "-Wextra"],
      "libraries": ["-lpthread"]
    },
    {
      "target_name": "tinykube_dns",
      "sources": ["native/dns.c"],
      "cflags!": ["-O3"],
      "cflags_c": ["-std=c11", "-O2", "-Wall", "-Wextra"],
      "libraries": ["-lpthread"]
    }
  ]
}
