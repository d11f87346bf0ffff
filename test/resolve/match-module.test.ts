// Which module a MODULE:0xADDR pattern or `-p PID -t NAME` means.
import { describe, expect, test } from "bun:test";
import { matchModule, moduleCandidates, ResolveError } from "../../src/resolve/modules.ts";

const mods = [
  { name: "/opt/app/bin/server" },
  { name: "/usr/lib/x86_64-linux-gnu/libc.so.6" },
  { name: "/opt/app/lib/libfoo.so" },
  { name: "/opt/app/plugins/libfoo.so" },
  { name: "/opt/app/lib/libbar.so.1.2" },
];

describe("matchModule", () => {
  test("a full path, a suffix on a / boundary, a versioned basename", () => {
    expect(matchModule(mods, "/opt/app/bin/server").name).toBe("/opt/app/bin/server");
    expect(matchModule(mods, "lib/libfoo.so").name).toBe("/opt/app/lib/libfoo.so");
    expect(matchModule(mods, "libc.so.6").name).toBe("/usr/lib/x86_64-linux-gnu/libc.so.6");
    expect(matchModule(mods, "libc.so").name).toBe("/usr/lib/x86_64-linux-gnu/libc.so.6");
    expect(matchModule(mods, "libbar").name).toBe("/opt/app/lib/libbar.so.1.2");
    // not a boundary: "erver" is no module
    expect(moduleCandidates(mods, "erver")).toEqual([]);
  });

  test("an ambiguous suffix lists the candidates; an unknown one lists the modules", () => {
    expect(() => matchModule(mods, "libfoo.so")).toThrow(ResolveError);
    expect(() => matchModule(mods, "libfoo.so")).toThrow("module libfoo.so is ambiguous in the target: /opt/app/lib/libfoo.so, /opt/app/plugins/libfoo.so; give more of the path");
    expect(() => matchModule(mods, "libnope.so", "process 42")).toThrow(
      "no module matching libnope.so in process 42; its modules are: /opt/app/bin/server, /usr/lib/x86_64-linux-gnu/libc.so.6, /opt/app/lib/libfoo.so, /opt/app/plugins/libfoo.so, /opt/app/lib/libbar.so.1.2",
    );
  });
});
