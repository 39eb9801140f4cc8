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

/// The one positional argument most VM commands take.
struct VMName: ParsableArguments {
    @Argument(help: "The VM's name or UUID.") var name: String
}

extension VMCtl.VM {
    enum CloneModeFlag: String, EnumerableFlag {
        case linked, full
    }
}
