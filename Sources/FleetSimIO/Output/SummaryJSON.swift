import FleetSim

/// The `summary.json` contract (DESIGN.md §4): totals first, then the same blocks per deployment.
public enum SummaryJSON {
    /// Facts about the run that the model does not know: how long it took on the wall clock.
    public struct RunInfo: Sendable {
        public var wallSeconds: Double
        /// What the reader of the result must know before trusting it (a run stopped early, …).
        public var warnings: [String]
        public init(wallSeconds: Double, warnings: [String] = []) {
            self.wallSeconds = wallSeconds
            self.warnings = warnings
        }
    }

    public static func document(_ result: SimulationResult, scenario: Scenario, run: RunInfo) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("scenario", .string(result.scenario)),
            ("seed", .integer(Int(result.seed))),
            ("replication", .integer(result.replication)),
            ("durationSeconds", .number(scenario.durationSeconds)),
            ("warmupSeconds", .number(scenario.warmupSeconds)),
            ("complete", .bool(result.stop == nil)),
            ("engine", .string(scenario.engine.name)),
        ]
        if let stop = result.stop {
            members.append(("stoppedAtSeconds", .number(stop.timeSeconds)))
        }
        members.append(("warnings", .array(run.warnings.map(JSONValue.string))))
        members.append(("assumptions", .array(Assumptions.list(scenario).map(JSONValue.string))))
        members += blocks(result.total)
        if let budget = scenario.budget {
            let forRun = budget.forRun(seconds: result.durationSeconds)
            members.append(("budget", .object([
                ("monthly", .number(budget.monthlyUSD)), ("forRun", .number(forRun)),
                ("spentFraction", .number(result.total.cost.total / forRun)),
            ])))
        }
        var simulation: [(String, JSONValue)] = [
            ("events", .integer(Int(result.events))),
            ("wallSeconds", .number(run.wallSeconds)),
            ("eventsPerSecond", .number(run.wallSeconds > 0 ? Double(result.events) / run.wallSeconds : nil)),
        ]
        if case .analytic(let step) = scenario.engine, let seen = result.analytic {
            simulation.append(("analytic", .object([
                ("stepSeconds", .number(step)), ("steps", .integer(seen.steps)),
                ("overloadedSteps", .integer(seen.overloadedSteps)), ("fewServerSteps", .integer(seen.fewServerSteps)),
                ("heavyTailed", .bool(seen.heavyTailed)),
            ])))
        }
        members.append(("simulation", .object(simulation)))
        members.append(("deployments", .object(zip(result.deployments, scenario.deployments).map { result, spec in
            (result.name, .object([("kind", .string(spec.kind.name))] + blocks(result) + details(spec, result)))
        })))
        members.append(("classes", .object(result.classes.map { ($0.name, .object(classBlocks($0))) })))
        return .object(members)
    }

    /// What is meaningful per class: requests, latencies, SLO and tokens (cost and fleet belong to deployments).
    static func classBlocks(_ d: DeploymentResult) -> [(String, JSONValue)] {
        blocks(d).filter { ["requests", "latency", "slo", "tokens", "cache", "quality"].contains($0.0) }
    }

    static func blocks(_ d: DeploymentResult) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [
            ("requests", .object([
                ("arrived", .integer(d.requests.arrived)),
                ("completed", .integer(d.requests.completed)),
                ("rejected", .integer(d.requests.rejected)),
                ("timedOut", .integer(d.requests.timedOut)),
                ("failed", .integer(d.requests.failed)),
                ("forwarded", .integer(d.requests.forwarded)),
                ("escalated", .integer(d.requests.escalated)),
                ("overflowed", .integer(d.requests.overflowed)),
                ("inFlightAtEnd", .integer(d.requests.inFlightAtEnd)),
            ])),
            ("latency", .object([
                ("e2e", latency(d.e2e)),
                ("ttft", latency(d.ttft)),
                ("tpot", latency(d.tpot)),
                ("queueWait", latency(d.queueWait, extra: [("fractionWaited", .number(d.fractionWaited))])),
            ])),
        ]
        if let slo = d.slo {
            var block: [(String, JSONValue)] = [("attainment", .number(slo.attainment))]
            if let attainment = slo.e2eAttainment { block.append(("e2eAttainment", .number(attainment))) }
            if let observed = slo.e2eObserved { block.append(("e2eObserved", .number(observed))) }
            if let attainment = slo.ttftAttainment { block.append(("ttftAttainment", .number(attainment))) }
            if let observed = slo.ttftObserved { block.append(("ttftObserved", .number(observed))) }
            block.append(("met", slo.met.map(JSONValue.bool) ?? .null))
            members.append(("slo", .object(block)))
        } else {
            members.append(("slo", .object([("attainment", .null)])))
        }
        members += [
            ("cost", .object([
                ("total", .number(d.cost.total)),
                ("reserved", .number(d.cost.reserved)),
                ("onDemand", .number(d.cost.onDemand)),
                ("spot", .number(d.cost.spot)),
                ("api", .number(d.cost.api)),
                ("perMillionTokens", .number(d.costPerMillionTokens)),
                ("perThousandRequests", .number(d.costPerThousandRequests)),
            ])),
            ("gpuHours", .object([("total", .number(d.gpuHoursTotal)), ("busy", .number(d.gpuHoursBusy))])),
            ("replicas", .object([("mean", .number(d.replicasMean)), ("max", .integer(d.replicasMax))])),
            ("utilization", .number(d.utilization)),
            ("peakSequencesPerReplica", .integer(d.peakSequencesPerReplica)),
            ("peakKVTokensPerReplica", .integer(d.peakKVTokensPerReplica)),
            ("queueDepthMean", .number(d.queueDepthMean)),
            ("inSystemMean", .number(d.inSystemMean)),
            ("tokens", .object([("prompt", .integer(d.promptTokens)), ("output", .integer(d.outputTokens))])),
            ("promptCache", .object([
                ("cachedTokens", .integer(d.cachedPromptTokens)),
                ("share", .number(d.promptTokens > 0 ? Double(d.cachedPromptTokens) / Double(d.promptTokens) : nil)),
            ])),
            ("counts", .object([
                ("coldStarts", .integer(d.fleet.coldStarts)),
                ("spotReclaims", .integer(d.fleet.spotReclaims)),
                ("scaleUps", .integer(d.fleet.scaleUps)),
                ("scaleDowns", .integer(d.fleet.scaleDowns)),
                ("lostToReclaim", .integer(d.fleet.lostToReclaim)),
                ("lostToScaleIn", .integer(d.fleet.lostToScaleIn)),
            ])),
            ("cache", .object([
                ("lookups", .integer(d.paths.cacheLookups)), ("hits", .integer(d.paths.cacheHits)),
                ("misses", .integer(d.paths.cacheLookups - d.paths.cacheHits)), ("hitRate", .number(d.paths.cacheHitRate)),
            ])),
            ("rateLimits", .object([("throttled", .integer(d.paths.throttled)), ("retries", .integer(d.paths.retries))])),
            ("quality", .object([("mean", .number(d.quality)), ("answers", .integer(d.qualityCount))])),
        ]
        return members
    }

    /// What only one kind of deployment has: an API's prices and what its requests cost; a cache's model.
    static func details(_ spec: DeploymentSpec, _ result: DeploymentResult) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        if case .api(let api) = spec.kind {
            members.append(("api", .object([
                ("model", api.model.map(JSONValue.string) ?? .null),
                ("prices", .object([("input", .number(api.prices.input)), ("output", .number(api.prices.output)),
                                    ("cachedInput", .number(api.prices.cachedInput))])),
                ("pricesSource", .string(api.model != nil ? APIPriceCatalog.source : "scenario")),
            ])))
        }
        if let cache = spec.cache, case .popularity(let popularity) = cache.hits {
            members.append(("cacheModel", .object([
                ("keys", .integer(popularity.keys)), ("zipf", .number(popularity.exponent)),
                ("capacity", .integer(popularity.capacity)), ("cheHitRate", .number(popularity.cheHitRate)),
            ])))
        }
        return members
    }

    static func latency(_ l: LatencySummary, extra: [(String, JSONValue)] = []) -> JSONValue {
        .object([
            ("count", .integer(l.count)),
            ("mean", .number(l.mean)), ("p50", .number(l.p50)), ("p90", .number(l.p90)), ("p95", .number(l.p95)),
            ("p99", .number(l.p99)), ("p999", .number(l.p999)), ("max", .number(l.max)),
        ] + extra)
    }
}
