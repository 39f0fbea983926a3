/// Built-in instance types with list prices, named `cloud/type` (`aws/g5.xlarge`). The table itself is generated
/// from the skypilot-catalog price subset in `../shared/data/prices/` by `scripts/make-instance-catalog.py`, which
/// documents how one price is chosen per type; each entry's `source` names the file, commit and region.
public enum InstanceCatalog {
    /// Every built-in type, sorted by name.
    public static var all: [InstanceType] { entries }

    public static func instance(named name: String) -> InstanceType? {
        entries.first { $0.name == name }
    }
}
