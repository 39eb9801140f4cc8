import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// kolla's `keepalived_virtual_router_id` (VRRP, 1–255) for a lab: derived
/// from the lab's name, and unique among the labs recorded on this host,
/// since keepalived instances with one id on one L2 segment fight over the VIP.
///
/// The first `lab up` records the id in the lab's state
/// (`/var/lib/vmctl/labs/LAB/state.json`); `lab kolla-globals` and `lab check`
/// read it from there, so a lab keeps its id when others come and go.
public enum RouterID {
    public static let range = 1...255

    /// The id the name proposes: FNV-1a of the name, folded into 1–255.
    public static func proposed(lab: String) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in lab.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int(hash % 255) + 1
    }

    /// The first id from ``proposed(lab:)`` on (wrapping) that no other lab has; nil when all 255 are taken.
    public static func choose(lab: String, taken: Set<Int>) -> Int? {
        let start = proposed(lab: lab)
        for step in 0..<range.count {
            let id = (start - 1 + step) % range.count + 1
            if !taken.contains(id) { return id }
        }
        return nil
    }

    /// Other labs' recorded ids, by lab name: every state file under
    /// ``LabState/directory`` but `lab`'s own.
    public static func recorded(excluding lab: String) -> [String: Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: LabState.directory)) ?? []
        var ids: [String: Int] = [:]
        for name in names where name != lab {
            if let id = LabState.load(lab: name)?.keepalivedRouterID { ids[name] = id }
        }
        return ids
    }

    /// The lab's id: the recorded one, else the one `lab up` would record now.
    public static func current(lab: String) -> Int? {
        LabState.load(lab: lab)?.keepalivedRouterID ?? choose(lab: lab, taken: Set(recorded(excluding: lab).values))
    }

    /// Records the lab's id in `state` when it has none yet.
    static func record(lab: String, in state: inout LabState) {
        guard state.keepalivedRouterID == nil else { return }
        state.keepalivedRouterID = choose(lab: lab, taken: Set(recorded(excluding: lab).values))
    }
}
