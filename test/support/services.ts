// What global-setup found, handed to the test workers (vitest provide/inject, and an env var
// that forked workers inherit, for code that runs outside a test file).

export type ServiceMode = 'server' | 'embedded' | 'skipped';

export interface ServiceInfo {
  mode: ServiceMode;
  /** Connection URL (server mode); never printed with a password. */
  url?: string;
  /** Printable URL. */
  redacted?: string;
  /** Why it is skipped, or what runs instead. */
  reason?: string;
}

export interface ServicesInfo {
  /** Unique per test run: prefixes every database the run creates (rd_t_<runId>_…). */
  runId: string;
  postgres: ServiceInfo;
  mysql: ServiceInfo;
  redis: ServiceInfo;
}

declare module 'vitest' {
  export interface ProvidedContext {
    relayDoctorServices: ServicesInfo;
  }
}

export const SERVICES_ENV = 'RELAY_DOCTOR_TEST_SERVICES';
