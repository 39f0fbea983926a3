import FleetSim
import Foundation

/// The assumptions a run's result rests on that the scenario did not spell out, in words: printed under the
/// terminal summary, kept in `summary.json` and shown at the top of the report, so that nobody has to read
/// `scenario.resolved.yaml` to see them (decisions.md #77).
public enum Assumptions {
    public static func list(_ scenario: Scenario) -> [String] {
        var lines: [String] = []
        for deployment in scenario.deployments {
            let name = scenario.deployments.count > 1 ? "\(deployment.name): " : ""
            switch deployment.kind {
            case .replicas: break
            case .api(let api):
                lines += self.api(api, name: name)
                continue
            case .router:
                continue
            }
            var prices = deployment.instance.name.map { instance in
                "prices of \(instance) from \(deployment.instance.source ?? "the built-in catalog")"
            } ?? "prices as the scenario gives them"
            if let reserved = deployment.pools.first(where: { $0.purchase == .reserved }) {
                let discount = 1 - reserved.pricePerHour / deployment.instance.onDemandPerHour
                prices += abs(discount - PoolSpec.defaultReservedDiscount) < 1e-9
                    ? "; reserved at the default \(percent(discount)) off on demand (give `discount` or `pricePerHour`)"
                    : "; reserved at \(percent(discount)) off on demand"
            }
            lines.append(name + prices)
            let spot = deployment.pools.filter { $0.purchase == .spot }
            if !spot.isEmpty {
                if spot.contains(where: { $0.acquisition == nil }) {
                    lines.append(name + "spot: every request for an instance succeeds at once (no `acquisition`)")
                }
                if spot.contains(where: { $0.reclaim == nil }) {
                    lines.append(name + "spot: instances are never reclaimed (no `reclaim`)")
                }
            }
            if let autoscaler = deployment.autoscaler {
                if deployment.pools.contains(where: { $0.isManaged && $0.max == Int.max }) {
                    lines.append(name + "capacity: the cloud always has instances up to the autoscaler's maximum (no pool `max`)")
                }
                if case .fixed = autoscaler.policy {} else {
                    let pipeline = autoscaler.metrics
                    lines.append(name + (pipeline.lagSeconds == 0
                        ? "metrics: each decision sees a sample taken that instant (lag 0), sooner than any cluster"
                        : "metrics: \(Quantities.format(seconds: pipeline.scrapeSeconds)) samples seen "
                            + "\(Quantities.format(seconds: pipeline.lagSeconds)) late"))
                }
            }
        }
        if scenario.warmupSeconds == 0 && scenario.slo != nil {
            lines.append("no warm-up: requests that met an empty fleet at the start count in the latencies")
        }
        return lines
    }

    private static func api(_ api: APISpec, name: String) -> [String] {
        var lines: [String] = []
        let prices = api.prices
        lines.append(name + (api.model.map { "per-token prices of \($0) from \(APIPriceCatalog.version)" } ?? "per-token prices as the scenario gives them")
            + ": $\(Quantities.shortest(prices.input)) input, $\(Quantities.shortest(prices.output)) output, "
            + "$\(Quantities.shortest(prices.cachedInput)) cached input per million tokens")
        if api.ttft == APISpec.defaultTTFT || api.outputTokensPerSecond == APISpec.defaultOutputTokensPerSecond {
            lines.append(name + "latency: the default of a 600 ms median TTFT and 80 output tokens/s (give `latency`)")
        }
        if api.limits.requestsPerMinute == nil && api.limits.tokensPerMinute == nil {
            lines.append(name + "rate limits: none; the provider takes any load (give `limits`)")
        }
        return lines
    }

    private static func percent(_ fraction: Double) -> String {
        String(format: fraction * 100 == (fraction * 100).rounded() ? "%.0f %%" : "%.1f %%", fraction * 100)
    }
}
