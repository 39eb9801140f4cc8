import ArgumentParser
import FoundationEssentials
import LibvirtXML
import VMCtlKit
#if canImport(Glibc)
import Glibc
#endif

/// `--live` and `--config`, as virsh spells them, for the verbs that change a VM's devices or sizes.
struct ChangeScopeOptions: ParsableArguments {
    @Flag(help: "Change the running VM (default: when it runs).") var live = false
    @Flag(help: "Change the persistent definition (default: when it has one).") var config = false
}
