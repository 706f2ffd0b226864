/**
 * The failure screenshot: the viewport as PNG, or as JPEG when the PNG is over the cap, or
 * none (with a note) when even that is too large. Kept outside D1 (R2), under the run's id.
 */
import type { Page } from "playwright-core";

/** The largest screenshot kept, in bytes. A 1280x720 page is usually 30-300 KB as PNG. */
export const MAX_SCREENSHOT_BYTES = 1_000_000;
export const VIEWPORT = { width: 1280, height: 720 } as const;

export interface Screenshot {
  bytes: Uint8Array;
  contentType: "image/png" | "image/jpeg";
  width: number;
  height: number;
}

/** The object key of a run's screenshot. */
export function screenshotKey(runId: string, contentType: Screenshot["contentType"]): string {
  return `screenshots/${runId}.${contentType === "image/png" ? "png" : "jpg"}`;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from a PNG's IHDR chunk, or null when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Takes the failure screenshot within the cap; a string says why there is none. */
export async function takeScreenshot(
  page: Page,
  timeoutMs: number,
  maxBytes = MAX_SCREENSHOT_BYTES,
): Promise<Screenshot | string> {
  try {
    const png = new Uint8Array(await page.screenshot({ type: "png", timeout: timeoutMs }));
    const size = pngSize(png);
    if (size && png.length <= maxBytes) return { bytes: png, contentType: "image/png", ...size };
    const jpeg = new Uint8Array(await page.screenshot({ type: "jpeg", quality: 60, timeout: timeoutMs }));
    const viewport = page.viewportSize() ?? VIEWPORT;
    if (jpeg.length <= maxBytes) return { bytes: jpeg, contentType: "image/jpeg", ...viewport };
    return `the screenshot was ${jpeg.length} bytes as JPEG, over the ${maxBytes}-byte cap`;
  } catch (error) {
    return `no screenshot: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
  }
}
