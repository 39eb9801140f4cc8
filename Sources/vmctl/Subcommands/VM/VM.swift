import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

extension VMCtl {
    struct VM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vm",
            abstract: "Create, clone, list and control virtual machines.",
            subcommands: [
                Create.self, Clone.self, List.self, Show.self, IP.self, SSH.self, SCP.self, XML.self, Console.self, Start.self, Stop.self,
                Restart.self, Destroy.self, Delete.self, Define.self, Undefine.self,
                Suspend.self, Resume.self, AttachDisk.self, DetachDisk.self, AttachNIC.self, DetachNIC.self, SetResources.self,
                Autostart.self, Edit.self, Rename.self,
            ]
        )
    }
}

/// The one positional argument most VM commands take; completion offers every VM.
struct VMName: ParsableArguments {
    @Argument(help: "The VM's name or UUID.", completion: .names(.vms(.all))) var name: String
}

/// The VM of a command that starts one: completion offers the VMs that are not running.
struct InactiveVMName: ParsableArguments {
    @Argument(help: "The VM's name or UUID.", completion: .names(.vms(.inactive))) var name: String
}

/// The VM of a command for a running guest: completion offers the running (or paused) VMs.
struct ActiveVMName: ParsableArguments {
    @Argument(help: "The VM's name or UUID.", completion: .names(.vms(.active))) var name: String
}

extension VMCtl.VM {
    enum CloneModeFlag: String, EnumerableFlag {
        case linked, full
    }
}
