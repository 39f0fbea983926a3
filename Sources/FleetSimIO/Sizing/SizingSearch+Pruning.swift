import FleetSim

/// `size --engine analytic`: the capacity search bracketed by the analytic engine (docs/sizing.md, "Pruning with
/// the analytic engine"). The analytic answer only chooses where the discrete-event engine looks; every fleet is
/// still judged by it.
extension SizingSearch {
    /// With `prunesAnalytically`, the smallest fixed fleet the analytic engine finds meeting the objectives, by the
    /// same doubling and bisection at a fraction of the cost; nil without pruning, or when none up to the maximum
    /// does (the discrete-event search then runs unbracketed).
    static func analyticCapacity(
        _ candidate: SizingSpec.Candidate, spec: SizingSpec, jobs: Int, resources: ResourceLimits, counter: RunCounter
    ) async throws -> Int? {
        guard spec.prunesAnalytically else { return nil }
        func holds(_ n: Int) async throws -> Bool {
            counter.step("\(candidate.label): \(n) replicas, fixed, analytic")
            var scenario = Self.scenario(spec, candidate, fixed: n)
            scenario.engine = .analytic(stepSeconds: SimulationEngine.defaultStep(windowSeconds: scenario.windowSeconds))
            return try await evaluate(scenario, spec: spec, replicas: n, jobs: jobs, resources: resources,
                                      counter: counter).met
        }
        let bracket = try await firstHolding(from: 1, step: 1, misses: 0, maxReplicas: spec.maxReplicas, holds: holds)
        guard let high = bracket.holds else { return nil }
        return try await bisect(holds: high, found: high, misses: bracket.misses) { n in try await holds(n) ? n : nil }
            .count
    }

    /// A bracket of the discrete-event answer around the analytic one: the guess, then steps of a quarter of it (at
    /// least one), doubling, away from it until one fleet holds and one misses. Nil holding fleet when even
    /// `maxReplicas` misses.
    static func bracketed(
        around guess: Int, maxReplicas: Int, holds: (Int) async throws -> Bool
    ) async throws -> (holds: Int?, misses: Int) {
        var step = max(1, guess / 4)
        guard try await holds(guess) else {
            guard guess < maxReplicas else { return (nil, guess) }
            return try await firstHolding(from: min(guess + step, maxReplicas), step: 2 * step, misses: guess,
                                          maxReplicas: maxReplicas, holds: holds)
        }
        var (held, low) = (guess, max(guess - step, 0))
        while low > 0, try await holds(low) {
            held = low
            step *= 2
            low = max(low - step, 0)
        }
        return (held, low)
    }
}
