extension HPA {
    /// The controller's memory between syncs and the decision it makes with it, as kubernetes' `horizontal.go`
    /// (`reconcileAutoscaler`, `normalizeDesiredReplicas[WithBehaviors]`, `stabilizeRecommendation[WithBehaviors]`,
    /// `calculateScaleUpLimitWithScalingRules`, `calculateScaleDownLimitWithBehaviors`, `storeScaleEvent`).
    public struct Controller: Sendable {
        public var minReplicas: Int
        public var maxReplicas: Int
        /// nil: no `behavior` in the spec, the legacy rule (downscale stabilization over the controller's window,
        /// scale-up at most max(legacyScaleUpFactor × current, 4) per sync, no scale-down limit).
        public var behavior: Behavior?
        /// `--horizontal-pod-autoscaler-downscale-stabilization`: the legacy path's window (5 minutes).
        public var legacyStabilizationSeconds = 300.0
        /// 2 in the controller; Kubernetes' own tests set 8.
        public var legacyScaleUpFactor = 2.0
        /// Raw recommendations of past syncs; nil until the first sync, which seeds it with the current count.
        var recommendations: [Stamped]?
        /// Replica changes the controller made, by direction (only with `behavior`, as upstream).
        var scaleUps: [Stamped] = []
        var scaleDowns: [Stamped] = []

        struct Stamped: Sendable {
            var time: Double
            var replicas: Int
        }

        public init(minReplicas: Int, maxReplicas: Int, behavior: Behavior? = Behavior()) {
            self.minReplicas = minReplicas
            self.maxReplicas = maxReplicas
            self.behavior = behavior
        }

        /// What one sync does with `current` (the target's `spec.replicas`) and the metrics' `proposal` (the
        /// largest valid one; nil when the metrics forbid any change).
        public enum Outcome: Sendable, Equatable {
            /// Scaling is off: the target is at 0 with `minReplicas` above 0.
            case disabled
            /// The target was outside [min, max]: set to the bound without metrics or behavior.
            case bounded(Int)
            /// No valid proposal: nothing changes.
            case unchanged
            /// The proposal after stabilization and rate limits.
            case normalized(Int)

            public var replicas: Int? {
                switch self {
                case .disabled, .unchanged: return nil
                case .bounded(let replicas), .normalized(let replicas): return replicas
                }
            }
        }

        /// The bounds are checked first, so a caller may skip computing metrics when `needsMetrics` is false.
        public func needsMetrics(current: Int) -> Bool {
            !(current == 0 && minReplicas > 0) && current >= minReplicas && current <= maxReplicas
        }

        public mutating func reconcile(now: Double, current: Int, proposal: Int?) -> Outcome {
            if recommendations == nil { recommendations = [Stamped(time: now, replicas: current)] }
            let outcome: Outcome
            if current == 0 && minReplicas > 0 {
                return .disabled
            } else if current > maxReplicas {
                outcome = .bounded(maxReplicas)
            } else if current < minReplicas {
                outcome = .bounded(minReplicas)
            } else if let proposal {
                outcome = .normalized(behavior.map { normalize(now: now, current: current, desired: proposal, behavior: $0) }
                    ?? legacy(now: now, current: current, desired: proposal))
            } else {
                return .unchanged
            }
            if let replicas = outcome.replicas, replicas != current { storeScaleEvent(now: now, from: current, to: replicas) }
            return outcome
        }

        /// `reconcile`'s count, or `current` where it changes nothing.
        public mutating func decide(now: Double, current: Int, desired: Int?) -> Int {
            reconcile(now: now, current: current, proposal: desired).replicas ?? current
        }

        // MARK: With behavior

        private mutating func normalize(now: Double, current: Int, desired: Int, behavior: Behavior) -> Int {
            let stabilized = stabilize(now: now, current: current, desired: desired, behavior: behavior)
            if stabilized > current {
                let limit = max(scaleUpLimit(now: now, current: current, rules: behavior.scaleUp), current)
                return min(stabilized, min(maxReplicas, limit))
            }
            if stabilized < current {
                let limit = min(scaleDownLimit(now: now, current: current, rules: behavior.scaleDown), current)
                return max(stabilized, max(minReplicas, limit))
            }
            return stabilized
        }

        /// Scale-up: the lowest recommendation within the up window, but not below `current`; scale-down: the
        /// highest within the down window, but not above `current`. Windows exclude a record exactly at their start.
        private mutating func stabilize(now: Double, current: Int, desired: Int, behavior: Behavior) -> Int {
            var up = desired
            var down = desired
            let upCutoff = now - behavior.scaleUp.stabilizationWindowSeconds
            let downCutoff = now - behavior.scaleDown.stabilizationWindowSeconds
            for recommendation in recommendations ?? [] {
                if recommendation.time > upCutoff { up = min(up, recommendation.replicas) }
                if recommendation.time > downCutoff { down = max(down, recommendation.replicas) }
            }
            // The last record older than both windows can never count again: the new one takes its slot.
            remember(Stamped(time: now, replicas: desired)) { $0.time < upCutoff && $0.time < downCutoff }
            return min(max(current, up), down)
        }

        /// The replicas at the start of each policy's period — current less what was added in it, plus what was
        /// removed in it — raised by the policy; Max picks the largest such limit, Min the smallest.
        private func scaleUpLimit(now: Double, current: Int, rules: Rules) -> Int {
            if rules.selectPolicy == .disabled { return current }
            let proposals = rules.policies.map { policy -> Int in
                let start = periodStart(now: now, current: current, periodSeconds: policy.periodSeconds)
                switch policy.kind {
                case .pods: return start + policy.value
                case .percent: return Int((Double(start) * (1 + Double(policy.value) / 100)).rounded(.up))
                }
            }
            return (rules.selectPolicy == .min ? proposals.min() : proposals.max()) ?? Int(Int32.max)
        }

        /// As `scaleUpLimit`, lowered; Max picks the policy allowing the biggest change (the lowest count).
        private func scaleDownLimit(now: Double, current: Int, rules: Rules) -> Int {
            if rules.selectPolicy == .disabled { return current }
            let proposals = rules.policies.map { policy -> Int in
                let start = periodStart(now: now, current: current, periodSeconds: policy.periodSeconds)
                switch policy.kind {
                case .pods: return start - policy.value
                case .percent: return Int(Double(start) * (1 - Double(policy.value) / 100))
                }
            }
            return (rules.selectPolicy == .min ? proposals.max() : proposals.min()) ?? Int(Int32.min)
        }

        func periodStart(now: Double, current: Int, periodSeconds: Double) -> Int {
            let cutoff = now - periodSeconds
            let added = scaleUps.reduce(0) { $0 + ($1.time > cutoff ? $1.replicas : 0) }
            let removed = scaleDowns.reduce(0) { $0 + ($1.time > cutoff ? $1.replicas : 0) }
            return current - added + removed
        }

        /// Kept only with behavior, as upstream. Events older than the direction's longest policy period are
        /// outdated, and the last outdated slot takes the new event (so an outdated one may survive, and still count
        /// for the other direction's longer periods, exactly as upstream's list does).
        mutating func storeScaleEvent(now: Double, from current: Int, to replicas: Int) {
            guard let behavior else { return }
            if replicas > current {
                Self.store(Stamped(time: now, replicas: replicas - current), in: &scaleUps, rules: behavior.scaleUp)
            } else {
                Self.store(Stamped(time: now, replicas: current - replicas), in: &scaleDowns, rules: behavior.scaleDown)
            }
        }

        private static func store(_ event: Stamped, in events: inout [Stamped], rules: Rules) {
            let outdatedBefore = event.time - (rules.policies.map(\.periodSeconds).max() ?? 0)
            if let slot = events.lastIndex(where: { $0.time < outdatedBefore }) {
                events[slot] = event
            } else {
                events.append(event)
            }
        }

        /// Stores a recommendation in the last slot whose record is `outdated`, or appends it, as upstream keeps
        /// its list (so its length stays about one window of syncs).
        private mutating func remember(_ recommendation: Stamped, outdated: (Stamped) -> Bool) {
            if let slot = recommendations?.lastIndex(where: outdated) {
                recommendations?[slot] = recommendation
            } else {
                recommendations?.append(recommendation)
            }
        }

        // MARK: Legacy

        /// The highest recommendation of the window (a record exactly at its start counts), then
        /// [minReplicas, min(maxReplicas, max(factor × current, 4))].
        private mutating func legacy(now: Double, current: Int, desired: Int) -> Int {
            let cutoff = now - legacyStabilizationSeconds
            var stabilized = desired
            for recommendation in recommendations ?? [] where recommendation.time >= cutoff {
                stabilized = max(stabilized, recommendation.replicas)
            }
            remember(Stamped(time: now, replicas: desired)) { $0.time < cutoff }
            let scaleUpLimit = Int(max(legacyScaleUpFactor * Double(current), 4))
            if stabilized < minReplicas { return minReplicas }
            return min(stabilized, min(maxReplicas, scaleUpLimit))
        }
    }
}
