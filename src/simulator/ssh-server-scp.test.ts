import { describe, expect, it } from "vitest";
import { parseScpCommand } from "./ssh-server-scp.js";

describe("the remote scp command", () => {
  it("reads OpenSSH's sink and source commands, flags and quoted paths", () => {
    expect(parseScpCommand("scp -t -- payload.bin")).toEqual({
      mode: "sink",
      recursive: false,
      preserve: false,
      targetIsDir: false,
      path: "payload.bin",
    });
    expect(parseScpCommand("scp -r -p -d -t /tmp/")).toMatchObject({
      mode: "sink",
      recursive: true,
      preserve: true,
      targetIsDir: true,
      path: "/tmp/",
    });
    expect(parseScpCommand("scp -v -f 'my file.txt'")).toMatchObject({
      mode: "source",
      path: "my file.txt",
    });
    expect(parseScpCommand("scp -t -- -odd-name")).toMatchObject({ path: "-odd-name" });
  });

  it("leaves anything else to the simulated shell", () => {
    expect(parseScpCommand("hostname")).toBeUndefined();
    expect(parseScpCommand("scp a b")).toBeUndefined();
    expect(parseScpCommand("scp -t")).toBeUndefined();
    expect(parseScpCommand("scp -t a b")).toBeUndefined();
  });
});
