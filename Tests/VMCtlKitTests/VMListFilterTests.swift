import Foundation
import Libvirt
import LibvirtXML
import Testing
@testable import VMCtlKit

/// `vm list --state/--name/--lab` on the test driver's node file: two running
/// domains (lab-controller, lab-compute1) and one shut off (lab-storage).
@Suite struct VMListFilterTests {
    @Test func stateNameAndLabFilter() throws {
        let connection = try Fixture.connection()
        // Only lab-compute1 belongs to a lab, as vmctl records it.
        try connection.domain(named: "lab-compute1").setMetadata(
            "<vm><lab>demo</lab><role>compute</role></vm>", key: VMMetadata.prefix, namespaceURI: VMMetadata.namespaceURI)
        func names(_ state: String?, _ name: String?, _ lab: String?) throws -> [String] {
            try VMInventory.list(connection, filter: VMListFilter(state: state, name: name, lab: lab)).map(\.name)
        }
        #expect(try names(nil, nil, nil) == ["lab-compute1", "lab-controller", "lab-storage"])
        #expect(try names("all", nil, nil) == ["lab-compute1", "lab-controller", "lab-storage"])
        #expect(try names("running", nil, nil) == ["lab-compute1", "lab-controller"])
        #expect(try names("shut-off", nil, nil) == ["lab-storage"])
        #expect(try names("paused", nil, nil) == [])
        #expect(try names(nil, "lab-c*", nil) == ["lab-compute1", "lab-controller"])
        #expect(try names(nil, "*[0-9]", nil) == ["lab-compute1"])
        #expect(try names(nil, "lab-storage", nil) == ["lab-storage"])
        #expect(try names(nil, "storage", nil) == [], "the glob matches the whole name")
        #expect(try names(nil, nil, "demo") == ["lab-compute1"])
        #expect(try names("shut-off", nil, "demo") == [])
        #expect(try names("running", "*controller", nil) == ["lab-controller"])
    }

    @Test(arguments: [
        ("bogus", nil, nil, "--state: 'bogus' is not one of all, running, paused, shut-off"),
        ("shutoff", nil, nil, "--state: 'shutoff' is not one of all, running, paused, shut-off"),
        (nil, "", nil, "--name: must be a non-empty glob such as 'web*' or 'node-[12]'"),
        (nil, nil, "no lab", "--lab: \(ObjectName.rule)"),
    ] as [(String?, String?, String?, String)])
    func badValuesNameTheOption(state: String?, name: String?, lab: String?, message: String) {
        let error = vmctlError { () throws(VMCtlError) in try VMListFilter(state: state, name: name, lab: lab) }
        #expect(error?.message == message)
        #expect(error?.status == .usage)
    }

    @Test func theCommandFiltersAndKeepsItsJSONShape() throws {
        let listed = try runVMCtl(["vm", "list", "-c", Fixture.nodeURI, "--state", "shut-off", "--name", "lab-*", "-o", "json"])
        #expect(listed.status == 0, "\(listed.errors)")
        let object = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [String: Any]
        let vms = object?["vms"] as? [[String: Any]]
        #expect(object?.keys.sorted() == ["vms"])
        #expect(vms?.map { $0["name"] as? String } == ["lab-storage"])
        #expect(vms?.first?["state"] as? String == "shut off")

        let bad = try runVMCtl(["vm", "list", "-c", Fixture.nodeURI, "--state", "stopped"])
        #expect(bad.status == 64)
        #expect(bad.output.isEmpty)
        #expect(bad.errors == "vmctl: error: --state: 'stopped' is not one of all, running, paused, shut-off\n")
    }
}
