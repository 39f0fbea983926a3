import FleetSim
import FleetSimKernel

/// Reads what the cost levers add to deployments: per-token APIs (`api:`), routers (`router:`), response caches
/// (`cache:`), cascades (`escalate:`), overflow to another deployment (`overflow:`), quality and prompt caching; and
/// checks the hand-offs between deployments once all are read.
struct TierDecoder {
    let baseDirectory: String

    // MARK: APIs

    func decodeAPI(_ value: ScenarioValue) throws -> APISpec {
        let fields = try value.mapping(allowed: ["model", "prices", "latency", "limits", "retry"])
        var model: String?
        var prices: TokenPrices?
        if let modelValue = fields["model"] {
            let id = try modelValue.string()
            guard let entry = APIPriceCatalog.entry(id: id) else {
                throw modelValue.error("unknown API model '\(id)'" + Self.suggestion(for: id)
                    + " (see `fleetsim catalog --api`, or give prices: {input, output})")
            }
            model = id
            prices = entry.prices
        }
        if let pricesValue = fields["prices"] {
            let priceFields = try pricesValue.mapping(allowed: ["input", "output", "cachedInput"])
            func price(_ key: String) throws -> Double? {
                try priceFields[key]?.number("a price in USD per million tokens", in: 0...1e6)
            }
            let input = try price("input") ?? prices?.input
            let output = try price("output") ?? prices?.output
            guard let input, let output else {
                throw pricesValue.error("missing '\(input == nil ? "input" : "output")' (USD per million tokens)")
            }
            prices = TokenPrices(input: input, output: output, cachedInput: try price("cachedInput")
                ?? (model != nil && priceFields["input"] == nil ? prices?.cachedInput : nil))
        }
        guard let prices else {
            throw value.error("missing 'model' or 'prices' (a catalog model such as openai/gpt-4o, or {input, output} USD per million tokens)")
        }
        var api = APISpec(model: model, prices: prices)
        if let latencyValue = fields["latency"] {
            let latency = try latencyValue.mapping(allowed: ["ttft", "outputTokensPerSecond"])
            if let ttft = latency["ttft"] {
                api.ttft = try DistributionDecoder.decode(ttft, as: .duration, baseDirectory: baseDirectory)
            }
            if let speed = latency["outputTokensPerSecond"] {
                api.outputTokensPerSecond = try DistributionDecoder.decode(speed, as: .count, baseDirectory: baseDirectory)
            }
        }
        if let limitsValue = fields["limits"] {
            let limits = try limitsValue.mapping(allowed: ["requestsPerMinute", "tokensPerMinute"])
            api.limits = RateLimits(
                requestsPerMinute: try limits["requestsPerMinute"]?.number("a positive limit per minute", in: 1e-6...1e12),
                tokensPerMinute: try limits["tokensPerMinute"]?.number("a positive limit per minute", in: 1e-6...1e15))
        }
        if let retryValue = fields["retry"] {
            let retry = try retryValue.mapping(allowed: ["maxRetries", "initialDelay", "maxDelay"])
            let defaults = RetryPolicy()
            api.retry = RetryPolicy(
                maxRetries: try retry["maxRetries"]?.integer("a retry count", in: 0...100) ?? defaults.maxRetries,
                initialDelaySeconds: try retry["initialDelay"]?.duration(in: 1e-6...86_400) ?? defaults.initialDelaySeconds,
                maxDelaySeconds: try retry["maxDelay"]?.duration(in: 1e-6...86_400) ?? defaults.maxDelaySeconds)
        }
        return api
    }

    /// "did you mean" among the catalog ids, preferring ids whose model part is exactly what was written
    /// (`gpt-4o` → `openai/gpt-4o`).
    static func suggestion(for id: String) -> String {
        let ids = APIPriceCatalog.all.map(\.id)
        let model = id.split(separator: "/").last.map(String.init) ?? id
        let sameModel = ids.filter { $0.hasSuffix("/" + model) }
        if !sameModel.isEmpty {
            return "; did you mean " + sameModel.prefix(3).map { "'\($0)'" }.joined(separator: " or ") + "?"
        }
        return Suggestions.didYouMean(id, among: ids)
    }

    // MARK: Routers

    func decodeRouter(_ value: ScenarioValue) throws -> RouterSpec {
        let fields = try value.mapping(allowed: ["rules", "classifier"])
        let rulesValue = try fields.required("rules", "a list of {when, to}, the last without 'when'")
        let items = try rulesValue.list()
        guard !items.isEmpty else { throw rulesValue.expected("at least one rule") }
        let rules = try items.map(decodeRule)
        if let last = items.last, !rules.last!.condition.isEmpty {
            throw last.error("requests that match no rule would go nowhere: end the rules with one without 'when'")
        }
        if let unreachable = rules.dropLast().firstIndex(where: \.condition.isEmpty) {
            throw items[unreachable + 1].error("rules after one without 'when' are never reached")
        }
        var router = RouterSpec(rules: rules)
        if let classifierValue = fields["classifier"] {
            let classifier = try classifierValue.mapping(allowed: ["latency", "costPerRequest"])
            router.classifier = Classifier(
                latencySeconds: try classifier["latency"]?.duration(in: 0...3600) ?? 0,
                costPerRequest: try classifier["costPerRequest"]?.number("a price in USD", in: 0...1e6) ?? 0)
            if !router.readsDifficulty {
                throw classifierValue.error("no rule reads 'difficulty', so the classifier would never run")
            }
        }
        return router
    }

    private func decodeRule(_ value: ScenarioValue) throws -> RouteRule {
        let fields = try value.mapping(allowed: ["when", "to", "balance"])
        var condition = RouteCondition()
        if let whenValue = fields["when"] {
            let when = try whenValue.mapping(allowed: ["class", "promptTokens", "difficulty"])
            guard !when.entries.isEmpty else { throw whenValue.expected("at least one of class, promptTokens, difficulty") }
            if let classValue = when["class"] {
                condition.classes = try classValue.scalarText != nil ? [classValue.name()] : classValue.list().map { try $0.name() }
            }
            condition.promptTokens = try when["promptTokens"].map { try decodeThreshold($0, unit: "a token count") }
            condition.difficulty = try when["difficulty"].map { try decodeThreshold($0, unit: "a difficulty score") }
        }
        let toValue = try fields.required(
            "to", "a deployment, shares such as {small: 60%, big: 40%}, or a list with 'balance: freeCapacity'")
        var balance = RouteRule.Balance.share
        if let balanceValue = fields["balance"] {
            guard let chosen = RouteRule.Balance(rawValue: try balanceValue.string()) else {
                throw balanceValue.expected("one of \(RouteRule.Balance.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            balance = chosen
        }
        if balance == .freeCapacity {
            guard case .sequence = toValue.node else {
                throw toValue.expected("a list of the deployments to balance across, such as [h100, a100]")
            }
            let items = try toValue.list()
            guard items.count >= 2 else { throw toValue.expected("at least two deployments to balance across") }
            let names = try items.map { try $0.name() }
            if let repeated = names.indices.first(where: { names[..<$0].contains(names[$0]) }) {
                throw items[repeated].error("'\(names[repeated])' is listed twice")
            }
            return RouteRule(condition: condition, targets: names.map { RouteRule.Target(name: $0) }, balance: .freeCapacity)
        }
        if case .sequence = toValue.node {
            throw toValue.error("a list of targets is balanced by free capacity: add 'balance: freeCapacity', or give "
                + "shares such as {small: 60%, big: 40%}")
        }
        return RouteRule(condition: condition, targets: try decodeTargets(toValue))
    }

    private func decodeTargets(_ value: ScenarioValue) throws -> [RouteRule.Target] {
        if value.scalarText != nil { return [RouteRule.Target(name: try value.name())] }
        let shares = try value.mapping(allowed: [])
        guard !shares.entries.isEmpty else { throw value.expected("at least one deployment with its share") }
        let targets = try shares.entries.map { entry in
            RouteRule.Target(name: entry.key, share: try entry.value.fraction(in: 1e-9...1))
        }
        let sum = targets.reduce(0) { $0 + $1.share }
        guard abs(sum - 1) < 1e-9 else {
            throw value.error("shares sum to \(Quantities.shortest((sum * 1e8).rounded() / 1e6))%, expected 100%")
        }
        return targets
    }

    private func decodeThreshold(_ value: ScenarioValue, unit: String) throws -> Threshold {
        let fields = try value.mapping(allowed: ["above", "below"])
        guard !fields.entries.isEmpty else { throw value.expected("{above: …} and/or {below: …}") }
        let threshold = Threshold(
            above: try fields["above"]?.number(unit, in: -1e15...1e15),
            below: try fields["below"]?.number(unit, in: -1e15...1e15))
        if let above = threshold.above, let below = threshold.below, above >= below {
            throw value.error("nothing is above \(Quantities.shortest(above)) and below \(Quantities.shortest(below))")
        }
        return threshold
    }

    // MARK: Caches, cascades, overflow

    func decodeCache(_ value: ScenarioValue) throws -> CacheSpec {
        let fields = try value.mapping(allowed: ["match", "hitRate", "popularity", "latency", "lookupCost"])
        var cache: CacheSpec
        switch try fields.oneOf(["hitRate", "popularity"], "a hit probability, or a popularity model") {
        case ("hitRate", let rate):
            cache = CacheSpec(hits: .probability(try rate.fraction(in: 0...1)))
        case (_, let popularityValue):
            let popularity = try popularityValue.mapping(allowed: ["keys", "zipf", "capacity", "ttl"])
            let keys = try popularity.required("keys", "how many distinct answers requests ask for")
                .integer("a key count", in: 1...10_000_000)
            let capacityValue = try popularity.required("capacity", "how many answers the cache holds")
            cache = CacheSpec(hits: .popularity(CacheSpec.Popularity(
                keys: keys,
                exponent: try popularity.required("zipf", "the Zipf exponent of popularity, e.g. 0.8").number("an exponent", in: 0...10),
                capacity: try capacityValue.integer("a capacity", in: 0...10_000_000),
                ttlSeconds: try popularity["ttl"]?.duration(in: 1e-6...ScenarioDecoder.maxDurationSeconds))))
        }
        if let match = fields["match"] {
            guard let kind = CacheSpec.Match(rawValue: try match.string()) else { throw match.expected("exact or semantic") }
            cache.match = kind
        }
        cache.lookupSeconds = try fields["latency"]?.duration(in: 0...3600) ?? 0
        cache.lookupCost = try fields["lookupCost"]?.number("a price in USD per lookup", in: 0...1e6) ?? 0
        return cache
    }

    func decodeEscalation(_ value: ScenarioValue) throws -> EscalationSpec {
        let fields = try value.mapping(allowed: ["to", "when", "share"])
        let to = try fields.required("to", "the tier that answers escalated requests").name()
        switch try fields.oneOf(["when", "share"], "which answers escalate") {
        case ("when", let whenValue):
            let when = try whenValue.mapping(allowed: ["difficulty"])
            let difficulty = try when.required("difficulty", "{above: …}, the score beyond which this tier's answers escalate")
            return EscalationSpec(to: to, rule: .difficulty(try decodeThreshold(difficulty, unit: "a difficulty score")))
        case (_, let share):
            return EscalationSpec(to: to, rule: .probability(try share.fraction(in: 0...1)))
        }
    }

    func decodeOverflow(_ value: ScenarioValue, queueing: Queueing) throws -> OverflowSpec {
        let fields = try value.mapping(allowed: ["to", "queueLength", "queueWait", "whileStarting"])
        var overflow = OverflowSpec(to: try fields.required("to", "where arrivals go instead").name())
        overflow.queueLength = try fields["queueLength"]?.integer("a queue length", in: 0...100_000_000)
        if let waitValue = fields["queueWait"] {
            if queueing == .perReplica {
                throw waitValue.error("queueWait reads the central queue; with per-replica queues use queueLength")
            }
            overflow.queueWaitSeconds = try waitValue.duration(in: 0...ScenarioDecoder.maxDurationSeconds)
        }
        overflow.whileStarting = try fields["whileStarting"]?.bool() ?? false
        guard overflow.queueLength != nil || overflow.queueWaitSeconds != nil || overflow.whileStarting else {
            throw value.error("missing a condition: queueLength, queueWait or whileStarting: true")
        }
        return overflow
    }

    /// A deployment's `promptCache`: `off`, or `{share: 30%}` for every prompt; left out, each request's own prefix.
    func decodePromptCache(_ value: ScenarioValue) throws -> PromptCaching {
        if case .scalar = value.node {
            guard try value.string() == "off" else {
                throw value.expected("off, or {share: …} (left out, each request's cached prefix is used)")
            }
            return .off
        }
        return .share(try Self.promptCacheShare(value))
    }

    /// `{share: 30%}`: the share of each prompt served from the prefix cache.
    static func promptCacheShare(_ value: ScenarioValue) throws -> Double {
        let fields = try value.mapping(allowed: ["share"])
        return try fields.required("share", "the share of each prompt served from the prefix cache").fraction(in: 0...1)
    }

    // MARK: Hand-offs

    /// Every hand-off names a deployment that exists and is not itself, and no chain of hand-offs comes back.
    static func checkHandOffs(_ deployments: [DeploymentSpec], values: [ScenarioValue]) throws {
        let names = deployments.map(\.name)
        for (deployment, value) in zip(deployments, values) {
            let fields = try value.mapping(allowed: [])
            for (key, name, target) in try handOffValues(fields) {
                guard names.contains(name) else {
                    throw target.error("unknown deployment '\(name)' in \(key)" + Suggestions.didYouMean(name, among: names)
                        + " (deployments: \(names.joined(separator: ", ")))")
                }
                guard name != deployment.name else {
                    throw target.error("'\(name)' hands requests on to itself")
                }
                if key == Self.balancedRoute, let tier = deployments.first(where: { $0.name == name }), !tier.isReplicas {
                    throw target.error("'\(name)' is \(tier.kind.name == "api" ? "a per-token API" : "a router"): "
                        + "balancing by free capacity weighs replicas' serving slots, so every target must be a "
                        + "deployment on replicas")
                }
            }
        }
        let scenario = Scenario(
            name: "check", durationSeconds: 1, traffic: TrafficSpec(ratePerSecond: 0, classes: []),
            deployments: deployments)
        if let loop = scenario.handOffLoop, let start = names.firstIndex(of: loop[0]) {
            throw values[start].error("a loop of hand-offs: \(loop.joined(separator: " → ")); a cascade or overflow must end at a tier that hands nothing back")
        }
    }

    private static let balancedRoute = "a route balanced by free capacity"

    /// The values naming hand-off targets in one deployment's mapping, with the key that holds each.
    private static func handOffValues(_ fields: ScenarioMapping) throws -> [(String, String, ScenarioValue)] {
        var found: [(String, String, ScenarioValue)] = []
        if let router = try? fields["router"]?.mapping(allowed: []), let rules = try? router["rules"]?.list() {
            for rule in rules {
                guard let to = (try? rule.mapping(allowed: []))?["to"] else { continue }
                if to.scalarText != nil {
                    found.append(("a route", try to.name(), to))
                } else if case .sequence = to.node, let items = try? to.list() {
                    found += try items.map { (Self.balancedRoute, try $0.name(), $0) }
                } else if let shares = try? to.mapping(allowed: []) {
                    found += shares.entries.map { ("a route", $0.key, $0.value) }
                }
            }
        }
        for key in ["escalate", "overflow"] {
            if let to = (try? fields[key]?.mapping(allowed: []))?["to"] { found.append((key, try to.name(), to)) }
        }
        return found
    }
}
