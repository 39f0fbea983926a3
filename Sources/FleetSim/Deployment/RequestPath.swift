import FleetSimKernel

/// The run's deployments as the destinations of hand-offs: a router sends a request to a tier, a cascade an answer
/// to the next tier, an overflow an arrival to an API. The simulation owns it; deployments refer to it `unowned`.
final class RequestPath {
    var deployments: [any Deployment] = []
    let indexByName: [String: Int]

    init(names: [String]) {
        indexByName = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
    }

    func index(of name: String) -> Int {
        guard let index = indexByName[name] else { preconditionFailure("a hand-off to unknown deployment \(name)") }
        return index
    }

    /// The request arrives at deployment `index` now.
    func send(_ request: Request, to index: Int) {
        deployments[index].arrive(request)
    }
}

/// A tier's step of a cascade: which of its answers go on to the next tier.
final class Cascade {
    let rule: EscalationSpec.Rule
    let target: Int
    /// Draws the escalations of `probability` rules (`escalation.<tier>`).
    let stream: RandomStream
    unowned let path: RequestPath

    init(_ spec: EscalationSpec, path: RequestPath, stream: RandomStream) {
        rule = spec.rule
        target = path.index(of: spec.to)
        self.stream = stream
        self.path = path
    }

    func escalates(_ request: Request) -> Bool {
        switch rule {
        case .difficulty(let threshold): threshold.matches(Double(request.difficulty))
        case .probability(let probability): stream.uniform() < probability
        }
    }
}
