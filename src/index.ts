import type { WorkerEnv } from "./config.ts";

export default {
  async fetch(_request: Request, _env: WorkerEnv): Promise<Response> {
    return new Response("afterlife");
  },
} satisfies ExportedHandler<WorkerEnv>;
