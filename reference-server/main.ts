// `npm run reference-server`: starts the server on 127.0.0.1 from REFERENCE_* variables.
import { ReferenceConfigError, optionsFromEnv, startReferenceServer, type RunningReference } from './index';

/** The one startup line; never contains a token. The gRPC door has the REST door's TLS (base's scheme). */
export const startupLine = (r: RunningReference) =>
  `reference-server ready: profile=${r.profile} faults=${r.faults.join(',') || 'none'} base=${r.baseUrl} grpc=${r.grpcAddress ?? 'off'} issuer=${r.issuerUrl} token=${r.tokenUrl} audience=${r.audience}`;

async function main() {
  let running: RunningReference;
  try {
    running = await startReferenceServer(optionsFromEnv(process.env));
  } catch (e) {
    if (!(e instanceof ReferenceConfigError)) throw e;
    console.error(`reference-server: ${e.message}`);
    process.exit(2);
  }
  console.log(startupLine(running));
  const stop = async (signal: string) => {
    console.log(`reference-server: ${signal}, stopping`);
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

void main();
