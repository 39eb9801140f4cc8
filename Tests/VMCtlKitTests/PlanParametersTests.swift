import Foundation
import LibvirtXML
import Testing
@testable import VMCtlKit

/// `${NAME}` in a plan's scalars, declared under `parameters:`, given with
/// `-P NAME=VALUE` and `--param-file` (Docs/labs.md), on plan text.
@Suite struct PlanParametersTests {
    static let plan = """
        parameters:
          size: 2G
          cpus: 2
          prefix: web
          image:
        lab: demo
        defaults:
          memory: ${size}
          image: ${image}
        nodes:
          - name: ${prefix}1
            vcpus: ${cpus}
          - name: '${prefix}2'
            memory: 1G
            cmdline: console=ttyS0 $${literal}
        """

    func parse(_ arguments: [String], files: [(String, String)] = [], text: String = plan) throws -> LabPlan {
        let overrides = try PlanParameters.Overrides(arguments: arguments, fileTexts: files.map { (path: $0.0, text: $0.1) })
        return try LabPlan.parse(text, file: "p.yaml", defaultURI: "qemu:///system", parameters: overrides)
    }

    @Test func defaultsThenFilesThenArguments() throws {
        let defaults = try parse(["image=base.qcow2"])
        #expect(defaults.nodes.map(\.name) == ["web1", "web2"])
        #expect(defaults.nodes.map(\.memory) == ["2G", "1G"])
        #expect(defaults.nodes.map(\.vcpus) == [2, 1])
        #expect(defaults.nodes.first?.image?.description == "base.qcow2")
        #expect(defaults.nodes.last?.cmdline == "console=ttyS0 ${literal}")

        let file = "size: 4G\ncpus: 8\nimage: from-file.qcow2\n"
        let given = try parse(["cpus=4", "prefix=db"], files: [("params.yaml", file)])
        #expect(given.nodes.map(\.name) == ["db1", "db2"])
        #expect(given.nodes.map(\.memory) == ["4G", "1G"])
        #expect(given.nodes.first?.vcpus == 4, "-P wins over the file")
        #expect(given.nodes.first?.image?.description == "from-file.qcow2")
    }

    @Test func aValueStillGetsThePlansChecksAtTheReferencesLine() {
        let error = #expect(throws: PlanError.self) { try parse(["image=i", "cpus=many", "size=lots"]) }
        #expect(error?.description.split(separator: "\n").sorted() == [
            "p.yaml:12: nodes[0].vcpus: \"many\" is not allowed: a whole number from 1 to 512",
            "p.yaml:8: defaults.memory: \"lots\" is not allowed: \(ByteSize.rule)",
        ])
    }

    @Test func problemsNameTheParameterAndTheLine() {
        let text = """
            parameters:
              size: 2G
              image:
              bad-name: x
            lab: demo
            nodes:
              - name: a
                image: ${image}
                memory: ${sise}
                cmdline: ${size
            """
        let error = #expect(throws: PlanError.self) { try parse(["colour=red"], text: text) }
        #expect(error?.description.split(separator: "\n").map(String.init) == [
            "p.yaml:4: parameters.bad-name: a parameter's name is a letter or _, then letters, digits and _",
            "p.yaml:1: -P colour: no such parameter in p.yaml; declared: image, size",
            "p.yaml:8: nodes[0].image: ${image}: the parameter has no value; give -P image=VALUE or a --param-file",
            "p.yaml:9: nodes[0].memory: ${sise}: no such parameter; declare it under parameters:, or write $${sise} for a literal ${sise}",
            "p.yaml:10: nodes[0].cmdline: '${' without a closing '}'; write $${ for a literal ${",
        ])
        let fromFile = #expect(throws: PlanError.self) {
            try parse([], files: [("values.yaml", "size: 1G\ncolour: red\n")], text: Self.plan)
        }
        #expect(fromFile?.issues.first?.description == "values.yaml:2: colour: no such parameter in p.yaml; declared: cpus, image, prefix, size")
    }

    @Test(arguments: [
        (["cpus"], [], "-P: 'cpus' must be NAME=VALUE"),
        (["1cpus=2"], [], "-P 1cpus: a parameter's name is a letter or _, then letters, digits and _"),
        (["cpus="], [], "-P cpus: needs a value after the ="),
        ([], ["- a\n- b\n"], "f.yaml:1: parameters: must be a mapping of parameter names to values"),
        ([], ["cpus: [1, 2]\n"], "f.yaml:1: cpus: must be a scalar value (text, number or boolean)"),
        ([], ["cpus: 1\nsize:\n"], "f.yaml:2: size: must be a scalar value (text, number or boolean)"),
    ] as [([String], [String], String)])
    func badCommandLineValues(arguments: [String], files: [String], message: String) {
        let error = vmctlError { () throws(VMCtlError) in
            try PlanParameters.Overrides(arguments: arguments, fileTexts: files.map { (path: "f.yaml", text: $0) })
        }
        #expect(error?.message == message)
        #expect(error?.status == .usage)
    }

    /// A plan written before parameters existed keeps its `${…}` (a shell
    /// command's variables) as text; only a -P for it is an error.
    @Test func aPlanWithoutParametersIsReadAsWritten() throws {
        let text = "lab: demo\nnodes:\n  - name: a\n    image: i\n    cmdline: echo ${HOME} $${x} ${unclosed\n"
        let plain = try LabPlan.parse(text, file: "p.yaml", defaultURI: "qemu:///system")
        #expect(plain.nodes.first?.cmdline == "echo ${HOME} $${x} ${unclosed")
        let error = #expect(throws: PlanError.self) { try parse(["HOME=/root"], text: text) }
        #expect(error?.description == "p.yaml:1: -P HOME: no such parameter in p.yaml; it declares none")
    }

    @Test func theLabCommandsTakeThem() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmctl-params-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("plan.yaml").path
        let values = directory.appendingPathComponent("values.yaml").path
        try "parameters:\n  workers: 1\nlab: demo\nnodes:\n  - name: w\n    image: i\n    count: ${workers}\n"
            .write(toFile: plan, atomically: true, encoding: .utf8)
        try "workers: 3\n".write(toFile: values, atomically: true, encoding: .utf8)

        let fromFile = try runVMCtl(["lab", "validate", "--offline", plan, "--param-file", values])
        #expect(fromFile.status == 0, "\(fromFile.errors)")
        #expect(fromFile.output == "\(plan): lab demo is valid: 3 nodes, 0 networks\n")
        let given = try runVMCtl(["lab", "validate", "--offline", plan, "--param-file", values, "-P", "workers=5"])
        #expect(given.output == "\(plan): lab demo is valid: 5 nodes, 0 networks\n")

        let undeclared = try runVMCtl(["lab", "validate", "--offline", plan, "-P", "wrokers=5"])
        #expect(undeclared.status == 64)
        #expect(undeclared.output.isEmpty)
        #expect(undeclared.errors == "vmctl: error: \(plan):1: -P wrokers: no such parameter in \(plan); declared: workers\n")
        let malformed = try runVMCtl(["lab", "validate", "--offline", plan, "-P", "workers"])
        #expect(malformed.status == 64)
        #expect(malformed.errors == "vmctl: error: -P: 'workers' must be NAME=VALUE\n")
    }

    @Test func pieces() {
        #expect(PlanParameters.pieces(of: "a${b}c") == [.text("a"), .reference("b"), .text("c")])
        #expect(PlanParameters.pieces(of: "$${b}") == [.text("${b}")])
        #expect(PlanParameters.pieces(of: "$$x ${a}${b}") == [.text("$$x "), .reference("a"), .reference("b")])
        #expect(PlanParameters.pieces(of: "x${") == [.unterminated])
    }
}
