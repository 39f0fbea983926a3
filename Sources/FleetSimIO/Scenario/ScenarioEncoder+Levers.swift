import FleetSim
import Yams

/// The encoding of the cost levers' keys: per-token APIs, routers, thresholds and caches.
extension ScenarioEncoder {
    static func api(_ a: APISpec) -> Node {
        var pairs: [(String, Node)] = []
        if let model = a.model { pairs.append(("model", Node(model))) }
        pairs.append(("prices", flow([("input", number(a.prices.input)), ("output", number(a.prices.output)),
                                      ("cachedInput", number(a.prices.cachedInput))])))
        pairs.append(("latency", map([("ttft", distribution(a.ttft, unit: .duration)),
                                      ("outputTokensPerSecond", distribution(a.outputTokensPerSecond, unit: .count))])))
        var limits: [(String, Node)] = []
        if let requests = a.limits.requestsPerMinute { limits.append(("requestsPerMinute", number(requests))) }
        if let tokens = a.limits.tokensPerMinute { limits.append(("tokensPerMinute", number(tokens))) }
        if !limits.isEmpty { pairs.append(("limits", flow(limits))) }
        pairs.append(("retry", flow([("maxRetries", Node(String(a.retry.maxRetries))),
                                     ("initialDelay", duration(a.retry.initialDelaySeconds)),
                                     ("maxDelay", duration(a.retry.maxDelaySeconds))])))
        return map(pairs)
    }

    static func router(_ r: RouterSpec) -> Node {
        var pairs: [(String, Node)] = [("rules", Node(r.rules.map { rule in
            var fields: [(String, Node)] = []
            var when: [(String, Node)] = []
            if let classes = rule.condition.classes { when.append(("class", Node(classes.map { Node($0) }, Tag(.implicit), .flow))) }
            if let prompt = rule.condition.promptTokens { when.append(("promptTokens", threshold(prompt))) }
            if let difficulty = rule.condition.difficulty { when.append(("difficulty", threshold(difficulty))) }
            if !when.isEmpty { fields.append(("when", flow(when))) }
            if rule.balance == .freeCapacity {
                fields.append(("to", Node(rule.targets.map { Node($0.name) }, Tag(.implicit), .flow)))
                fields.append(("balance", Node(rule.balance.rawValue)))
            } else if rule.targets.count == 1 && rule.targets[0].share == 1 {
                fields.append(("to", Node(rule.targets[0].name)))
            } else {
                fields.append(("to", flow(rule.targets.map { ($0.name, number($0.share)) })))
            }
            return flow(fields)
        }))]
        if let classifier = r.classifier {
            pairs.append(("classifier", flow([("latency", duration(classifier.latencySeconds)),
                                              ("costPerRequest", number(classifier.costPerRequest))])))
        }
        return map(pairs)
    }

    static func threshold(_ t: Threshold) -> Node {
        var fields: [(String, Node)] = []
        if let above = t.above { fields.append(("above", number(above))) }
        if let below = t.below { fields.append(("below", number(below))) }
        return flow(fields)
    }

    static func cache(_ c: CacheSpec) -> Node {
        var pairs: [(String, Node)] = [("match", Node(c.match.rawValue))]
        switch c.hits {
        case .probability(let p):
            pairs.append(("hitRate", number(p)))
        case .popularity(let popularity):
            var fields: [(String, Node)] = [
                ("keys", Node(String(popularity.keys))), ("zipf", number(popularity.exponent)),
                ("capacity", Node(String(popularity.capacity))),
            ]
            if let ttl = popularity.ttlSeconds { fields.append(("ttl", duration(ttl))) }
            pairs.append(("popularity", flow(fields)))
        }
        pairs += [("latency", duration(c.lookupSeconds)), ("lookupCost", number(c.lookupCost))]
        return flow(pairs)
    }
}
