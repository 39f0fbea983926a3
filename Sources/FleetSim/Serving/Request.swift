/// One request in flight: when it arrived and what it asks for. A small value; requests are never objects.
public struct Request: Sendable {
    /// When it arrived at the deployment that holds it now (a hand-off from a router, a cascade or an overflow sets
    /// it anew, so each deployment's queue stays in arrival order).
    public var arrival: Double
    public var classIndex: Int32
    public var promptTokens: Int32
    public var outputTokens: Int32
    /// Time the request spent before it reached this deployment (a router's classifier, a cheaper tier that answered
    /// first in a cascade); its latencies are recorded from the client's send, `arrival − upstreamSeconds`.
    public var upstreamSeconds: Float = 0
    /// How hard the request is, in the class's `difficulty` distribution (0…1 by default); drawn only when a route
    /// or a cascade reads it.
    public var difficulty: Float = 0
    /// The leading prompt tokens a prefix (KV) cache already holds when the request arrives: from a trace's prefix
    /// blocks, or its class's cached share. Deployments with `PromptCaching.fromRequests` use it.
    public var cachedPrefixTokens: Int32 = 0

    public init(arrival: Double, classIndex: Int32, promptTokens: Int32 = 0, outputTokens: Int32 = 0) {
        self.arrival = arrival
        self.classIndex = classIndex
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
    }

    /// The prompt tokens a deployment's prefix cache serves: not prefilled on replicas, billed as cached input by APIs.
    func cachedPromptTokens(_ caching: PromptCaching) -> Int {
        switch caching {
        case .fromRequests: Int(cachedPrefixTokens)
        case .share(let share): Int(Double(promptTokens) * share)
        case .off: 0
        }
    }

    /// This request handed on at `now` to another deployment, carrying the time it has spent so far.
    func handedOn(at now: Double, adding seconds: Double = 0) -> Request {
        var next = self
        next.upstreamSeconds += Float(now - arrival + seconds)
        next.arrival = now
        return next
    }
}
