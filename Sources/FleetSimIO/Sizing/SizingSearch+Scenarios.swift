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

    /// The base scenario with a fleet to buy, its traffic scaled by `growth`.
    static func scenario(
        _ spec: SizingSpec, _ candidate: SizingSpec.Candidate, fleet: Fleet, growth: Double = 1
    ) -> Scenario {
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
        if growth != 1 {
            if scenario.traffic.trace != nil {
                scenario.traffic.trace!.scale *= growth
            } else {
                scenario.traffic.ratePerSecond *= growth
            }
        }
        return scenario
    }

    private static func applied(_ candidate: SizingSpec.Candidate, to deployment: DeploymentSpec) -> DeploymentSpec {
        var deployment = deployment
        deployment.instance = candidate.instance
        deployment.profile = candidate.profile
        deployment.profileID = candidate.profileID
        return deployment
    }
}
