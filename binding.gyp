{
  "targets": [
    {
      "target_name": "agora_call_token",
      "sources": [
        "src/binding/build.c",
        "src/binding/errors.c",
        "src/binding/instance.c",
        "src/binding/notify.c",
        "src/binding/read.c",
        "src/binding/tables.c",
        "src/binding/testing.c",
        "src/core/ctx.c",
        "src/core/encoding.c",
        "src/core/notify.c",
        "src/core/privmap.c",
        "src/core/sign.c",
        "src/core/status.c",
        "src/core/token006.c",
        "src/core/token007.c",
        "src/core/zstream.c"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_c": ["-std=c11", "-O2", "-Wall", "-Wextra", "-fvisibility=hidden"],
      "conditions": [
        ["OS=='linux'", {
          "ldflags": ["-Wl,-z,now"]
        }]
      ],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-std=c11", "-O2", "-Wall", "-Wextra", "-fvisibility=hidden"]
      }
    }
  ]
}
