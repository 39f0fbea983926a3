import Foundation
import FleetSim
import FleetSimKernel
import Yams

/// Writes a `Scenario` back as scenario YAML with every default filled in: `scenario.resolved.yaml`.
///
/// The output reads back through `ScenarioLoader` to an equal `Scenario` (a tested round trip), so a result folder
/// always holds what is needed to run it again.
public enum ScenarioEncoder {
    public static func yaml(_ scenario: Scenario) throws -> String {
        try Yams.serialize(node: node(scenario), sortKeys: false)
    }

    static func node(_ s: Scenario) -> Node {
        var pairs: [(String, Node)] = [
            ("name", Node(s.name)),
            ("seed", Node(String(s.seed))),
            ("duration", duration(s.durationSeconds)),
            ("window", duration(s.windowSeconds)),
            ("warmup", duration(s.warmupSeconds)),
            ("traffic", traffic(s.traffic)),
            ("deployments", map(s.deployments.map { ($0.name, deployment($0)) })),
        ]
        if let slo = s.slo {
            var objectives: [(String, Node)] = []
            if let e2e = slo.e2e { objectives.append(("e2e", objective(e2e))) }
            if let ttft = slo.ttft { objectives.append(("ttft", objective(ttft))) }
            pairs.append(("slo", map(objectives)))
        }
        if let budget = s.budget {
            pairs.append(("budget", flow([
                ("monthly", number(budget.monthlyUSD)),
                ("alerts", Node(budget.alerts.map { Node("\(Quantities.shortest($0 * 100))%") }, Tag(.implicit), .flow)),
            ])))
        }
        return map(pairs)
    }

    private static func traffic(_ t: TrafficSpec) -> Node {
        var pairs: [(String, Node)] = []
        if let trace = t.trace {
            var fields: [(String, Node)] = [("file", Node(trace.path))]
            if let format = trace.format { fields.append(("format", Node(format.rawValue))) }
            fields += [("speedup", number(trace.speedup)), ("start", duration(trace.startSeconds))]
            if let length = trace.durationSeconds { fields.append(("duration", duration(length))) }
            if let period = trace.loopPeriodSeconds { fields.append(("loop", duration(period))) }
            fields.append(("scale", number(trace.scale)))
            pairs.append(("trace", map(fields)))
        } else {
            pairs += [("rate", Node("\(Quantities.shortest(t.ratePerSecond))/s")), ("arrivals", arrivals(t.arrivals))]
            switch t.diurnal {
            case .smooth(let peakHour, let ratio)?:
                pairs.append(("diurnal", flow([("peakHour", number(peakHour)), ("peakToTrough", number(ratio))])))
            case .hourly(let values)?:
                pairs.append(("diurnal", map([("profile", Node(values.map(number), Tag(.implicit), .flow))])))
            case nil:
                break
            }
            if let weekly = t.weekly {
                pairs.append(("weekly", Node(weekly.map(number), Tag(.implicit), .flow)))
            }
            if !t.spikes.isEmpty {
                pairs.append(("spikes", Node(t.spikes.map { spike in
                    flow([("at", duration(spike.atSeconds)), ("duration", duration(spike.durationSeconds)),
                          ("multiplier", number(spike.multiplier)), ("ramp", duration(spike.rampSeconds))])
                })))
            }
            if let random = t.randomSpikes {
                pairs.append(("randomSpikes", map([
                    ("perDay", number(random.perDay)),
                    ("multiplier", distribution(random.multiplier, unit: .count)),
                    ("duration", distribution(random.duration, unit: .duration)),
                    ("ramp", duration(random.rampSeconds)),
                ])))
            }
        }
        pairs.append(("classes", Node(t.classes.map { c in
            var fields: [(String, Node)] = [("name", Node(c.name)), ("weight", number(c.weight)), ("deployment", Node(c.deployment))]
            if let prompt = c.promptTokens { fields.append(("promptTokens", distribution(prompt, unit: .count))) }
            if let output = c.outputTokens { fields.append(("outputTokens", distribution(output, unit: .count))) }
            return c.promptTokens == nil && c.outputTokens == nil ? flow(fields) : map(fields)
        })))
        return map(pairs)
    }

    private static func arrivals(_ process: ArrivalProcess) -> Node {
        switch process {
        case .poisson, .deterministic:
            return Node(process.name)
        case .gamma(let cv):
            return flow([("gamma", flow([("cv", number(cv))]))])
        case .mmpp(let mmpp):
            return flow([("mmpp", flow([("ratio", number(mmpp.ratio)), ("burstShare", number(mmpp.highFraction)),
                                        ("meanBurst", duration(mmpp.meanBurstSeconds))]))])
        }
    }

    private static func deployment(_ d: DeploymentSpec) -> Node {
        var instance: [(String, Node)] = [
            ("gpu", Node(d.instance.gpu)), ("gpus", Node(String(d.instance.gpus))),
            ("onDemand", number(d.instance.onDemandPerHour)),
        ]
        if let spot = d.instance.spotPerHour { instance.append(("spot", number(spot))) }
        if let source = d.instance.source { instance.append(("source", Node(source))) }
        var queue: [(String, Node)] = []
        if let capacity = d.queue.capacity { queue.append(("capacity", Node(String(capacity)))) }
        if let timeout = d.queue.timeoutSeconds { queue.append(("timeout", duration(timeout))) }
        let batching: Node
        switch d.batching {
        case .window(let window, let maxBatch):
            batching = flow([("mode", Node("window")), ("window", duration(window)), ("maxBatch", Node(String(maxBatch)))])
        case .continuous:
            batching = flow([("mode", Node("continuous"))])
        }
        let instanceNode = d.instance.name.flatMap(InstanceCatalog.instance(named:)) == d.instance
            ? Node(d.instance.name!) : flow(instance)
        var pairs: [(String, Node)] = [("instance", instanceNode)]
        if let profile = d.profile {
            if let id = d.profileID, ProfileCatalog.entry(id: id)?.profile == profile {
                pairs.append(("model", Node(id)))
            } else {
                pairs.append(("model", model(profile)))
            }
        } else {
            pairs.append(("service", map([("time", distribution(d.service.time, unit: .duration)),
                                          ("perItem", duration(d.service.perItemSeconds))])))
        }
        pairs += [("batching", batching), ("routing", Node(d.routing.rawValue)), ("queueing", Node(d.queueing.rawValue))]
        if !queue.isEmpty { pairs.append(("queue", flow(queue))) }
        pairs.append(("pools", Node(d.pools.map { pool in
            var fields: [(String, Node)] = [
                ("purchase", Node(pool.purchase.rawValue)), ("count", Node(String(pool.count))),
                ("pricePerHour", number(pool.pricePerHour)),
            ]
            if let reclaim = pool.reclaim {
                let how = reclaim.trace.map { ("trace", Node($0.path)) } ?? ("perHour", number(reclaim.perHour))
                var reclaimFields = [how, ("notice", duration(reclaim.noticeSeconds))]
                if let storms = reclaim.storms {
                    reclaimFields.append(("storms", flow([("perDay", number(storms.perDay)), ("fraction", number(storms.fraction))])))
                }
                fields.append(("reclaim", flow(reclaimFields)))
            }
            return flow(fields)
        })))
        pairs.append(("startup", flow([
            ("provision", distribution(d.startup.provision, unit: .duration)),
            ("load", distribution(d.startup.load, unit: .duration)),
        ])))
        return map(pairs)
    }

    private static func model(_ p: PerformanceProfile) -> Node {
        let step: Node
        switch p.decodeStep {
        case .linear(let base, let perSequence):
            step = flow([("base", duration(base)), ("perSequence", duration(perSequence))])
        case .table(let counts, let times):
            step = flow([("table", Node(zip(counts, times).map { Node([Node(String($0)), duration($1)], Tag(.implicit), .flow) }))])
        }
        var fields: [(String, Node)] = [
            ("prefillTokensPerSecond", number(p.prefillTokensPerSecond)), ("prefillBase", duration(p.prefillBaseSeconds)),
            ("decodeStep", step), ("maxConcurrency", Node(String(p.maxConcurrency))),
        ]
        if let budget = p.kvTokenBudget { fields.append(("kvTokens", Node(String(budget)))) }
        if let source = p.source { fields.append(("source", Node(source))) }
        return map(fields)
    }

    private static func objective(_ o: SLOSpec.Objective) -> Node {
        let digits = Quantities.shortest(o.percentile * 100)
        return flow([("p" + digits, duration(o.thresholdSeconds))])
    }

    static func distribution(_ d: Distribution, unit: DistributionDecoder.Unit) -> Node {
        func q(_ value: Double) -> Node { unit == .duration ? duration(value) : number(value) }
        switch d {
        case .constant(let value):
            return flow([("constant", q(value))])
        case .uniform(let lower, let upper):
            return flow([("uniform", Node([q(lower), q(upper)], Tag(.implicit), .flow))])
        case .exponential(let mean):
            return flow([("exponential", flow([("mean", q(mean))]))])
        case .gamma(let shape, let scale):
            return flow([("gamma", flow([("shape", number(shape)), ("scale", q(scale))]))])
        case .lognormal(let mu, let sigma):
            // The median reads better, but only the log-scale location round-trips exactly in every case.
            let median = exp(mu)
            if log(median) == mu {
                return flow([("lognormal", flow([("median", q(median)), ("sigma", number(sigma))]))])
            }
            return flow([("lognormal", flow([("mu", number(mu)), ("sigma", number(sigma))]))])
        case .normal(let mean, let sd, _):
            return flow([("normal", flow([("mean", q(mean)), ("sd", q(sd))]))])
        case .weibull(let shape, let scale):
            return flow([("weibull", flow([("shape", number(shape)), ("scale", q(scale))]))])
        case .pareto(let shape, let scale):
            return flow([("pareto", flow([("shape", number(shape)), ("scale", q(scale))]))])
        case .empirical(let values):
            if let origin = values.origin {
                return flow([("empirical", flow([("file", Node(origin.file)), ("column", Node(origin.column))]))])
            }
            return flow([("empirical", flow([("values", Node(values.sorted.map(q), Tag(.implicit), .flow))]))])
        }
    }

    // MARK: Node helpers

    private static func map(_ pairs: [(String, Node)]) -> Node {
        Node(pairs.map { (Node($0.0), $0.1) })
    }

    private static func flow(_ pairs: [(String, Node)]) -> Node {
        Node(pairs.map { (Node($0.0), $0.1) }, Tag(.implicit), .flow)
    }

    private static func number(_ value: Double) -> Node { Node(Quantities.shortest(value)) }

    private static func duration(_ seconds: Double) -> Node { Node(Quantities.format(seconds: seconds)) }
}
