import FleetSim
import FleetSimKernel
import Foundation

/// The scenarios a sizing runs: the base scenario with a candidate's fleet in place of the sized deployment's.
extension SizingSearch {
    /// The base scenario with the candidate's instance and `fixed` on-demand replicas, no autoscaler.
    static func scenario(_ spec: SizingSpec, _ candidate: SizingSpec.Candidate, fixed: Int) -> Scenario {
        var scenario = spec.scenario
        var deployment = applied(candidate, to: spec.deployment)
        deployment.pools = [PoolSpec(purchase: .onDemand, count: fixed, pricePerHour: candidate.instance.onDemandPerHour)]
        deployment.placement = .ordered([])
        deployment.autoscaler = nil
        scenario.deployments[spec.deploymentIndex] = deployment
        return scenario
    }

    /// The base scenario with a fleet to buy (of one instance type or a mix), its traffic scaled by `growth`.
    static func scenario(
        _ spec: SizingSpec, _ candidate: SizingSpec.Candidate, fleet: Fleet, growth: Double = 1
    ) -> Scenario {
        var scenario = candidate.isMix ? mixScenario(spec, candidate, fleet: fleet) : oneTypeScenario(spec, candidate, fleet: fleet)
        if growth != 1 {
            if scenario.traffic.trace != nil {
                scenario.traffic.trace!.scale *= growth
            } else {
                scenario.traffic.ratePerSecond *= growth
            }
        }
        return scenario
    }

    /// The base scenario with the sized deployment on the candidate's instance type and the fleet's pools.
    private static func oneTypeScenario(_ spec: SizingSpec, _ candidate: SizingSpec.Candidate, fleet: Fleet) -> Scenario {
        var scenario = spec.scenario
        var deployment = applied(candidate, to: spec.deployment)
        let onDemandPrice = candidate.instance.onDemandPerHour
        var pools: [PoolSpec] = []
        // The base's own placement names its own pools; these are new ones.
        deployment.placement = .ordered([])
        if fleet.reserved > 0, let term = fleet.term {
            pools.append(PoolSpec(purchase: .reserved, count: fleet.reserved, pricePerHour: term.price(for: candidate.instance)))
        }
        var spotPool: PoolSpec?
        if fleet.spot > 0, let availability = fleet.spotAvailability, let spot = spec.spot,
           let price = spot.price(for: candidate.instance) {
            spotPool = spot.pool(count: fleet.spotFloor, min: fleet.autoscaled ? fleet.spotFloor : 0, max: fleet.spot,
                                 price: price, bucket: availability)
        }
        if fleet.autoscaled {
            // The autoscaler starts from the scenario's own initial count and moves the on-demand pool within
            // bounds; spot, when there is any, is tried first, and on demand takes a request spot cannot fill.
            let initial = max(spec.deployment.pools.reduce(0) { $0 + $1.count } - fleet.reserved - fleet.spotFloor,
                              fleet.onDemandMin)
            if let spotPool {
                pools.append(spotPool)
                deployment.placement = .ordered([pools.count - 1, pools.count])
            }
            pools.append(PoolSpec(purchase: .onDemand, count: initial, pricePerHour: onDemandPrice,
                                  min: fleet.onDemandMin, max: fleet.onDemandMax))
            if let target = fleet.target, case .hpa(var hpa)? = deployment.autoscaler?.policy, !hpa.metrics.isEmpty {
                hpa.metrics[0].target = target
                deployment.autoscaler!.policy = .hpa(hpa)
            }
        } else {
            deployment.autoscaler = nil
            if fleet.onDemandMin > 0 || (pools.isEmpty && spotPool == nil) {
                pools.append(PoolSpec(purchase: .onDemand, count: fleet.onDemandMin, pricePerHour: onDemandPrice))
            }
            if let spotPool { pools.append(spotPool) }
        }
        deployment.pools = pools
        scenario.deployments[spec.deploymentIndex] = deployment
        return scenario
    }

    /// The base scenario with a mix's fleet: the sized deployment's place (its name, the traffic sent to it, its
    /// response cache) taken by a router balancing by free capacity over one fixed tier per instance type, each a copy
    /// of the deployment with that type, its profile and its pools.
    private static func mixScenario(_ spec: SizingSpec, _ candidate: SizingSpec.Candidate, fleet: Fleet) -> Scenario {
        var scenario = spec.scenario
        let base = spec.deployment
        var names = candidate.members.map { "\(base.name)-\(tierName($0.instance.name ?? $0.label))" }
        if names[0] == names[1] { names = names.indices.map { "\(names[$0])-\($0 + 1)" } }
        let tiers = zip(candidate.members, zip(names, fleet.tiers)).map { member, named in
            var tier = applied(member, to: base)
            tier.name = named.0
            tier.cache = nil
            tier.autoscaler = nil
            tier.placement = .ordered([])
            tier.pools = []
            if named.1.reserved > 0, let term = fleet.term {
                tier.pools.append(PoolSpec(purchase: .reserved, count: named.1.reserved,
                                           pricePerHour: term.price(for: member.instance)))
            }
            if named.1.onDemand > 0 || tier.pools.isEmpty {
                tier.pools.append(PoolSpec(purchase: .onDemand, count: named.1.onDemand,
                                           pricePerHour: member.instance.onDemandPerHour))
            }
            return tier
        }
        var router = DeploymentSpec(name: base.name, kind: .router(RouterSpec(rules: [
            RouteRule(targets: tiers.map { RouteRule.Target(name: $0.name) }, balance: .freeCapacity),
        ])))
        router.cache = base.cache
        scenario.deployments[spec.deploymentIndex] = router
        scenario.deployments += tiers
        return scenario
    }

    /// An instance type's name as part of a deployment name: `aws/p5.48xlarge` is `p5-48xlarge`.
    private static func tierName(_ instance: String) -> String {
        let last = instance.split(separator: "/").last.map(String.init) ?? instance
        return String(last.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "-" })
    }

    private static func applied(_ candidate: SizingSpec.Candidate, to deployment: DeploymentSpec) -> DeploymentSpec {
        var deployment = deployment
        deployment.instance = candidate.instance
        deployment.profile = candidate.profile
        deployment.profileID = candidate.profileID
        return deployment
    }
}
