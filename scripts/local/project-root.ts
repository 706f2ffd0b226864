import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** This project's root folder (scripts/local/../..). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
