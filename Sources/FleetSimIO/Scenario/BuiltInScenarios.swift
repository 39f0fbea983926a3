/// Scenarios compiled into the binary, so `fleetsim run` works from any folder.
public enum BuiltInScenarios {
    /// The text of `scenarios/quickstart.yaml` (a test keeps the two identical).
    public static let quickstart = """
# FleetSim quick start: one day of chat traffic on a fixed fleet of A10G instances.
#
# The fleet is sized for the daily peak (14:00). At 20:00 a launch triples the rate for half an hour; watch the
# p99 and the timeouts in results/quickstart/timeline.csv climb while the fixed fleet cannot grow (the policies in
# scenarios/policies/ show what autoscaling changes), then recover.
name: quickstart
seed: 42
duration: 1d
window: 5m
traffic:
  rate: 20/s                                  # long-run mean; the diurnal curve averages 1
  arrivals: poisson
  diurnal: {peakHour: 14, peakToTrough: 3}
  spikes:
    - {at: 20h, duration: 30m, multiplier: 3, ramp: 5m}
deployments:
  chat:
    # AWS g5.xlarge (1× A10G), us-east-1 on-demand list price: skypilot-catalog v7 aws/vms.csv
    # (../shared/data/prices/gpu_prices_skypilot_catalog_subset.csv).
    instance: {gpu: A10G, gpus: 1, onDemand: 1.006}
    # Generic service model: a batch of n takes a lognormal base time plus 150 ms per request.
    service:
      time: {lognormal: {median: 800ms, sigma: 0.4}}
      perItem: 150ms
    batching: {mode: window, window: 50ms, maxBatch: 8}
    queue: {capacity: 5000, timeout: 30s}
    pools:
      - {purchase: reserved, count: 4}          # one-year commitment, default 35 % discount
      - {purchase: onDemand, count: 8}
slo:
  e2e: {p99: 5s}
"""
}
