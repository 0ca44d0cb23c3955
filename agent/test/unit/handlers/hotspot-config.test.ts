import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createHandlers } from "../../../src/handlers/index.js";
import { contextIn, expectValidResult, useTempDirs } from "./handler-test-kit.js";

const handlers = createHandlers();
const tempDir = useTempDirs();

describe("get_hotspot_config", () => {
  it("parses key=value lines, skips comments and masks every secret", async () => {
    const root = await tempDir();
    const hostapdConf = path.join(root, "hostapd.conf");
    await writeFile(
      hostapdConf,
      [
        "# NEOPRO hotspot",
        "interface=wlan0",
        "",
        "ssid=NEOPRO FC Exemple ",
        "  # indented comment",
        "channel=6",
        "wpa_passphrase=club-secret-123",
        "wpa_psk=0123456789abcdef",
        "sae_password=another-secret",
        "wpa_key_mgmt=WPA-PSK",
        "not a setting",
        "bss=wlan0_1",
        "ssid=second network",
      ].join("\n"),
    );
    const result = await handlers.get_hotspot_config({}, contextIn(root, { paths: { hostapdConf } }));
    expectValidResult("get_hotspot_config", result);
    expect(result).toEqual({
      path: hostapdConf,
      settings: {
        interface: "wlan0",
        ssid: "NEOPRO FC Exemple ",
        channel: "6",
        wpa_passphrase: "********",
        wpa_psk: "********",
        sae_password: "********",
        wpa_key_mgmt: "WPA-PSK",
        bss: "wlan0_1",
      },
    });
    expect(JSON.stringify(result)).not.toContain("secret");
  });

  it("reports a missing file as HOTSPOT_CONFIG_NOT_FOUND", async () => {
    const root = await tempDir();
    await expect(handlers.get_hotspot_config({}, contextIn(root))).rejects.toMatchObject({
      code: "HOTSPOT_CONFIG_NOT_FOUND",
      message: expect.stringContaining("HOSTAPD_CONF"),
    });
  });
});
