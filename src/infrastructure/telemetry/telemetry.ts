// Starts the OpenTelemetry SDK when the standard OTEL_* variables ask for an exporter.
// The SDK reads its exporter settings (endpoint, protocol, headers, service name) from the
// environment itself; when none is set nothing is started and nothing is exported, and the
// SDK is not even loaded: its modules (exporters, a pre-compiled configuration validator)
// hold ~20 MB of the server's memory (bench/profiles/8-memory.md).
import type { Config } from "../../config.js";

export interface Telemetry {
  shutdown(): Promise<void>;
}

export function telemetryWanted(config: Pick<Config, "OTEL_SDK_DISABLED" | "OTEL_EXPORTER_OTLP_ENDPOINT" | "OTEL_TRACES_EXPORTER" | "OTEL_METRICS_EXPORTER">): boolean {
  if (config.OTEL_SDK_DISABLED) return false;
  const exporters = [config.OTEL_TRACES_EXPORTER, config.OTEL_METRICS_EXPORTER].filter((e) => e && e !== "none");
  return Boolean(config.OTEL_EXPORTER_OTLP_ENDPOINT) || exporters.length > 0;
}

export async function startTelemetry(config: Config): Promise<Telemetry> {
  if (!telemetryWanted(config)) return { shutdown: async () => undefined };
  const { NodeSDK } = await import("@opentelemetry/sdk-node");
  const sdk = new NodeSDK({ serviceName: process.env["OTEL_SERVICE_NAME"] ?? "ssltrackr" });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
