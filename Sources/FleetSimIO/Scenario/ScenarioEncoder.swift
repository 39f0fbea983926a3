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
        if case .analytic(let step) = s.engine {
            pairs.append(("engine", flow([("kind", Node("analytic")), ("step", duration(step))])))
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
            if let prefix = trace.prefixCache {
                var cache: [(String, Node)] = [("blockTokens", Node(String(prefix.blockTokens)))]
                if let capacity = prefix.capacityTokens { cache.append(("capacity", Node(String(capacity)))) }
                fields.append(("prefixCache", flow(cache)))
            }
            pairs.append(("trace", map(fields)))
        } else {
            pairs += [("rate", Node("\(Quantities.shortest(t.ratePerSecond))/s")), ("arrivals", arrivals(t.arrivals))]
            switch t.diurnal {
            case .smooth(let peakHour, let ratio)?:
                pairs.append(("diurnal", flow([("peakHour", number(peakHour)), ("peakToTrough", number(ratio))])))
            case .hourly(let values)?:
                pairs.append(("diurnal", map([("profile", Node(values.map(number), Tag(.implicit), .flow))])))
            case .peaked(let peakHour, let peak, let trough, _)?:
                pairs.append(("diurnal", flow([("peakHour", number(peakHour)), ("peakToMean", number(peak)),
                                               ("troughToMean", number(trough))])))
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
            if let difficulty = c.difficulty { fields.append(("difficulty", distribution(difficulty, unit: .count))) }
            if let share = c.promptCacheShare { fields.append(("promptCache", flow([("share", number(share))]))) }
            return c.promptTokens == nil && c.outputTokens == nil && c.difficulty == nil ? flow(fields) : map(fields)
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
        var pairs: [(String, Node)]
        switch d.kind {
        case .replicas: pairs = replicas(d)
        case .api(let api): pairs = [("api", Self.api(api))]
        case .router(let router): pairs = [("router", Self.router(router))]
        }
        if let overflow = d.overflow {
            var fields: [(String, Node)] = [("to", Node(overflow.to))]
            if let length = overflow.queueLength { fields.append(("queueLength", Node(String(length)))) }
            if let wait = overflow.queueWaitSeconds { fields.append(("queueWait", duration(wait))) }
            if overflow.whileStarting { fields.append(("whileStarting", Node("true"))) }
            pairs.append(("overflow", flow(fields)))
        }
        if let cache = d.cache { pairs.append(("cache", Self.cache(cache))) }
        if let escalation = d.escalation {
            switch escalation.rule {
            case .difficulty(let threshold):
                pairs.append(("escalate", flow([("to", Node(escalation.to)), ("when", flow([("difficulty", Self.threshold(threshold))]))])))
            case .probability(let share):
                pairs.append(("escalate", flow([("to", Node(escalation.to)), ("share", number(share))])))
            }
        }
        if let quality = d.quality { pairs.append(("quality", number(quality))) }
        switch d.promptCaching {
        case .fromRequests: break
        case .share(let share): pairs.append(("promptCache", flow([("share", number(share))])))
        case .off: pairs.append(("promptCache", Node("off")))
        }
        return map(pairs)
    }

    private static func replicas(_ d: DeploymentSpec) -> [(String, Node)] {
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
                var reclaimFields = [how, ("notice", duration(reclaim.noticeSeconds)), ("lostWork", Node(reclaim.lostWork.rawValue))]
                if let storms = reclaim.storms {
                    reclaimFields.append(("storms", flow([("perDay", number(storms.perDay)), ("fraction", number(storms.fraction))])))
                }
                fields.append(("reclaim", flow(reclaimFields)))
            }
            if pool.isManaged {
                if pool.min != 0 { fields.append(("min", Node(String(pool.min)))) }
                if pool.max != Int.max { fields.append(("max", Node(String(pool.max)))) }
            }
            if pool.purchase != .reserved { fields.append(("minimumBilled", duration(pool.minimumBilledSeconds))) }
            if let acquisition = pool.acquisition {
                fields.append(("acquisition", flow([("failure", number(acquisition.failureProbability)),
                                                    ("retry", duration(acquisition.retrySeconds))])))
            }
            if !pool.priceSteps.isEmpty {
                fields.append(("priceSteps", Node(pool.priceSteps.map {
                    flow([("at", duration($0.atSeconds)), ("pricePerHour", number($0.pricePerHour))])
                }, Tag(.implicit), .flow)))
            }
            if let warm = pool.warmPool {
                fields.append(("warmPool", flow([("size", Node(String(warm.size))), ("holdingPerHour", number(warm.holdingPerHour)),
                                                 ("start", distribution(warm.start, unit: .duration))])))
            }
            return flow(fields)
        })))
        pairs.append(("startup", flow([
            ("provision", distribution(d.startup.provision, unit: .duration)),
            ("load", distribution(d.startup.load, unit: .duration)),
        ])))
        switch d.placement {
        case .ordered(let order) where !order.isEmpty:
            var purchases: [String] = []
            for pool in order where !purchases.contains(d.pools[pool].purchase.rawValue) {
                purchases.append(d.pools[pool].purchase.rawValue)
            }
            pairs.append(("placement", flow([("order", Node(purchases.map { Node($0) }, Tag(.implicit), .flow))])))
        case .ordered:
            break
        case .mixed(let base, let above):
            pairs.append(("placement", flow([("onDemandBase", Node(String(base))), ("onDemandAboveBase", number(above))])))
        }
        if let autoscaler = d.autoscaler { pairs.append(("autoscaler", Self.autoscaler(autoscaler))) }
        pairs.append(("drainTimeout", duration(d.drainTimeoutSeconds)))
        return pairs
    }

    /// A policy as the scenario's own key and tree (`hpa`, `queue`, …).
    static func policy(_ policy: ScalingPolicy) -> (String, Node) {
        func count(_ value: Int) -> Node { Node(String(value)) }
        switch policy {
        case .fixed(let replicas):
            return ("fixed", count(replicas))
        case .hpa(let hpa):
            var fields: [(String, Node)] = [
                ("minReplicas", count(hpa.minReplicas)), ("maxReplicas", count(hpa.maxReplicas)),
                ("metrics", Node(hpa.metrics.map(metric))),
                ("tolerance", flow([("scaleUp", number(hpa.tolerance.scaleUp)), ("scaleDown", number(hpa.tolerance.scaleDown))])),
                ("syncPeriod", duration(hpa.syncPeriodSeconds)),
                ("cpuInitializationPeriod", duration(hpa.cpuInitializationSeconds)),
            ]
            if let behavior = hpa.behavior { fields.append(("behavior", Self.behavior(behavior))) }
            return ("hpa", map(fields))
        case .queue(let queue):
            var fields: [(String, Node)] = [
                ("metric", Node(queue.metric.rawValue)), ("target", number(queue.targetPerReplica)),
                ("activation", number(queue.activationThreshold)), ("minReplicas", count(queue.minReplicas)),
                ("maxReplicas", count(queue.maxReplicas)), ("polling", duration(queue.pollingSeconds)),
                ("cooldown", duration(queue.cooldownSeconds)), ("initialCooldown", duration(queue.initialCooldownSeconds)),
                ("tolerance", flow([("scaleUp", number(queue.tolerance.scaleUp)), ("scaleDown", number(queue.tolerance.scaleDown))])),
                ("syncPeriod", duration(queue.syncPeriodSeconds)),
            ]
            if let idle = queue.idleReplicas { fields.append(("idleReplicas", count(idle))) }
            if let behavior = queue.behavior { fields.append(("behavior", Self.behavior(behavior))) }
            return ("queue", map(fields))
        case .predictive(let predictive):
            let forecast: Node
            switch predictive.forecast {
            case .shape: forecast = Node("shape")
            case .seasonal(let period): forecast = flow([("seasonal", flow([("period", duration(period))]))])
            case .ewma(let alpha): forecast = flow([("ewma", flow([("alpha", number(alpha))]))])
            }
            var fields: [(String, Node)] = [
                ("forecast", forecast), ("requestsPerReplica", Node(Quantities.shortest(predictive.requestsPerReplica) + "/s")),
                ("headroom", number(predictive.headroom)),
            ]
            if let lead = predictive.leadSeconds { fields.append(("lead", duration(lead))) }
            fields += [("minReplicas", count(predictive.minReplicas)), ("maxReplicas", count(predictive.maxReplicas)),
                       ("syncPeriod", duration(predictive.syncPeriodSeconds))]
            return ("predictive", map(fields))
        }
    }

    private static func autoscaler(_ a: AutoscalerSpec) -> Node {
        func count(_ value: Int) -> Node { Node(String(value)) }
        var pairs = [policy(a.policy)]
        pairs.append(("metrics", flow([("scrape", duration(a.metrics.scrapeSeconds)), ("window", duration(a.metrics.windowSeconds)),
                                       ("lag", duration(a.metrics.lagSeconds))])))
        if !a.schedule.isEmpty {
            pairs.append(("schedule", Node(a.schedule.map { rule in
                func clock(_ seconds: Double) -> Node {
                    let minutes = Int(seconds / 60)
                    return Node(String(format: "%02d:%02d", minutes / 60, minutes % 60), Tag(.implicit), .doubleQuoted)
                }
                var fields: [(String, Node)] = [
                    ("days", Node(rule.days.sorted().map { Node(AutoscalerDecoder.dayNames[$0]) }, Tag(.implicit), .flow)),
                    ("from", clock(rule.fromSeconds)), ("to", clock(rule.toSeconds)),
                ]
                if let minReplicas = rule.minReplicas { fields.append(("min", count(minReplicas))) }
                if let maxReplicas = rule.maxReplicas { fields.append(("max", count(maxReplicas))) }
                return flow(fields)
            })))
        }
        return map(pairs)
    }

    private static func metric(_ m: MetricTarget) -> Node {
        flow([(m.metric.rawValue, number(m.target))])
    }

    private static func behavior(_ b: HPA.Behavior) -> Node {
        func rules(_ r: HPA.Rules) -> Node {
            map([
                ("stabilizationWindow", duration(r.stabilizationWindowSeconds)), ("selectPolicy", Node(r.selectPolicy.rawValue)),
                ("policies", Node(r.policies.map { policy in
                    flow([("type", Node(policy.kind.rawValue)), ("value", Node(String(policy.value))),
                          ("period", duration(policy.periodSeconds))])
                })),
            ])
        }
        return map([("scaleUp", rules(b.scaleUp)), ("scaleDown", rules(b.scaleDown))])
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

    static func map(_ pairs: [(String, Node)]) -> Node {
        Node(pairs.map { (Node($0.0), $0.1) })
    }

    static func flow(_ pairs: [(String, Node)]) -> Node {
        Node(pairs.map { (Node($0.0), $0.1) }, Tag(.implicit), .flow)
    }

    static func number(_ value: Double) -> Node { Node(Quantities.shortest(value)) }

    static func duration(_ seconds: Double) -> Node { Node(Quantities.format(seconds: seconds)) }
}
