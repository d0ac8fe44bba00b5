{
  # The unicase collation as a SQLite loadable extension, loaded by
  # src-main/server/storage/sqlite.ts into every better-sqlite3 connection.
  # It talks to SQLite only through the sqlite3_api_routines pointer it is
  # given, so it links against neither SQLite nor Node and needs no rebuild
  # for Electron.
  "targets": [
    {
      "target_name": "unicase",
      "type": "shared_library",
      "product_prefix": "",
      "win_delay_load_hook": "false",
      "sources": ["unicase.c"],
      "include_dirs": ["../node_modules/better-sqlite3/deps/sqlite3"],
      "cflags": ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-std=c99", "-O2", "-Wall", "-Wextra"]
      }
    }
  ]
}
