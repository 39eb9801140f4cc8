/// The names of the volumes vmctl makes for a VM, written once: `vm create`'s
/// planner, a lab's check for volumes an interrupted run left, `vm attach-disk`
/// and `vm clone` all name them through here.
public enum VMVolumeNames {
    /// The root disk (target vda).
    public static func root(_ vm: String) -> String { "\(vm).qcow2" }

    /// The cloud-init seed image.
    public static func seed(_ vm: String) -> String { "\(vm)-seed.iso" }

    /// A data disk's volume, by its target (`VM-vdb.qcow2`; `VM-vda.qcow2` on a VM without a root disk).
    public static func data(_ vm: String, target: String) -> String { "\(vm)-\(target).qcow2" }

    /// A copied disk's volume (`vm clone`): vda is the root disk, others are data disks.
    public static func disk(_ vm: String, target: String) -> String {
        target == "vda" ? root(vm) : data(vm, target: target)
    }

    /// The targets data disks take, in order: after the root disk when there
    /// is one (vdb, vdc, …), from vda when there is none (a kernel-only VM).
    public static func dataTargets(hasRootDisk: Bool) -> [String] {
        (UnicodeScalar("a").value...UnicodeScalar("z").value).compactMap(UnicodeScalar.init)
            .map { "vd\(Character($0))" }.filter { !(hasRootDisk && $0 == "vda") }
    }

    /// Every volume `vm create` makes for a VM with this shape.
    public static func all(_ vm: String, hasRootDisk: Bool, dataDisks: Int, seed hasSeed: Bool) -> [String] {
        (hasRootDisk ? [root(vm)] : []) + (hasSeed ? [seed(vm)] : [])
            + dataTargets(hasRootDisk: hasRootDisk).prefix(dataDisks).map { data(vm, target: $0) }
    }
}
