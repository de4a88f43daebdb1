// Opens every door a run judges: a Playwright request context for REST, a gRPC channel for gRPC.
// The specs' worker fixture, the global setup's probe and the teardown share it.
import type { APIRequestContext } from '@playwright/test';
import type { Config } from '../running/config';
import type { Door, DoorName } from './operations-client';
import { restDoor } from './rest/operations-client';
import { targetContextOptions } from './tls';

export interface OpenDoors {
  readonly doors: ReadonlyMap<DoorName, Door>;
  close(): Promise<void>;
}

type RequestApi = { newContext(options: ReturnType<typeof targetContextOptions>): Promise<APIRequestContext> };

export async function openDoors(cfg: Config, request: RequestApi, only: readonly DoorName[] = cfg.doors): Promise<OpenDoors> {
  const doors = new Map<DoorName, Door>();
  const context = only.includes('rest') && cfg.baseUrl ? await request.newContext(targetContextOptions(cfg.baseUrl, cfg.transport)) : undefined;
  if (context) doors.set('rest', restDoor(context, cfg, cfg.baseUrl!));
  // Loaded only where a gRPC door is configured: grpc-js and the protos take a moment to load.
  if (only.includes('grpc') && cfg.grpc) {
    const { grpcChannel, grpcDoor } = await import('./grpc/operations-client');
    doors.set('grpc', grpcDoor(grpcChannel(cfg), cfg));
  }
  return {
    doors,
    close: async () => {
      for (const door of doors.values()) door.close?.();
      await context?.dispose();
    },
  };
}
