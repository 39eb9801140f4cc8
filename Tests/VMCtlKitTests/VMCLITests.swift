import Foundation
import Testing

/// The `vmctl` binary on the test driver: golden text and JSON for the VM
/// commands, and one clear line with the documented exit code for bad input.
@Suite struct VMCLITests {
    @Test(arguments: [
        (["vm", "list"], "vm-list.txt"),
        (["vm", "list", "--output", "json"], "vm-list.json"),
        (["vm", "show", "lab-controller"], "vm-show.txt"),
        (["vm", "show", "lab-controller", "-o", "json"], "vm-show.json"),
        (["vm", "create", "web1", "--image", "lab-pool/base.qcow2", "--pool", "lab-pool", "--memory", "512M",
          "--vcpus", "2", "--network", "lab-mgmt,mac=52:54:00:00:00:aa", "--type", "qemu", "--lab", "demo",
          "--role", "web", "--dry-run"], "vm-create-dry-run.txt"),
        (["vm", "create", "web1", "--disk-size", "8G", "--pool", "lab-pool", "--type", "qemu",
          "--network", "lab-mgmt,mac=52:54:00:00:00:ab", "--dry-run", "-o", "json"], "vm-create-dry-run.json"),
        // NICs named ensN sit in PCI slot N; data disks get serials; the seed names every NIC.
        (["vm", "create", "web1", "--image", "lab-pool/base.qcow2", "--pool", "lab-pool", "--type", "qemu",
          "--network", "lab-mgmt,mac=52:54:00:00:00:ac,device=ens4", "--network", "lab-mgmt,mac=52:54:00:00:00:ad,device=ens3",
          "--network", "lab-mgmt,mac=52:54:00:00:00:ae,device=stor0", "--disk", "2G,vg=cinder-volumes", "--disk", "1G",
          "--hostname", "web1", "--dry-run"], "vm-create-nics-disks-dry-run.txt"),
        // UEFI: libvirt chooses OVMF (firmware='efi'); the rest of the plan is unchanged.
        (["vm", "create", "web1", "--disk-size", "8G", "--pool", "lab-pool", "--type", "qemu", "--firmware", "uefi",
          "--network", "lab-mgmt,mac=52:54:00:00:00:ab", "--dry-run"], "vm-create-uefi-dry-run.txt"),
    ])
    func readCommands(arguments: [String], golden: String) throws {
        let result = try runVMCtl(arguments + ["--connect", Fixture.nodeURI])
        #expect(result.status == 0, "\(result.errors)")
        try expectGolden(result.output, golden)
    }

    @Test(arguments: [
        (["vm", "create", "bad<name>", "--disk-size", "1G", "--pool", "lab-pool", "--type", "qemu"], Int32(64),
         #"vmctl: error: name: "bad<name>" is not allowed: use letters, digits, '-', '_', '.'; must not start with '-' or '.'; at most 64 characters"#),
        (["vm", "create", "web1", "--disk-size", "lots", "--pool", "lab-pool", "--type", "qemu"], 64,
         #"vmctl: error: --disk-size: "lots" is not allowed: unknown unit; write a non-negative number with an optional unit: b, K/KiB, M/MiB, G/GiB, T/TiB (1024-based) or KB, MB, GB, TB (1000-based)"#),
        (["vm", "create", "web1", "--disk-size", "1G", "--pool", "nope", "--type", "qemu"], 64,
         "vmctl: error: --pool: no storage pool named 'nope'; create one with vmctl pool create nope --type dir --target /var/lib/libvirt/images"),
        (["vm", "create", "web1", "--disk-size", "1G", "--pool", "lab-pool", "--type", "qemu", "--network", "nope"], 64,
         "vmctl: error: --network: no libvirt network named 'nope'"),
        (["vm", "create", "web1", "--disk-size", "1G", "--pool", "lab-pool", "--type", "qemu", "--network", "lab-mgmt,mac=zz"], 64,
         #"vmctl: error: --network mac: "zz" is not allowed: write six pairs of hex digits separated by ':', e.g. 52:54:00:12:34:56"#),
        (["vm", "create", "lab-controller", "--disk-size", "1G", "--pool", "lab-pool", "--type", "qemu"], 64,
         "vmctl: error: name: a domain named 'lab-controller' already exists"),
        (["vm", "create", "web1", "--image", "lab-pool/missing", "--pool", "lab-pool", "--type", "qemu"], 64,
         "vmctl: error: --image: pool 'lab-pool' has no volume named 'missing'"),
        (["vm", "start", "vmctl-missing"], 64, "vmctl: error: vm: no domain named 'vmctl-missing'"),
        (["vm", "delete", "lab-controller"], 64, "vmctl: error: vm delete: 'lab-controller' is running; stop it first or pass --force"),
        (["vm", "clone", "lab-controller", "copy"], 64,
         "vmctl: error: vm clone: 'lab-controller' is running; a linked clone needs it shut off (vmctl vm stop lab-controller), or use --full --suspend-source"),
        (["snapshot", "revert", "lab-storage", "nope"], 64, "vmctl: error: snapshot name: 'lab-storage' has no snapshot named 'nope'"),
        (["vm", "create", "web1", "--disk-size", "1G", "--pool", "lab-pool", "--type", "qemu", "--network", "lab-mgmt,device=0eth"], 64,
         #"vmctl: error: --network device: "0eth" is not allowed: 1-15 letters, digits, _, . or -, not starting with a digit, . or -"#),
        (["vm", "create", "web1", "--disk-size", "1G", "--pool", "lab-pool", "--type", "qemu", "--disk", "1G,vg=cinder-volumes"], 64,
         "vmctl: error: --disk: vg= is made by cloud-init on first boot: give a cloud-init option too (--ssh-key, --hostname, …)"),
        (["vm", "create", "web1", "--disk-size", "1G", "--pool", "lab-pool", "--type", "qemu", "--disk", "1G,size=2"], 64,
         #"vmctl: error: --disk: "size=2" is not allowed: SIZE or SIZE,vg=NAME"#),
        (["vm", "create", "web1", "--disk-size", "1G", "--pool", "lab-pool", "--type", "qemu", "--wait", "soon"], 64,
         #"vmctl: error: --wait: "soon" is not allowed: none, address, ssh or cloud-init"#),
        (["vm", "create", "web1", "--disk-size", "1G", "--pool", "lab-pool", "--type", "qemu", "--firmware", "banana"], 64,
         #"vmctl: error: --firmware: "banana" is not allowed: bios or uefi"#),
    ])
    func badInput(arguments: [String], status: Int32, message: String) throws {
        let result = try runVMCtl(arguments + ["--connect", Fixture.nodeURI])
        #expect(result.status == status)
        #expect(result.errors == message + "\n")
        #expect(result.output.isEmpty)
    }

    @Test func unreachableDaemonNamesTheURIAndExits69() throws {
        let uri = "qemu+unix:///system?socket=/nonexistent/vmctl.sock"
        let result = try runVMCtl(["vm", "list", "--connect", uri])
        #expect(result.status == 69)
        #expect(result.errors.hasPrefix("vmctl: error: cannot connect to \(uri): "))
        #expect(result.errors.contains("(libvirt error system-error, code 38)"))
        #expect(result.errors.split(separator: "\n").count == 1)
    }

    @Test func verboseSaysWhatItConnectedToAndQuietSaysNothing() throws {
        let verbose = try runVMCtl(["vm", "create", "web9", "--disk-size", "8M", "--pool", "lab-pool", "--type", "qemu",
                                    "--connect", Fixture.nodeURI, "--verbose"])
        #expect(verbose.status == 0, "\(verbose.errors)")
        let lines = verbose.errors.split(separator: "\n")
        #expect(lines.first?.hasPrefix("vmctl [+") == true)
        #expect(lines.first?.contains("connected to \(Fixture.nodeURI) (TEST driver, libvirt ") == true)
        #expect(lines.contains { $0.contains("creating volume lab-pool/web9.qcow2 (blank)") })
        let quiet = try runVMCtl(["vm", "create", "web9", "--disk-size", "8M", "--pool", "lab-pool", "--type", "qemu",
                                  "--connect", Fixture.nodeURI, "--quiet"])
        #expect(quiet.status == 0)
        #expect(quiet.errors.isEmpty)
        #expect(quiet.output == "created web9 (qemu)\n")
    }

    @Test func usageErrorsFromTheParserExit64() throws {
        let result = try runVMCtl(["vm", "list", "--output", "yaml"])
        #expect(result.status == 64)
        #expect(result.errors.contains("'yaml'"))
    }

    @Test func theManPageAndCompletionsNameEveryCommand() throws {
        let manual = try Fixture.text("../Docs/man/vmctl.1")
        let bash = try Fixture.text("../Docs/completions/vmctl.bash")
        let help = try runVMCtl(["--help"]).output
        // Command lines start with two spaces; wrapped descriptions with more.
        let commands = help.split(separator: "\n").drop { !$0.hasPrefix("SUBCOMMANDS") }.dropFirst()
            .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") && !$0.contains("'vmctl help") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(commands.count >= 8)
        for command in commands {
            #expect(manual.contains(command), "Docs/man/vmctl.1 lacks '\(command)': run Scripts/generate-docs.sh")
            #expect(bash.contains(command), "Docs/completions/vmctl.bash lacks '\(command)': run Scripts/generate-docs.sh")
        }
    }
}
